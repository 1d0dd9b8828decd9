package output

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The YAML format follows PyYAML's safe_dump with default_flow_style=False,
// which is what cliff calls: block style, sorted keys, sequences inside a
// mapping not indented, and strings quoted only when a plain scalar would be
// read back as something else (YAML 1.1 rules: 64512:10 is a base-60 int).
// One known difference: PyYAML folds a plain or single-quoted string with
// spaces that runs past column 80 onto indented continuation lines; we keep
// it on one line. Both read back as the same value.

var yamlImplicit = []*regexp.Regexp{
	regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
	regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
	regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
	regexp.MustCompile(`^(?:<<)$`),
	regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
	regexp.MustCompile(`^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$`),
	regexp.MustCompile(`^(?:=)$`),
}

// yamlScalar renders a string in the style PyYAML would choose.
func yamlScalar(s string) string {
	plain, single := yamlStyles(s)
	if plain {
		for _, re := range yamlImplicit {
			if re.MatchString(s) {
				plain = false
				break
			}
		}
	}
	switch {
	case plain:
		return s
	case single:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return yamlDouble(s)
}

// yamlStyles tells whether s may be written plain (block context) or single
// quoted, after PyYAML's analyze_scalar.
func yamlStyles(s string) (plain, single bool) {
	if s == "" {
		return false, true
	}
	r := []rune(s)
	plain, single = true, true
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		plain = false
	}
	space := func(i int) bool { return i < 0 || i >= len(r) || r[i] == ' ' || r[i] == '\t' || r[i] == '\n' }
	for i, c := range r {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", c) {
				plain = false
			}
			if (c == '?' || c == ':' || c == '-') && space(i+1) {
				plain = false
			}
		} else {
			if c == ':' && space(i+1) {
				plain = false
			}
			if c == '#' && space(i-1) {
				plain = false
			}
		}
		if c == '\n' || c < 0x20 || c > 0x7e {
			// Line breaks and, without allow_unicode, anything outside
			// printable ASCII force the double-quoted style.
			return false, false
		}
	}
	if r[0] == ' ' || r[len(r)-1] == ' ' {
		plain = false
	}
	return plain, single
}

func yamlDouble(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == 0:
			b.WriteString(`\0`)
		case c < 0x20 || (c >= 0x7f && c <= 0xff):
			fmt.Fprintf(&b, `\x%02X`, c)
		case c > 0xff && c <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, c)
		case c > 0xffff:
			fmt.Fprintf(&b, `\U%08X`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func yamlAtom(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "null", true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		switch s := pyFloat(x); s {
		case "inf":
			return ".inf", true
		case "-inf":
			return "-.inf", true
		case "nan":
			return ".nan", true
		default:
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			} else if strings.Contains(s, "e") && !strings.Contains(s, ".") {
				s = strings.Replace(s, "e", ".0e", 1)
			}
			return s, true
		}
	case string:
		return yamlScalar(x), true
	case []any:
		if len(x) == 0 {
			return "[]", true
		}
	case []string:
		if len(x) == 0 {
			return "[]", true
		}
	case map[string]any:
		if len(x) == 0 {
			return "{}", true
		}
	case object:
		if len(x.keys) == 0 {
			return "{}", true
		}
	default:
		return yamlScalar(fmt.Sprint(x)), true
	}
	return "", false
}

type yamlWriter struct{ b strings.Builder }

// node writes a value that follows "key:" or "- " at the given indent.
func (y *yamlWriter) mapping(o object, indent int, first bool) {
	for i, k := range o.keys {
		if i > 0 || !first {
			y.b.WriteString(strings.Repeat(" ", indent))
		}
		y.b.WriteString(yamlScalar(k) + ":")
		y.value(o.values[i], indent, true)
	}
}

func (y *yamlWriter) sequence(items []any, indent int, first bool) {
	for i, e := range items {
		if i > 0 || !first {
			y.b.WriteString(strings.Repeat(" ", indent))
		}
		y.b.WriteString("- ")
		if a, ok := yamlAtom(machine(e)); ok {
			y.b.WriteString(a + "\n")
			continue
		}
		y.nested(machine(e), indent+2, true)
	}
}

// value writes what follows "key:"; inMapping selects PyYAML's indentless
// sequences.
func (y *yamlWriter) value(v any, indent int, inMapping bool) {
	v = machine(v)
	if a, ok := yamlAtom(v); ok {
		y.b.WriteString(" " + a + "\n")
		return
	}
	y.b.WriteString("\n")
	switch v.(type) {
	case []any, []string:
		y.nested(v, indent, false)
	default:
		y.nested(v, indent+2, false)
	}
}

func (y *yamlWriter) nested(v any, indent int, first bool) {
	switch x := v.(type) {
	case []string:
		y.sequence(toAny(x), indent, first)
	case []any:
		y.sequence(x, indent, first)
	case map[string]any:
		y.mapping(sortedObject(x), indent, first)
	case object:
		y.mapping(x, indent, first)
	}
}

func sortedObject(m map[string]any) object {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o := object{keys: keys}
	for _, k := range keys {
		o.values = append(o.values, m[k])
	}
	return o
}

func yamlOne(w io.Writer, columns []string, values []any) error {
	var y yamlWriter
	for i, c := range columns {
		y.mapping(object{keys: []string{c}, values: []any{values[i]}}, 0, true)
	}
	_, err := io.WriteString(w, y.b.String())
	return err
}

func yamlList(w io.Writer, columns []string, rows [][]any) error {
	var y yamlWriter
	if len(rows) == 0 {
		y.b.WriteString("[]\n")
	}
	for _, r := range rows {
		m := make(map[string]any, len(columns))
		for i, c := range columns {
			m[c] = r[i]
		}
		y.b.WriteString("- ")
		y.mapping(sortedObject(m), 2, true)
	}
	_, err := io.WriteString(w, y.b.String())
	return err
}
