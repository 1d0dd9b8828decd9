package output

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with everything that could drive a terminal written
// as an escape sequence instead: C0 controls but newline and tab (ESC, BEL,
// carriage return, backspace...), DEL, C1 controls, the bidirectional
// overrides that reorder what a reader sees, and bytes that are not UTF-8.
// Text comes from servers, so a name must never clear the screen, retitle
// the window or hide the characters around it.
func Printable(s string) string {
	i := strings.IndexFunc(s, needsEscape)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case needsEscape(r) && r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

func needsEscape(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// PrintableWriter passes what is written to w through Printable: the last
// guard of a terminal, behind the formats that escape their cells
// themselves. A character split between two writes is kept until the
// next one; Flush writes what is left.
func PrintableWriter(w io.Writer) *Printer { return &Printer{w: w} }

// Printer is a PrintableWriter.
type Printer struct {
	w       io.Writer
	pending []byte // the start of a character cut by the end of a write
}

// Write escapes b and writes it.
func (p *Printer) Write(b []byte) (int, error) {
	buf := append(p.pending, b...)
	keep := incompleteTail(buf)
	p.pending = append([]byte(nil), buf[len(buf)-keep:]...)
	if _, err := io.WriteString(p.w, Printable(string(buf[:len(buf)-keep]))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Flush writes the bytes held back, escaped.
func (p *Printer) Flush() error {
	if len(p.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(p.w, Printable(string(p.pending)))
	p.pending = nil
	return err
}

// incompleteTail is how many bytes at the end of b start a UTF-8 character
// that the next write may complete.
func incompleteTail(b []byte) int {
	for n := 1; n <= utf8.UTFMax-1 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}

// text is how the text formats (table, value, csv, shell) print a value:
// Python's str(), made printable.
func text(v any) string { return Printable(PyStr(v)) }
