// Package rtrd parses and prints BGP route targets and route distinguishers
// in the textual forms of RFC 4364 §4.2 that the BGPVPN API accepts.
//
// The grammar is exactly networking-bgpvpn's RTRD_REGEX, anchored:
//
//	<0..65535>:<0..4294967295>         type 0, 2-byte ASN : 4-byte number
//	<a.b.c.d>:<0..65535>               type 1, IPv4 address : 2-byte number
//	<0..4294967295>:<0..65535>         type 2, 4-byte ASN : 2-byte number
//
// Numbers have no sign, no leading zeros and no surrounding spaces. A value
// that fits both type 0 and type 2 (for example 64512:1) is type 0, as the
// regex alternation decides. Unlike Python's re.match with "$", a trailing
// newline is refused. This package must never accept a string that the
// original refuses.
package rtrd

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Kind is the RFC 4364 type field of a route distinguisher (and of the
// matching route-target extended community subtype).
type Kind uint8

// The three kinds of administrator field.
const (
	TwoOctetAS  Kind = 0
	IPv4Address Kind = 1
	FourOctetAS Kind = 2
)

// Value is a parsed route target or route distinguisher.
type Value struct {
	Kind Kind
	// ASN is the administrator for TwoOctetAS and FourOctetAS.
	ASN uint32
	// IP is the administrator for IPv4Address.
	IP netip.Addr
	// Number is the assigned number.
	Number uint32
}

// ErrSyntax is returned (wrapped) for every string outside the grammar.
var ErrSyntax = errors.New("not a valid route target or route distinguisher")

// Parse parses s, which must match the grammar exactly.
func Parse(s string) (Value, error) {
	admin, assigned, ok := strings.Cut(s, ":")
	if !ok {
		return Value{}, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	n, ok := decimal(assigned)
	if !ok {
		return Value{}, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	if strings.Contains(admin, ".") {
		ip, ok := ipv4(admin)
		if !ok || n > 0xffff {
			return Value{}, fmt.Errorf("%q: %w", s, ErrSyntax)
		}
		return Value{Kind: IPv4Address, IP: ip, Number: uint32(n)}, nil
	}
	asn, ok := decimal(admin)
	switch {
	case !ok:
	case asn <= 0xffff:
		return Value{Kind: TwoOctetAS, ASN: uint32(asn), Number: uint32(n)}, nil
	case n <= 0xffff:
		return Value{Kind: FourOctetAS, ASN: uint32(asn), Number: uint32(n)}, nil
	}
	return Value{}, fmt.Errorf("%q: %w", s, ErrSyntax)
}

// MustParse is Parse for constants in tests and defaults; it panics on error.
func MustParse(s string) Value {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Valid reports whether s matches the grammar.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// String prints v in the canonical text form, which Parse accepts.
func (v Value) String() string {
	var admin string
	if v.Kind == IPv4Address {
		admin = v.IP.String()
	} else {
		admin = strconv.FormatUint(uint64(v.ASN), 10)
	}
	return admin + ":" + strconv.FormatUint(uint64(v.Number), 10)
}

// decimal parses an unsigned 32-bit decimal without sign or leading zeros.
func decimal(s string) (uint64, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 0xffffffff {
		return 0, false
	}
	return n, true
}

// ipv4 parses a dotted quad whose octets follow the same no-leading-zero rule.
func ipv4(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := range 4 {
		part := s
		if i < 3 {
			var ok bool
			part, s, ok = strings.Cut(s, ".")
			if !ok {
				return netip.Addr{}, false
			}
		}
		n, ok := decimal(part)
		if !ok || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}
