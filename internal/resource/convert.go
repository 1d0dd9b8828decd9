package resource

import (
	"math"
	"strconv"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
)

// String accepts a JSON string of at most maxLen characters (type:string).
func String(maxLen int) Convert {
	return func(v jsonv.Value) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, Invalidf("'%s' is not a valid string", jsonv.Str(v))
		}
		if maxLen > 0 && len([]rune(s)) > maxLen {
			return nil, Invalidf("'%s' exceeds maximum length of %d", s, maxLen)
		}
		return s, nil
	}
}

// StringOrNone is String that also accepts null (returned as "").
func StringOrNone(maxLen int) Convert {
	str := String(maxLen)
	return func(v jsonv.Value) (any, error) {
		if v == nil {
			return "", nil
		}
		return str(v)
	}
}

// Values accepts one of the given strings exactly (type:values).
func Values(valid ...string) Convert {
	return func(v jsonv.Value) (any, error) {
		if s, ok := v.(string); ok {
			for _, x := range valid {
				if s == x {
					return s, nil
				}
			}
		}
		return nil, Invalidf("%s is not in valid_values", jsonv.Str(v))
	}
}

// ToList is neutron-lib's convert_to_list: null is [], a list is itself, an
// object is its keys, anything else a one-element list.
func ToList(v jsonv.Value) []jsonv.Value {
	switch t := v.(type) {
	case nil:
		return []jsonv.Value{}
	case []jsonv.Value:
		return t
	case *jsonv.Object:
		l := make([]jsonv.Value, len(t.Keys))
		for i, k := range t.Keys {
			l[i] = k
		}
		return l
	}
	return []jsonv.Value{v}
}

// Duplicates returns the items that appear more than once, once each, in
// order of their second appearance, compared by their Python rendering.
func Duplicates(l []jsonv.Value) []string {
	seen := make(map[string]bool, len(l))
	var dups []string
	reported := map[string]bool{}
	for _, v := range l {
		k := jsonv.Repr(v)
		if seen[k] && !reported[k] {
			dups = append(dups, jsonv.Str(v))
			reported[k] = true
		}
		seen[k] = true
	}
	return dups
}

// StringList converts with ToList and validates every item as a string
// accepted by valid, refusing duplicates (list_of_regex_or_none).
func StringList(valid func(string) bool) Convert {
	return func(v jsonv.Value) (any, error) {
		l := ToList(v)
		if d := Duplicates(l); len(d) > 0 {
			return nil, Invalidf("Duplicate items in the list: '%s'", strings.Join(d, ", "))
		}
		out := make([]string, 0, len(l))
		for _, item := range l {
			s, ok := item.(string)
			if !ok || !valid(s) {
				return nil, Invalidf("'%s' is not a valid input", jsonv.Str(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
}

// pyInt is Python's int() applied to a decoded JSON value.
func pyInt(v jsonv.Value) (int64, bool) {
	switch t := v.(type) {
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case jsonv.Number:
		if i, ok := t.Int(); ok {
			return i, true
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1<<62 {
			return 0, false
		}
		return int64(f), true
	case string:
		s := strings.TrimSpace(t)
		s = strings.TrimPrefix(s, "+")
		i, err := strconv.ParseInt(s, 10, 64)
		return i, err == nil && s != "" && !strings.HasPrefix(s, "+")
	}
	return 0, false
}

// IntRange accepts an integer (or what Python's int() turns into one) in
// [min, max], or null when orNone. With convertFirst, a value that is not an
// integer is refused by the converter (InvalidInput, as for vni); otherwise
// by the validator (HTTPBadRequest, as for local_pref). The result is *int64.
func IntRange(min, max int64, orNone, convertFirst bool) Convert {
	return func(v jsonv.Value) (any, error) {
		if v == nil && orNone {
			return (*int64)(nil), nil
		}
		i, ok := pyInt(v)
		if !ok {
			if convertFirst {
				return nil, fault.InvalidInput("'" + jsonv.Str(v) + "' is not an integer")
			}
			return nil, Invalidf("'%s' is not an integer", jsonv.Str(v))
		}
		if i < min {
			return nil, Invalidf("'%d' is too small - must be at least '%d'", i, min)
		}
		if i > max {
			return nil, Invalidf("'%d' is too large - must be no larger than '%d'", i, max)
		}
		return &i, nil
	}
}

// ToBool is neutron-lib's convert_to_boolean.
func ToBool(v jsonv.Value) (any, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(t) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	case jsonv.Number:
		switch string(t) {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
	}
	return nil, fault.InvalidInput("'" + jsonv.Str(v) + "' cannot be converted to boolean")
}

// UUID accepts a UUID in any of the forms Python's uuid.UUID reads.
func UUID(v jsonv.Value) (any, error) {
	s, ok := v.(string)
	if !ok || !IsUUID(s) {
		return nil, Invalidf("'%s' is not a valid UUID", jsonv.Str(v))
	}
	return s, nil
}

// UUIDOrNone is UUID that also accepts null (returned as "").
func UUIDOrNone(v jsonv.Value) (any, error) {
	if v == nil {
		return "", nil
	}
	return UUID(v)
}

// IsUUID reports whether s is a UUID: 32 hex digits, optionally in the
// 8-4-4-4-12 dashed form.
func IsUUID(s string) bool {
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	case 32:
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
