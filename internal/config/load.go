package config

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Load parses the files in order, like oslo.config's repeated
// --config-file: for a given option the last file that sets it wins, while
// Multi options accumulate the values of every file. Every value of a known
// option is validated, in every file, and all problems come back at once as
// an errors.Join of *Error (and file-opening errors, which wrap the os
// error, e.g. fs.ErrNotExist). On error the returned Values is nil.
func (s *Schema) Load(paths ...string) (*Values, error) {
	l := s.newLoader()
	for i, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			l.errs = append(l.errs, fmt.Errorf("opening config file: %w", err))
			continue
		}
		l.read(i, path, f)
		f.Close()
	}
	return l.finish()
}

// Parse is Load for one file already in memory; name is used in messages.
func (s *Schema) Parse(name string, r io.Reader) (*Values, error) {
	l := s.newLoader()
	l.read(0, name, r)
	return l.finish()
}

// loader accumulates the values of successive files.
type loader struct {
	v    *Values
	errs []error
}

func (s *Schema) newLoader() *loader {
	return &loader{v: &Values{schema: s, slots: map[optKey]*slot{}}}
}

func (l *loader) read(fileIndex int, name string, r io.Reader) {
	assigns, errs := parseINI(name, r)
	l.errs = append(l.errs, errs...)
	for _, a := range assigns {
		l.assign(fileIndex, name, a)
	}
}

func (l *loader) assign(fileIndex int, name string, a assignment) {
	s := l.v.schema
	k := newKey(a.section, a.key)
	so, prio := s.byKey[k], 0
	if so == nil {
		so = s.oldNames[k]
		if so == nil {
			l.v.unknown = append(l.v.unknown, fmt.Sprintf("%s:%d: [%s] %s", name, a.line, a.section, a.key))
			return
		}
		prio = 1 + indexOf(so.oldKeys, k)
		l.v.warnings = append(l.v.warnings, fmt.Sprintf("%s:%d: [%s] %s is deprecated, use [%s] %s instead",
			name, a.line, a.section, a.key, so.Section, so.Name))
	}
	tv, err := so.convert(a.value)
	if err != nil {
		l.errs = append(l.errs, &Error{File: name, Line: a.line, Section: a.section, Name: a.key, Err: err})
		return
	}
	l.v.store(so, tv, fileIndex, prio)
}

func (l *loader) finish() (*Values, error) {
	for _, so := range l.v.schema.opts {
		if !so.Required || so.Default != "" {
			continue
		}
		if sl := l.v.slots[so.key]; sl == nil || sl.val.empty {
			l.errs = append(l.errs, &Error{Section: so.Section, Name: so.Name, Err: ErrRequired})
		}
	}
	if err := errors.Join(l.errs...); err != nil {
		return nil, err
	}
	return l.v, nil
}

func indexOf(keys []optKey, k optKey) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}
