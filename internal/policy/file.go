package policy

import (
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// ErrPolicyFile is wrapped by every error about the shape of a policy file
// (as opposed to failing to read it, or a rule that does not parse).
var ErrPolicyFile = errors.New("invalid policy file")

// override is one "name: check" entry of a policy file.
type override struct {
	name, check string
	line        int
}

// readPolicyFile reads an oslo policy file. JSON is valid YAML, so one
// decoder reads both. It is stricter than oslo where oslo's leniency is a
// trap: a null value (oslo: allow everyone) or a non-string value is an
// error, and so is a rule given twice (oslo: the last one silently wins).
func readPolicyFile(path string) ([]override, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading policy file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("policy file %s: %w: %w", path, ErrPolicyFile, err)
	}
	if doc.Kind == 0 { // empty file, or only comments: no overrides
		return nil, nil
	}
	m := &doc
	if m.Kind == yaml.DocumentNode && len(m.Content) == 1 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("policy file %s line %d: %w: want a mapping of rule name to check string", path, m.Line, ErrPolicyFile)
	}
	seen := make(map[string]int, len(m.Content)/2)
	out := make([]override, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, fmt.Errorf("policy file %s line %d: %w: rule names must be strings", path, k.Line, ErrPolicyFile)
		}
		if prev, dup := seen[k.Value]; dup {
			return nil, fmt.Errorf("policy file %s line %d: %w: rule %q already given on line %d", path, k.Line, ErrPolicyFile, k.Value, prev)
		}
		seen[k.Value] = k.Line
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			return nil, fmt.Errorf("policy file %s line %d: %w: rule %q: the check must be a string (quote it; \"\" allows everyone, \"!\" nobody)", path, v.Line, ErrPolicyFile, k.Value)
		}
		out = append(out, override{name: k.Value, check: v.Value, line: k.Line})
	}
	return out, nil
}
