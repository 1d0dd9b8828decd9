package output

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// pyJSON writes v as Python's json.dump does (what cliff uses): keys in the
// order given, ", " and ": " separators, non-ASCII escaped, and with indent
// > 0 one element per line.
type pyJSON struct {
	b      strings.Builder
	indent int
}

// object is an ordered JSON object.
type object struct {
	keys   []string
	values []any
}

func (j *pyJSON) newline(depth int) {
	if j.indent > 0 {
		j.b.WriteByte('\n')
		j.b.WriteString(strings.Repeat(" ", depth*j.indent))
	}
}

func (j *pyJSON) sep() {
	if j.indent > 0 {
		j.b.WriteByte(',')
	} else {
		j.b.WriteString(", ")
	}
}

func (j *pyJSON) write(v any, depth int) {
	switch x := v.(type) {
	case Formattable:
		j.write(x.MachineReadable(), depth)
	case nil:
		j.b.WriteString("null")
	case bool:
		j.b.WriteString(strconv.FormatBool(x))
	case int:
		j.b.WriteString(strconv.Itoa(x))
	case int64:
		j.b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		s := pyFloat(x)
		switch s {
		case "inf":
			s = "Infinity"
		case "-inf":
			s = "-Infinity"
		case "nan":
			s = "NaN"
		}
		j.b.WriteString(s)
	case string:
		j.b.WriteString(jsonQuote(x))
	case []string:
		j.write(toAny(x), depth)
	case []any:
		if len(x) == 0 {
			j.b.WriteString("[]")
			return
		}
		j.b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				j.sep()
			}
			j.newline(depth + 1)
			j.write(e, depth+1)
		}
		j.newline(depth)
		j.b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		o := object{keys: keys}
		for _, k := range keys {
			o.values = append(o.values, x[k])
		}
		j.write(o, depth)
	case object:
		if len(x.keys) == 0 {
			j.b.WriteString("{}")
			return
		}
		j.b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				j.sep()
			}
			j.newline(depth + 1)
			j.b.WriteString(jsonQuote(k))
			j.b.WriteString(": ")
			j.write(x.values[i], depth+1)
		}
		j.newline(depth)
		j.b.WriteByte('}')
	default:
		j.b.WriteString(jsonQuote(fmt.Sprint(x)))
	}
}

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (o Options) indent() int {
	if o.NoIndent {
		return 0
	}
	return 2
}

func (o Options) jsonOne(w io.Writer, columns []string, values []any) error {
	j := pyJSON{indent: o.indent()}
	j.write(object{keys: columns, values: values}, 0)
	_, err := io.WriteString(w, j.b.String()+"\n")
	return err
}

func (o Options) jsonList(w io.Writer, columns []string, rows [][]any) error {
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = object{keys: columns, values: r}
	}
	j := pyJSON{indent: o.indent()}
	j.write(items, 0)
	_, err := io.WriteString(w, j.b.String()+"\n")
	return err
}
