package bgpvpn

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/bgpvpn/bgpvpn"

// A boundary: packages matching Who may not import, directly (or, when
// Deep, through any package of this module), a package matching What.
type boundary struct {
	rule string
	who  func(pkg string) bool
	what func(imp string) bool
	deep bool
}

// boundaries are DESIGN.md's, "Boundaries that keep this easy to change".
var boundaries = []boundary{
	{
		rule: "only internal/speaker imports GoBGP",
		who:  not(under("internal/speaker")),
		what: under("github.com/osrg/gobgp"),
	},
	{
		rule: "only internal/dataplane/linux imports netlink",
		who:  not(under("internal/dataplane/linux")),
		what: anyOf(under("github.com/vishvananda/netlink"), under("github.com/vishvananda/netns"), under("github.com/mdlayher/netlink")),
	},
	{
		rule: "only internal/dataplane/ovs imports OVSDB and OpenFlow libraries",
		who:  not(under("internal/dataplane/ovs")),
		what: anyOf(under("github.com/ovn-org/libovsdb"), under("github.com/digitalocean/go-openvswitch"),
			under("github.com/antrea-io/ofnet"), under("github.com/antrea-io/libOpenflow"), under("github.com/contiv/ofnet"),
			under("github.com/contiv/libOpenflow"), under("github.com/skydive-project/goloxi")),
	},
	{
		rule: "internal/api never imports the agent side",
		who:  under("internal/api"),
		what: anyOf(under("internal/agent"), under("internal/speaker"), under("internal/dataplane")),
		deep: true,
	},
	{
		// The service layer (internal/bgpvpn, internal/core) performs every
		// write and emits every driver event; the handlers only call it.
		rule: "internal/api never imports the service drivers (the service layer emits their events)",
		who:  under("internal/api"),
		what: under("internal/driver"),
	},
	{
		rule: "the CLI never imports server internals (it speaks REST like any client)",
		who:  anyOf(under("internal/cli"), under("cmd/bgpvpn")),
		what: anyOf(under("internal/api"), under("internal/store"), under("internal/bgpvpn"), under("internal/network"),
			under("internal/policy"), under("internal/driver"), under("internal/feed/hub"), under("internal/feed/compute"),
			under("internal/server"), under("internal/identity"), under("internal/resource")),
		deep: true,
	},
	{
		// internal/feed is shared: its server side is hub and compute;
		// the rest (the contract, the client) is the agent's too.
		rule: "the agent side (and the feed's contract and client, which it uses) never imports the server",
		who: anyOf(under("internal/agent"), under("internal/speaker"), under("internal/dataplane"), under("cmd/bgpvpn-agent"),
			allOf(under("internal/feed"), not(under("internal/feed/hub")), not(under("internal/feed/compute")))),
		what: anyOf(under("internal/server"), under("internal/api"), under("internal/store"), under("internal/driver"),
			under("internal/feed/hub"), under("internal/feed/compute"), under("internal/bgpvpn"), under("internal/network")),
		deep: true,
	},
}

func allOf(fs ...func(string) bool) func(string) bool {
	return func(s string) bool {
		return !slices.ContainsFunc(fs, func(f func(string) bool) bool { return !f(s) })
	}
}

// under matches p and the packages below it; a p without a dot in its
// first element is a directory of this module.
func under(p string) func(string) bool {
	if !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
		p = module + "/" + p
	}
	return func(s string) bool { return s == p || strings.HasPrefix(s, p+"/") }
}

func not(f func(string) bool) func(string) bool { return func(s string) bool { return !f(s) } }

func anyOf(fs ...func(string) bool) func(string) bool {
	return func(s string) bool { return slices.ContainsFunc(fs, func(f func(string) bool) bool { return f(s) }) }
}

// TestPackageBoundaries enforces the boundaries on what every package of
// cmd/ and internal/ imports, tests aside (a test may run a whole server).
func TestPackageBoundaries(t *testing.T) {
	imports := moduleImports(t, ".")
	for _, b := range boundaries {
		for pkg := range imports {
			if !b.who(pkg) {
				continue
			}
			if chain := importChain(imports, pkg, b.what, b.deep); chain != nil {
				t.Errorf("%s: %s", b.rule, strings.Join(chain, " → "))
			}
		}
	}
}

// importChain returns how pkg reaches a package matching what (pkg first),
// or nil: directly only, or through the module's packages when deep.
func importChain(imports map[string][]string, pkg string, what func(string) bool, deep bool) []string {
	from := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range imports[p] {
			if _, seen := from[imp]; seen {
				continue
			}
			from[imp] = p
			if what(imp) {
				var chain []string
				for q := imp; q != ""; q = from[q] {
					chain = append([]string{strings.TrimPrefix(q, module+"/")}, chain...)
				}
				return chain
			}
			if _, ours := imports[imp]; ours && deep {
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

// moduleImports maps every package under root's cmd/ and internal/ to
// what its non-test files import.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, filepath.Dir(p))
			if err != nil {
				return err
			}
			pkg := path.Join(module, filepath.ToSlash(rel))
			if _, ok := out[pkg]; !ok {
				out[pkg] = nil
			}
			for _, is := range f.Imports {
				imp, err := strconv.Unquote(is.Path.Value)
				if err != nil {
					return err
				}
				if !slices.Contains(out[pkg], imp) {
					out[pkg] = append(out[pkg], imp)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
