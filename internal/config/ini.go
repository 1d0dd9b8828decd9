package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// assignment is one "key = value" found in a file, continuation lines
// included.
type assignment struct {
	line    int    // line of the key
	section string // as written between the brackets
	key     string
	value   string // continuation lines joined with "\n"
}

// iniParser follows oslo.config's iniparser line by line, except that it
// goes on after a bad line so that one run reports every problem.
type iniParser struct {
	file       string
	section    string
	hasSection bool // a valid header was seen; false also after a bad one
	badSection bool // the current header was invalid: drop its options quietly

	pending  *assignment // the assignment continuation lines extend
	skipping bool        // swallow continuation lines of a rejected line

	assigns []assignment
	errs    []error
}

// parseINI reads r and returns the assignments found, in file order, and
// every syntax error (as *Error with File set to name). A read error is
// returned as the last error.
func parseINI(name string, r io.Reader) ([]assignment, []error) {
	p := &iniParser{file: name}
	br := bufio.NewReader(r)
	for lineno := 1; ; lineno++ {
		line, err := br.ReadString('\n')
		if line != "" {
			if lineno == 1 {
				line = strings.TrimPrefix(line, "\ufeff")
			}
			p.line(lineno, line)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.flush()
			return p.assigns, append(p.errs, fmt.Errorf("reading %s: %w", name, err))
		}
	}
	p.flush()
	return p.assigns, p.errs
}

func (p *iniParser) errorf(lineno int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: lineno, Err: syntaxErrorf(format, args...)})
}

func (p *iniParser) line(lineno int, line string) {
	line = strings.TrimRightFunc(line, unicode.IsSpace)
	if !utf8.ValidString(line) {
		p.flush()
		p.skipping = true
		p.errorf(lineno, "line is not valid UTF-8")
		return
	}
	switch {
	case line == "":
		// A blank line ends a multi-line value.
		p.flush()
		p.skipping = false
	case line[0] == ' ' || line[0] == '\t':
		switch {
		case p.pending != nil:
			p.pending.value += "\n" + strings.TrimLeftFunc(line, unicode.IsSpace)
		case !p.skipping:
			p.errorf(lineno, "unexpected continuation line")
			p.skipping = true
		}
	case line[0] == '[':
		p.flush()
		p.skipping = false
		p.header(lineno, line)
	case line[0] == '#' || line[0] == ';':
		p.flush()
		p.skipping = false
	default:
		p.flush()
		p.skipping = false
		p.keyValue(lineno, line)
	}
}

func (p *iniParser) header(lineno int, line string) {
	p.badSection = true
	switch {
	case line[len(line)-1] != ']':
		p.errorf(lineno, "invalid section header %s (must end with ])", quoteValue(line))
	case len(line) <= 2:
		p.errorf(lineno, "empty section name")
	default:
		p.section, p.hasSection, p.badSection = line[1:len(line)-1], true, false
	}
}

func (p *iniParser) keyValue(lineno int, line string) {
	i := strings.IndexAny(line, ":=")
	if i < 0 {
		p.errorf(lineno, "no ':' or '=' in %s", quoteValue(line))
		p.skipping = true
		return
	}
	key := strings.TrimSpace(line[:i])
	if key == "" {
		p.errorf(lineno, "key cannot be empty")
		p.skipping = true
		return
	}
	p.pending = &assignment{line: lineno, section: p.section, key: key, value: unquote(strings.TrimSpace(line[i+1:]))}
}

// flush completes the pending assignment.
func (p *iniParser) flush() {
	a := p.pending
	p.pending = nil
	switch {
	case a == nil, p.badSection:
	case !p.hasSection:
		p.errorf(a.line, "option %s appears before any [section] header", a.key)
	default:
		p.assigns = append(p.assigns, *a)
	}
}

// unquote strips one pair of matching single or double quotes, as oslo
// does; a lone quote character becomes the empty string, as it does there.
func unquote(v string) string {
	if v == "" || (v[0] != '"' && v[0] != '\'') || v[len(v)-1] != v[0] {
		return v
	}
	if len(v) == 1 {
		return ""
	}
	return v[1 : len(v)-1]
}
