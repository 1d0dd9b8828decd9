package output

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table is a prettytable-style grid: padding of one space, a frame of
// +-| characters, cells wrapped to a column's maximum width.
type table struct {
	fields   []string
	align    []byte // 'l', 'r' or 'c' per column
	maxWidth []int  // 0: unlimited
	rows     [][]string
}

func newTable(fields []string) *table {
	t := &table{fields: fields, align: make([]byte, len(fields)), maxWidth: make([]int, len(fields))}
	for i := range t.align {
		t.align[i] = 'c' // prettytable's default, kept when there is no row
	}
	return t
}

func textWidth(s string) int { return utf8.RuneCountInString(s) }

// size returns the width and height of a multi-line cell.
func size(s string) (int, int) {
	lines := strings.Split(s, "\n")
	w := 0
	for _, l := range lines {
		w = max(w, textWidth(l))
	}
	return w, len(lines)
}

func (t *table) widths() []int {
	w := make([]int, len(t.fields))
	for i, f := range t.fields {
		w[i], _ = size(f)
	}
	for _, r := range t.rows {
		for i, c := range r {
			cw, _ := size(c)
			if t.maxWidth[i] > 0 {
				cw = min(cw, t.maxWidth[i])
			}
			w[i] = max(w[i], cw)
		}
	}
	return w
}

func justify(s string, width int, align byte) string {
	excess := width - textWidth(s)
	if excess <= 0 {
		return s
	}
	switch align {
	case 'l':
		return s + strings.Repeat(" ", excess)
	case 'r':
		return strings.Repeat(" ", excess) + s
	}
	// Centre like Python's str.center: the odd space goes right for text of
	// odd length, left for even.
	left := excess / 2
	if excess%2 == 1 && textWidth(s)%2 == 0 {
		left++
	}
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", excess-left)
}

func (t *table) hrule(w []int) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, n := range w {
		b.WriteString(strings.Repeat("-", n+2))
		b.WriteByte('+')
	}
	return b.String()
}

// String renders the table; an empty table renders as "" unless printEmpty.
func (t *table) String(printEmpty bool) string {
	if len(t.rows) == 0 && !printEmpty {
		return ""
	}
	w := t.widths()
	rule := t.hrule(w)
	var b strings.Builder
	b.WriteString(rule)
	b.WriteString("\n|")
	for i, f := range t.fields {
		b.WriteString(" " + justify(f, w[i], t.align[i]) + " |")
	}
	b.WriteString("\n" + rule)
	for _, r := range t.rows {
		cells := make([][]string, len(r))
		height := 0
		for i, c := range r {
			var lines []string
			for _, l := range strings.Split(c, "\n") {
				if textWidth(l) > w[i] {
					l = wrapText(l, w[i])
				}
				lines = append(lines, strings.Split(l, "\n")...)
			}
			cells[i] = lines
			height = max(height, len(lines))
		}
		for y := range height {
			b.WriteString("\n|")
			for i := range cells {
				line := ""
				if y < len(cells[i]) {
					line = cells[i][y]
				}
				b.WriteString(" " + justify(line, w[i], t.align[i]) + " |")
			}
		}
	}
	if len(t.rows) > 0 {
		b.WriteString("\n" + rule)
	}
	return b.String()
}

// alignFor is cliff's choice of alignment from the first row's values:
// numbers right, everything else left.
func alignFor(v any) byte {
	switch v.(type) {
	case int, int64, float64:
		return 'r'
	}
	return 'l'
}

// fitWidths gives columns a maximum width so that the table fits termWidth,
// the way cliff's table formatter shares the width out.
func (t *table) fitWidths(termWidth, minWidth int) {
	if termWidth <= 0 {
		return
	}
	w := t.widths()
	first := t.hrule(w)
	if textWidth(first) <= termWidth {
		return
	}
	n := len(t.fields)
	usable := max(0, termWidth-1-3*n)
	optimal := 0
	if n > 0 {
		optimal = max(0, usable/n)
	}
	var shrink []int
	remaining := usable
	for i := range t.fields {
		if w[i] <= optimal {
			remaining -= w[i]
		} else {
			shrink = append(shrink, i)
		}
	}
	if len(shrink) == 0 {
		return
	}
	to := remaining / len(shrink)
	for _, i := range shrink[:len(shrink)-1] {
		t.maxWidth[i] = max(minWidth, to)
		remaining -= to
	}
	t.maxWidth[shrink[len(shrink)-1]] = max(minWidth, remaining)
}

func (o Options) termWidth() int {
	if o.MaxWidth > 0 {
		return o.MaxWidth
	}
	if o.FitWidth {
		return o.TermWidth
	}
	return 0
}

func (o Options) tableOne(w io.Writer, columns []string, values []any) error {
	t := newTable([]string{"Field", "Value"})
	t.align[0], t.align[1] = 'l', 'l'
	for i, c := range columns {
		t.rows = append(t.rows, []string{human(c), human(values[i])})
	}
	t.fitWidths(o.termWidth(), 16)
	_, err := io.WriteString(w, t.String(false)+"\n")
	return err
}

func (o Options) tableList(w io.Writer, columns []string, rows [][]any) error {
	t := newTable(columns)
	if len(rows) > 0 {
		for i, v := range rows[0] {
			t.align[i] = alignFor(v)
		}
	}
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = human(v)
		}
		t.rows = append(t.rows, cells)
	}
	t.fitWidths(o.termWidth(), 8)
	_, err := io.WriteString(w, t.String(o.PrintEmpty)+"\n")
	return err
}
