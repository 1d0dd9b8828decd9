package bgpvpn

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs requires every package under cmd/ and internal/ to say
// what it is for in exactly one package doc comment.
func TestPackageDocs(t *testing.T) {
	docs := map[string]int{}
	seen := map[string]bool{}
	for _, root := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				return err
			}
			dir := filepath.Dir(path)
			seen[dir] = true
			if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
				docs[dir]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for dir := range seen {
		switch n := docs[dir]; {
		case n == 0:
			t.Errorf("package %s has no doc comment", dir)
		case n > 1:
			t.Errorf("package %s has %d doc comments, want one", dir, n)
		}
	}
}
