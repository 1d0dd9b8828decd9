package output

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain name", "plain name"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"\x1b[2J\x1b]0;title\x07", `\x1b[2J\x1b]0;title\x07`},
		{"over\rwrite\bback", `over\x0dwrite\x08back`},
		{"del\x7f nul\x00", `del\x7f nul\x00`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202eevil\u2066", `bidi \u202eevil\u2066`},
		{"not utf-8 \xff\xfe", `not utf-8 \xff\xfe`},
		{"réseau ✓ 网络", "réseau ✓ 网络"},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Printable(Printable(tc.in)); again != tc.want {
			t.Errorf("Printable is not idempotent on %q: %q", tc.in, again)
		}
	}
}

// TestPrinterSplitWrites: a character cut between two writes is printed
// whole, an escape cut likewise escaped.
func TestPrinterSplitWrites(t *testing.T) {
	const in = "a✓b\x1b[2Jé网"
	for cut := 0; cut <= len(in); cut++ {
		var b strings.Builder
		p := PrintableWriter(&b)
		p.Write([]byte(in[:cut]))
		p.Write([]byte(in[cut:]))
		p.Flush()
		if want := `a✓b\x1b[2Jé网`; b.String() != want {
			t.Errorf("written in two at %d: %q, want %q", cut, b.String(), want)
		}
	}
	var b strings.Builder
	p := PrintableWriter(&b)
	p.Write([]byte("x\xe2\x9c"))
	p.Flush()
	if want := `x\xe2\x9c`; b.String() != want {
		t.Errorf("an unfinished character at the end: %q, want %q", b.String(), want)
	}
}
