package output

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// csvList writes rows like Python's csv.writer with cliff's settings:
// doubled quotes, backslash as escape character, quoting by --quote.
func (o Options) csvList(w io.Writer, columns []string, rows [][]any) error {
	mode := o.Quote
	if mode == "" {
		mode = "nonnumeric"
	}
	if !slices.Contains([]string{"all", "minimal", "none", "nonnumeric"}, mode) {
		return fmt.Errorf("invalid --quote %q (choose from all, minimal, none, nonnumeric)", mode)
	}
	var b strings.Builder
	writeRow := func(cells []any) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(c, mode))
		}
		b.WriteByte('\n')
	}
	writeRow(toAny(columns))
	for _, r := range rows {
		cells := make([]any, len(r))
		for i, c := range r {
			if f, ok := c.(Formattable); ok {
				c = PyStr(f.MachineReadable())
			}
			cells[i] = c
		}
		writeRow(cells)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func csvField(v any, mode string) string {
	numeric := false
	var s string
	switch x := v.(type) {
	case nil:
		s = ""
	case bool, int, int64, float64:
		numeric = true
		s = PyStr(x)
	default:
		s = text(x)
	}
	quote := false
	switch mode {
	case "all":
		quote = true
	case "nonnumeric":
		quote = !numeric
	case "minimal":
		quote = strings.ContainsAny(s, ",\"\r\n")
	case "none":
		var b strings.Builder
		for _, r := range s {
			if strings.ContainsRune(",\"\\\r\n", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	if !quote {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// shellOne writes name="value" lines; names are the lower-cased column names
// with spaces, colons and dashes turned into underscores.
func (o Options) shellOne(w io.Writer, columns []string, values []any) error {
	var b strings.Builder
	for i, c := range columns {
		// cliff turns spaces, colons and dashes into underscores and
		// escapes only the double quote. The output is meant for eval, and
		// columns and values come from the server: every other character
		// that is not a letter, digit or underscore becomes one too, and
		// $, ` and \ are escaped, so that no name can run a command.
		name := strings.Map(shellNameRune, strings.ToLower(c))
		v := shellQuoted.Replace(text(machine(values[i])))
		fmt.Fprintf(&b, "%s%s=\"%s\"\n", o.Prefix, name, v)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func shellNameRune(r rune) rune {
	if r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
		return r
	}
	return '_'
}

var shellQuoted = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")

// sortRows applies --sort-column: a stable sort on each named column, last
// one first, None after everything else; unknown columns are ignored.
func (o Options) sortRows(columns []string, rows [][]any) [][]any {
	if len(o.SortColumns) == 0 {
		return rows
	}
	var idx []int
	for _, c := range o.SortColumns {
		if i := slices.Index(columns, c); i >= 0 {
			idx = append(idx, i)
		}
	}
	rows = slices.Clone(rows)
	desc := o.SortDirection == "desc"
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		slices.SortStableFunc(rows, func(a, b []any) int {
			c := compareCells(a[i], b[i])
			if desc {
				// Python's sorted(reverse=True) keeps equal items in order
				// and puts None first.
				c = -c
			}
			return c
		})
	}
	return rows
}

func compareCells(a, b any) int {
	an, bn := a == nil, b == nil
	if an || bn {
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		default:
			return -1
		}
	}
	fa, aok := number(a)
	fb, bok := number(b)
	if aok && bok {
		return cmp.Compare(fa, fb)
	}
	return strings.Compare(human(a), human(b))
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
