package config

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is against what Load, Parse and Set
// return.
var (
	// ErrSyntax marks a line that is not valid INI (oslo iniparser rules).
	ErrSyntax = errors.New("syntax error")
	// ErrInvalidValue marks a value that does not fit its option's type,
	// bounds or choices.
	ErrInvalidValue = errors.New("invalid value")
	// ErrRequired marks a required option that no file set.
	ErrRequired = errors.New("required option not set")
	// ErrUnknownOption marks a Set call for an option the schema lacks.
	ErrUnknownOption = errors.New("unknown option")
)

// Error is one problem found in a configuration file. Load and Parse join
// all of them with errors.Join; use errors.As to get at one.
type Error struct {
	File    string // as passed to Load or Parse; "" when not tied to a file
	Line    int    // 1-based; 0 when not tied to a line
	Section string // "" for syntax errors
	Name    string // option name as written; "" for syntax errors
	Err     error  // wraps one of the sentinel errors
}

func (e *Error) Error() string {
	var prefix string
	switch {
	case e.File != "" && e.Line > 0:
		prefix = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	case e.File != "":
		prefix = e.File + ": "
	}
	if e.Name != "" {
		prefix += fmt.Sprintf("[%s] %s: ", e.Section, e.Name)
	}
	return prefix + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// kindError is a message that matches one of the sentinel errors with
// errors.Is without repeating the sentinel's text, so messages read like
// "'abc' is not an integer" rather than "invalid value: 'abc' is not ...".
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func syntaxErrorf(format string, args ...any) error {
	return &kindError{kind: ErrSyntax, msg: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error {
	return &kindError{kind: ErrInvalidValue, msg: fmt.Sprintf(format, args...)}
}

// quoteValue renders a value from a file for an error message: in single
// quotes like oslo does when it is plain text, Go-quoted when it holds
// control characters, and shortened when long.
func quoteValue(s string) string {
	const maxLen = 60
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == '\'' || r == 0xfffd {
			return fmt.Sprintf("%q", s)
		}
	}
	return "'" + s + "'"
}
