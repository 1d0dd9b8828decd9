package cli

import (
	"cmp"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/cli/output"
)

// listing says in which listings a column appears, as osc-lib's
// LIST_BOTH / LIST_LONG_ONLY.
type listing int

const (
	listBoth listing = iota
	listLongOnly
)

// column maps an API attribute to the header the openstack CLI shows.
type column struct {
	attr    string
	header  string
	listing listing
}

// view describes how a resource is printed: the attribute-to-header map of
// the openstack CLI and the formatter of each attribute.
type view struct {
	columns []column
	// format turns an attribute value into a cell; nil keeps it as is.
	format func(attr string, v any) any
	// rawShow keeps attribute names in show output, as the openstack CLI
	// does for networks, subnets, ports and routers.
	rawShow bool
}

// one returns the sorted headers and cells of a show command: every
// attribute the server returned, renamed by the map, sorted by header
// (osc-lib get_columns).
func (v view) one(o object) ([]string, []any) {
	type pair struct {
		header string
		value  any
	}
	var pairs []pair
	for attr, val := range o {
		header := attr
		for _, c := range v.columns {
			if c.attr == attr && !v.rawShow {
				header = c.header
			}
		}
		pairs = append(pairs, pair{header, v.cell(attr, val)})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(a.header, b.header) })
	headers := make([]string, len(pairs))
	values := make([]any, len(pairs))
	for i, p := range pairs {
		headers[i], values[i] = p.header, p.value
	}
	return headers, values
}

// list returns the headers and rows of a list command; an attribute the
// server did not return shows as an empty string, as in osc-lib.
func (v view) list(objs []object, long bool) ([]string, [][]any) {
	var headers []string
	var attrs []string
	for _, c := range v.columns {
		if c.listing == listBoth || long {
			headers = append(headers, c.header)
			attrs = append(attrs, c.attr)
		}
	}
	rows := make([][]any, len(objs))
	for i, o := range objs {
		row := make([]any, len(attrs))
		for j, a := range attrs {
			val, ok := o[a]
			if !ok {
				row[j] = ""
				continue
			}
			row[j] = v.cell(a, val)
		}
		rows[i] = row
	}
	return headers, rows
}

func (v view) cell(attr string, val any) any {
	if v.format == nil {
		return val
	}
	return v.format(attr, val)
}

// listFormat shows the given attributes as lists (osc-lib ListColumn).
func listFormat(attrs ...string) func(string, any) any {
	return func(attr string, v any) any {
		if slices.Contains(attrs, attr) {
			return toList(v)
		}
		return v
	}
}

func toList(v any) any {
	items, ok := v.([]any)
	if !ok {
		return v
	}
	l := make(output.List, 0, len(items))
	for _, it := range items {
		l = append(l, output.PyStr(it))
	}
	return l
}

// autoFormat is how the openstack CLI shows core network resources: lists as
// comma-separated text, lists of objects as key='value' lines, objects as
// key='value', admin_state_up as UP/DOWN.
func autoFormat(attr string, v any) any {
	if attr == "admin_state_up" {
		if b, ok := v.(bool); ok {
			return output.AdminState(b)
		}
	}
	switch x := v.(type) {
	case []any:
		dicts := make(output.DictList, 0, len(x))
		for _, it := range x {
			m, ok := it.(map[string]any)
			if !ok {
				return toList(v)
			}
			dicts = append(dicts, m)
		}
		if len(dicts) == 0 {
			return output.List{}
		}
		return dicts
	case map[string]any:
		return dictColumn(x)
	}
	return v
}

// dictColumn shows an object as key='value' pairs in tables (osc-lib
// DictColumn) and as an object elsewhere.
type dictColumn map[string]any

func (d dictColumn) HumanReadable() string { return output.FormatDict(d) }
func (d dictColumn) MachineReadable() any  { return map[string]any(d) }
