// Package jsonv decodes request bodies into generic JSON values that keep
// the order of object keys and the exact text of numbers, and renders
// values the way Python's str() and repr() do.
//
// The original server embeds Python renderings of request values in its
// error messages ("No valid key specs matched for: {'type': 'prefix'}"), so
// keeping key order and number text lets us say the same thing. Decoding is
// bounded in depth and never panics on input.
package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Value is one of: nil, bool, string, Number, []Value, *Object.
type Value = any

// Number is a JSON number kept as its text.
type Number string

// Int returns the number as an int64 if it is an integer literal.
func (n Number) Int() (int64, bool) {
	i, err := strconv.ParseInt(string(n), 10, 64)
	return i, err == nil
}

// IsFloat reports whether the literal has a fraction or exponent (Python
// json decodes it as a float).
func (n Number) IsFloat() bool { return strings.ContainsAny(string(n), ".eE") }

// Object is a JSON object with its keys in document order. A repeated key
// keeps its first position and its last value, as Python's json does.
type Object struct {
	Keys []string
	vals map[string]Value
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{vals: map[string]Value{}} }

// Get returns the value for k and whether it is present.
func (o *Object) Get(k string) (Value, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// Has reports whether k is present.
func (o *Object) Has(k string) bool { _, ok := o.vals[k]; return ok }

// Set adds or replaces k.
func (o *Object) Set(k string, v Value) {
	if _, ok := o.vals[k]; !ok {
		o.Keys = append(o.Keys, k)
	}
	o.vals[k] = v
}

// Delete removes k.
func (o *Object) Delete(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.Keys {
		if key == k {
			o.Keys = append(o.Keys[:i], o.Keys[i+1:]...)
			break
		}
	}
}

// Len is the number of keys.
func (o *Object) Len() int { return len(o.Keys) }

// MaxDepth bounds nesting so that a hostile body cannot exhaust the stack.
const MaxDepth = 64

// ErrSyntax is returned (wrapped) for any body that is not one JSON value.
var ErrSyntax = errors.New("malformed JSON")

// Decode parses exactly one JSON value from data.
func Decode(data []byte) (Value, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrSyntax)
	}
	return v, nil
}

func decodeValue(d *json.Decoder, depth int) (Value, error) {
	if depth > MaxDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject()
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			l := []Value{}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return Number(t), nil
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// Str renders v like Python's str(): strings bare, everything else as repr.
func Str(v Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr renders v like Python's repr() of what json.loads would return.
func Repr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value) {
	switch t := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if t {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case Number:
		b.WriteString(pyNumber(t))
	case string:
		b.WriteString(pyString(t))
	case []Value:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case *Object:
		b.WriteByte('{')
		for i, k := range t.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyString(k))
			b.WriteString(": ")
			writeRepr(b, t.vals[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, t)
	}
}

func pyNumber(n Number) string {
	if !n.IsFloat() {
		return string(n)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return string(n)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}

// pyString quotes like Python: single quotes unless the text has a single
// quote and no double quote.
func pyString(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// HasNUL reports whether a string of v, or a key of its objects, holds a
// NUL character: valid JSON ("\u0000") that no database keeps alike.
func HasNUL(v Value) bool {
	switch t := v.(type) {
	case string:
		return strings.IndexByte(t, 0) >= 0
	case []Value:
		for _, e := range t {
			if HasNUL(e) {
				return true
			}
		}
	case *Object:
		for _, k := range t.Keys {
			if strings.IndexByte(k, 0) >= 0 || HasNUL(t.vals[k]) {
				return true
			}
		}
	}
	return false
}
