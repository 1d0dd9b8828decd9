package api

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Field is one attribute of a rendered object.
type Field struct {
	Key string
	Val any
}

// Fields is a rendered object with its attributes in response order.
// Values are string, bool, int64, *int64 (null when nil), []string,
// Fields, []Fields, time.Time or json.RawMessage.
type Fields []Field

// Get returns the value of key.
func (f Fields) Get(key string) (any, bool) {
	for _, kv := range f {
		if kv.Key == key {
			return kv.Val, true
		}
	}
	return nil, false
}

// MarshalJSON encodes the fields in order.
func (f Fields) MarshalJSON() ([]byte, error) { return f.appendJSON(nil), nil }

func (f Fields) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, kv := range f {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, kv.Key)
		b = append(b, ": "...)
		b = appendValue(b, kv.Val)
	}
	return append(b, '}')
}

// TimeFormat is how Neutron prints standard-attribute timestamps.
const TimeFormat = "2006-01-02T15:04:05Z"

func appendValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, t)
	case bool:
		return strconv.AppendBool(b, t)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case *int64:
		if t == nil {
			return append(b, "null"...)
		}
		return strconv.AppendInt(b, *t, 10)
	case []string:
		b = append(b, '[')
		for i, s := range t {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case Fields:
		return t.appendJSON(b)
	case []Fields:
		b = append(b, '[')
		for i, f := range t {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = f.appendJSON(b)
		}
		return append(b, ']')
	case time.Time:
		return appendString(b, t.UTC().Format(TimeFormat))
	case json.RawMessage:
		return append(b, t...)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string, escaping like encoding/json
// (without HTML escaping).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
