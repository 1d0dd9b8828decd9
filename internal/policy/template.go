package policy

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// template is the right-hand side of a role or generic check, with Python
// %-mapping semantics: "%(name)s" is replaced by str(target[name]) and "%%" by
// "%". It is parsed once at load so evaluation never reformats the string.
type template struct {
	parts []tmplPart
}

type tmplPart struct {
	lit    string // literal text, when key == ""
	key    string // target attribute name
	altKey string // tenant_id <-> project_id alias of key, or ""
}

var errBadFormat = errors.New("only %(name)s and %% may follow % in a match")

// parseTemplate splits s into literal text and %(name)s references. Python
// allows other conversions (%(x)d, %s of the whole mapping); policy files do
// not use them and accepting them would only hide typos, so they are errors.
func parseTemplate(s string) (template, error) {
	var t template
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, tmplPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			lit.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if i+1 >= len(s) || s[i+1] != '(' {
			return template{}, errBadFormat
		}
		// Python matches nested parentheses inside the key.
		depth, j := 1, i+2
		for ; j < len(s) && depth > 0; j++ {
			switch s[j] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
		if depth != 0 || j >= len(s) || s[j] != 's' {
			return template{}, errBadFormat
		}
		key := s[i+2 : j-1]
		flush()
		t.parts = append(t.parts, tmplPart{key: key, altKey: ownerAlias(key)})
		i = j
	}
	flush()
	return t, nil
}

// ownerAlias returns the other spelling of an owner attribute. Neutron fills
// both tenant_id and project_id in every target; we accept either, so a rule
// written with one still works on an object rendered with the other (port
// associations only have project_id).
func ownerAlias(key string) string {
	if p, ok := strings.CutSuffix(key, "tenant_id"); ok && (p == "" || strings.HasSuffix(p, ":")) {
		return p + "project_id"
	}
	if p, ok := strings.CutSuffix(key, "project_id"); ok && (p == "" || strings.HasSuffix(p, ":")) {
		return p + "tenant_id"
	}
	return ""
}

// lookup finds key (or its owner alias) in the target.
func (p *tmplPart) lookup(target Target) (any, bool) {
	if v, ok := target[p.key]; ok {
		return v, true
	}
	if p.altKey != "" {
		v, ok := target[p.altKey]
		return v, ok
	}
	return nil, false
}

// expand fills the template from target. ok is false when a referenced
// attribute is missing, which oslo treats as a failed check. The common
// shapes (one literal, or one string attribute) do not allocate.
func (t *template) expand(target Target) (s string, ok bool) {
	switch len(t.parts) {
	case 0:
		return "", true
	case 1:
		p := &t.parts[0]
		if p.key == "" {
			return p.lit, true
		}
		v, found := p.lookup(target)
		if !found {
			return "", false
		}
		return pyStr(v), true
	}
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		if p.key == "" {
			b.WriteString(p.lit)
			continue
		}
		v, found := p.lookup(target)
		if !found {
			return "", false
		}
		b.WriteString(pyStr(v))
	}
	return b.String(), true
}

// pyStr renders v the way Python's str() renders the decoded JSON value, so
// comparisons match oslo's "match == str(value)".
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return pyFloat(x)
	case []string:
		var b strings.Builder
		b.WriteByte('[')
		for i, s := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('\'')
			b.WriteString(s)
			b.WriteByte('\'')
		}
		b.WriteByte(']')
		return b.String()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// pyFloat renders a JSON number: integral values as Python ints (JSON "5"
// decodes to int in Python), others like Python's float repr.
func pyFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
