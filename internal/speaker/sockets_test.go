package speaker

import (
	"net/netip"
	"testing"
)

func TestSessionConnMatches(t *testing.T) {
	ap := netip.MustParseAddrPort
	known := sessionConn{local: ap("127.0.0.12:40000"), remote: ap("127.0.0.11:179")}
	passive := sessionConn{local: netip.AddrPortFrom(netip.IPv4Unspecified(), 179), remote: ap("127.0.0.12:40000")}
	for _, tc := range []struct {
		name   string
		c      sessionConn
		socket sessionConn
		want   bool
	}{
		{"same addresses", known, known, true},
		{"other local port", known, sessionConn{local: ap("127.0.0.12:40001"), remote: ap("127.0.0.11:179")}, false},
		{"other local address", known, sessionConn{local: ap("127.0.0.13:40000"), remote: ap("127.0.0.11:179")}, false},
		{"other remote port", known, sessionConn{local: ap("127.0.0.12:40000"), remote: ap("127.0.0.11:180")}, false},
		{"unknown local address: any", passive, sessionConn{local: ap("127.0.0.11:179"), remote: ap("127.0.0.12:40000")}, true},
		{"unknown local address, other port", passive, sessionConn{local: ap("127.0.0.11:1179"), remote: ap("127.0.0.12:40000")}, false},
		// The other end of the same connection, in the same process.
		{"the peer's socket", known, sessionConn{local: ap("127.0.0.11:179"), remote: ap("127.0.0.12:40000")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.matches(tc.socket); got != tc.want {
				t.Errorf("%v.matches(%v) = %v, want %v", tc.c, tc.socket, got, tc.want)
			}
		})
	}
}
