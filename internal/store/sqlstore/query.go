package sqlstore

import (
	"fmt"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// table describes how a resource's attributes map to columns.
type table struct {
	name    string
	columns string            // SELECT list, prefixed with "t."
	attrs   map[string]string // API attribute -> column (without prefix)
	// projectScope is the WHERE fragment for store.Query.Project; every
	// "?" is the project.
	projectScope string
}

// scope is the WHERE fragment of store.Query.Project.
func (tb *table) scope() string {
	if tb.projectScope == "" {
		return "t.project_id = ?"
	}
	return tb.projectScope
}

// where builds the WHERE clause of a list from the generic filters.
func (tb *table) where(q store.Query, extra []string, args []any) ([]string, []any, error) {
	conds := append([]string(nil), extra...)
	if q.Project != "" {
		scope := tb.scope()
		conds = append(conds, "("+scope+")")
		for range strings.Count(scope, "?") {
			args = append(args, q.Project)
		}
	}
	for attr, values := range q.Filters {
		col, ok := tb.attrs[attr]
		if !ok {
			return nil, nil, fmt.Errorf("filter on unknown attribute %q", attr)
		}
		if len(values) == 0 {
			continue
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(values)), ",")
		conds = append(conds, "t."+col+" IN ("+ph+")")
		args = append(args, values...)
	}
	return conds, args, nil
}

// list runs a filtered, sorted, paginated SELECT and calls scan per row.
func (t *tx) list(tb *table, q store.Query, extra []string, extraArgs []any, scan func(rows interface{ Scan(...any) error }) error) error {
	conds, args, err := tb.where(q, extra, extraArgs)
	if err != nil {
		return err
	}
	keys := make([]store.SortKey, 0, len(q.Sort)+1)
	hasID := false
	for _, k := range q.Sort {
		if _, ok := tb.attrs[k.Attr]; !ok {
			return fmt.Errorf("sort on unknown attribute %q", k.Attr)
		}
		keys = append(keys, k)
		hasID = hasID || k.Attr == "id"
	}
	if !hasID {
		asc := false
		if len(keys) > 0 {
			asc = keys[len(keys)-1].Desc
		}
		keys = append(keys, store.SortKey{Attr: "id", Desc: asc})
	}
	if q.Reverse {
		for i := range keys {
			keys[i].Desc = !keys[i].Desc
		}
	}
	if q.Marker != "" {
		cols := make([]string, len(keys))
		sel := make([]string, len(keys))
		for i, k := range keys {
			cols[i] = tb.attrs[k.Attr]
			sel[i] = "t." + cols[i]
		}
		vals := make([]any, len(keys))
		ptrs := make([]any, len(keys))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		// The marker is read in the list's project scope: one the caller
		// cannot see is one that does not exist (ignored), so that where
		// another project's row sorts never shows.
		markerSQL, markerArgs := "SELECT "+strings.Join(sel, ", ")+" FROM "+tb.name+" t WHERE t.id = ?", []any{q.Marker}
		if q.Project != "" {
			scope := tb.scope()
			markerSQL += " AND (" + scope + ")"
			for range strings.Count(scope, "?") {
				markerArgs = append(markerArgs, q.Project)
			}
		}
		err := t.QueryRow(markerSQL, markerArgs...).Scan(ptrs...)
		if err == nil {
			// (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...
			var ors []string
			for i := range keys {
				var ands []string
				for j := 0; j < i; j++ {
					ands = append(ands, "t."+cols[j]+" = ?")
					args = append(args, vals[j])
				}
				op := ">"
				if keys[i].Desc {
					op = "<"
				}
				ands = append(ands, "t."+cols[i]+" "+op+" ?")
				args = append(args, vals[i])
				ors = append(ors, "("+strings.Join(ands, " AND ")+")")
			}
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(tb.columns)
	b.WriteString(" FROM ")
	b.WriteString(tb.name)
	b.WriteString(" t")
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	b.WriteString(" ORDER BY ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("t." + tb.attrs[k.Attr])
		if k.Desc {
			b.WriteString(" DESC")
		}
	}
	if q.Limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", q.Limit)
	}
	rows, err := t.Query(b.String(), args...)
	if err != nil {
		return mapErr(err, "listing "+tb.name)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// stdAttrs are the standard attributes' columns, shared by every table.
var stdAttrs = map[string]string{
	"description":     "description",
	"created_at":      "created_at",
	"updated_at":      "updated_at",
	"revision_number": "revision_number",
}

func attrs(m map[string]string) map[string]string {
	out := map[string]string{"id": "id", "project_id": "project_id", "tenant_id": "project_id"}
	for k, v := range stdAttrs {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// reverse reverses a slice in place (page_reverse pages are read backwards).
func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// inIDs renders "col IN (?,?,..)" for ids.
func inIDs(col string, ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}
