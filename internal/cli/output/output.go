// Package output prints command results the way OpenStack's cliff does:
// formats table, json, yaml, value, csv and shell, column selection with -c,
// --noindent, --max-width and list sorting, so that scripts written against
// the `openstack` CLI read our output unchanged.
//
// It only formats: it never talks to a server and never decides which
// columns a resource has.
package output

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Formattable is a cell whose human-readable form (table) differs from its
// machine-readable form (json, yaml, value, csv, shell), like cliff's
// FormattableColumn.
type Formattable interface {
	HumanReadable() string
	MachineReadable() any
}

// List is a list of strings shown as a sorted, comma-separated text in tables
// and as a list elsewhere (osc-lib's ListColumn).
type List []string

// HumanReadable joins the sorted items with ", ".
func (l List) HumanReadable() string {
	s := slices.Clone([]string(l))
	slices.Sort(s)
	return strings.Join(s, ", ")
}

// MachineReadable returns the items as a list.
func (l List) MachineReadable() any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

// DictList is a list of objects shown one per line as key='value' pairs
// (osc-lib's ListDictColumn), e.g. a port's fixed IPs.
type DictList []map[string]any

// HumanReadable prints one line per object, keys sorted.
func (d DictList) HumanReadable() string {
	lines := make([]string, len(d))
	for i, m := range d {
		lines[i] = FormatDict(m)
	}
	return strings.Join(lines, "\n")
}

// MachineReadable returns the objects as they are.
func (d DictList) MachineReadable() any {
	out := make([]any, len(d))
	for i, m := range d {
		out[i] = m
	}
	return out
}

// FormatDict renders an object as key='value' pairs with sorted keys, the
// way osc-lib's format_dict does.
func FormatDict(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s='%s'", k, PyStr(m[k]))
	}
	return strings.Join(parts, ", ")
}

// AdminState shows a boolean as UP/DOWN in tables (OSC's AdminStateColumn).
type AdminState bool

// HumanReadable returns UP or DOWN.
func (a AdminState) HumanReadable() string {
	if a {
		return "UP"
	}
	return "DOWN"
}

// MachineReadable returns the boolean.
func (a AdminState) MachineReadable() any { return bool(a) }

// Options are the output options cliff gives every show and list command.
type Options struct {
	Format        string   // table (default), json, yaml, value, csv (lists), shell (one object)
	Columns       []string // -c: display names to keep, in the command's order
	NoIndent      bool     // json without indentation
	MaxWidth      int      // table: maximum width, <1 disables
	FitWidth      bool     // table: fit the terminal width (taken from $COLUMNS)
	PrintEmpty    bool     // table: print the header of an empty list
	Prefix        string   // shell: prefix of every variable name
	Quote         string   // csv: all, minimal, none or nonnumeric (default)
	SortColumns   []string // list: columns to sort on, first has priority
	SortDirection string   // list: "asc" (default) or "desc"
	TermWidth     int      // width of the terminal when FitWidth is set, 0 if unknown
}

// Formats for one object and for lists, as cliff offers them.
var (
	OneFormats  = []string{"json", "shell", "table", "value", "yaml"}
	ListFormats = []string{"csv", "json", "table", "value", "yaml"}
)

// selectColumns applies -c and returns the kept columns and their indexes.
func (o Options) selectColumns(columns []string, list bool) ([]string, []int, error) {
	if len(o.Columns) == 0 {
		idx := make([]int, len(columns))
		for i := range columns {
			idx[i] = i
		}
		return columns, idx, nil
	}
	var keep []string
	var idx []int
	for i, c := range columns {
		if slices.Contains(o.Columns, c) {
			keep = append(keep, c)
			idx = append(idx, i)
		}
	}
	if len(keep) == 0 {
		open, close := "(", ")"
		if list {
			open, close = "[", "]"
		}
		return nil, nil, fmt.Errorf("No recognized column names in %s. Recognized columns are %s%s%s.",
			PyRepr(toAny(o.Columns)), open, strings.TrimSuffix(strings.TrimPrefix(PyRepr(toAny(columns)), "["), "]"), close)
	}
	return keep, idx, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func pick(row []any, idx []int) []any {
	out := make([]any, len(idx))
	for i, j := range idx {
		out[i] = row[j]
	}
	return out
}

// EmitOne prints one object given as parallel column names and values.
func (o Options) EmitOne(w io.Writer, columns []string, values []any) error {
	cols, idx, err := o.selectColumns(columns, false)
	if err != nil {
		return err
	}
	values = pick(values, idx)
	switch o.Format {
	case "", "table":
		return o.tableOne(w, cols, values)
	case "json":
		return o.jsonOne(w, cols, values)
	case "yaml":
		return yamlOne(w, cols, values)
	case "value":
		for _, v := range values {
			if _, err := fmt.Fprintln(w, text(machine(v))); err != nil {
				return err
			}
		}
		return nil
	case "shell":
		return o.shellOne(w, cols, values)
	}
	return fmt.Errorf("invalid output format %q (choose from %s)", o.Format, strings.Join(OneFormats, ", "))
}

// EmitList prints rows of values under the given column names.
func (o Options) EmitList(w io.Writer, columns []string, rows [][]any) error {
	rows = o.sortRows(columns, rows)
	cols, idx, err := o.selectColumns(columns, true)
	if err != nil {
		return err
	}
	picked := make([][]any, len(rows))
	for i, r := range rows {
		picked[i] = pick(r, idx)
	}
	switch o.Format {
	case "", "table":
		return o.tableList(w, cols, picked)
	case "json":
		return o.jsonList(w, cols, picked)
	case "yaml":
		return yamlList(w, cols, picked)
	case "value":
		for _, r := range picked {
			parts := make([]string, len(r))
			for i, v := range r {
				parts[i] = text(machine(v))
			}
			if _, err := fmt.Fprintln(w, strings.Join(parts, " ")); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		return o.csvList(w, cols, picked)
	}
	return fmt.Errorf("invalid output format %q (choose from %s)", o.Format, strings.Join(ListFormats, ", "))
}

// machine returns the machine-readable form of a cell.
func machine(v any) any {
	if f, ok := v.(Formattable); ok {
		return f.MachineReadable()
	}
	return v
}

// human returns the text a table shows for a cell.
func human(v any) string {
	if f, ok := v.(Formattable); ok {
		v = f.HumanReadable()
	}
	if s, ok := v.(string); ok {
		return Printable(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", " "))
	}
	return text(v)
}
