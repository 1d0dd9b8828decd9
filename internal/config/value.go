package config

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// typedValue holds one option's value already converted to its type; only
// the field matching the option's Type is meaningful.
type typedValue struct {
	str   string // String, HostAddr; the trimmed text for every scalar type
	int   int64
	bool  bool
	float float64
	list  []string // List and Multi
	addr  netip.Addr
	empty bool // Int, Port or Float written as "": oslo reads it as None
}

// convert turns the text of one assignment into a typed value, checking
// bounds and choices. Errors match ErrInvalidValue and do not show the
// value of a Secret option.
func (o *schemaOpt) convert(raw string) (typedValue, error) {
	v, err := o.convertValue(raw)
	if err != nil && o.Secret {
		return typedValue{}, invalidf("value is not a valid %v", o.Type)
	}
	return v, err
}

func (o *schemaOpt) convertValue(raw string) (typedValue, error) {
	switch o.Type {
	case String:
		if len(o.Choices) > 0 && !slices.Contains(o.Choices, raw) {
			return typedValue{}, invalidf("%s is not one of %s", quoteValue(raw), strings.Join(o.Choices, ", "))
		}
		return typedValue{str: raw}, nil
	case Multi:
		return typedValue{str: raw, list: []string{raw}}, nil
	case List:
		return typedValue{str: raw, list: splitList(raw)}, nil
	}
	s := strings.TrimSpace(raw)
	v := typedValue{str: s}
	switch o.Type {
	case Int, Port:
		if s == "" {
			v.empty = true
			return v, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, invalidf("%s is not an integer", quoteValue(raw))
		}
		if err := o.checkBounds(n); err != nil {
			return v, err
		}
		v.int = n
	case Float:
		if s == "" {
			v.empty = true
			return v, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return v, invalidf("%s is not a number", quoteValue(raw))
		}
		v.float = f
	case Bool:
		b, ok := parseBool(s)
		if !ok {
			return v, invalidf("%s is not a boolean (true/false, yes/no, on/off, 1/0)", quoteValue(raw))
		}
		v.bool = b
	case IPAddr:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return v, invalidf("%s is not an IP address", quoteValue(raw))
		}
		v.addr = a
	case HostAddr:
		if a, err := netip.ParseAddr(s); err == nil {
			v.addr = a
		} else if !isHostName(s) {
			return v, invalidf("%s is neither an IP address nor a host name", quoteValue(raw))
		}
	}
	return v, nil
}

func (o *schemaOpt) checkBounds(n int64) error {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if o.Type == Port {
		lo, hi = 0, 65535
	}
	if o.Min != nil && *o.Min > lo {
		lo = *o.Min
	}
	if o.Max != nil && *o.Max < hi {
		hi = *o.Max
	}
	if n < lo || n > hi {
		return invalidf("%d is out of range %d..%d", n, lo, hi)
	}
	return nil
}

// parseBool accepts the spellings oslo.config's Boolean type accepts.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// splitList splits on commas and trims each item, like oslo's List type; a
// blank value or trailing commas give no extra items.
func splitList(raw string) []string {
	s := strings.TrimRight(strings.TrimSpace(raw), ",")
	if strings.TrimSpace(s) == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// isHostName reports whether s is a DNS name made of RFC 1123 labels, with
// an optional final dot, as oslo's HostAddress type accepts.
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	// An all-numeric last label would be a malformed IPv4 address.
	last := s[strings.LastIndexByte(s, '.')+1:]
	return strings.Trim(last, "0123456789") != ""
}
