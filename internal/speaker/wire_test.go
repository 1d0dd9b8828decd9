package speaker

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/osrg/gobgp/v4/pkg/packet/bgp"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

// rawPeer is a BGP peer written by hand, so that a test controls every
// byte on the wire: how messages are cut into TCP segments, and malformed
// attributes no real implementation would send.
type rawPeer struct {
	t    *testing.T
	conn *net.TCPConn
	wmu  sync.Mutex

	mu            sync.Mutex
	notifications []string
}

// dialRaw connects from local to the speaker at remote:port, exchanges
// OPENs (VPNv4, 4-byte ASN) and KEEPALIVEs, and keeps the session alive.
func dialRaw(t *testing.T, local, remote netip.Addr, port int32) *rawPeer {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local.AsSlice()}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", net.JoinHostPort(remote.String(), fmt.Sprint(port)))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	p := &rawPeer{t: t, conn: c.(*net.TCPConn)}
	t.Cleanup(func() { p.conn.Close() })
	p.conn.SetNoDelay(true)
	caps := []bgp.ParameterCapabilityInterface{bgp.NewCapMultiProtocol(bgp.RF_IPv4_VPN), bgp.NewCapFourOctetASNumber(64512), bgp.NewCapRouteRefresh()}
	open, err := bgp.NewBGPOpenMessage(64512, 30, local, []bgp.OptionParameterInterface{bgp.NewOptionParameterCapability(caps)})
	if err != nil {
		t.Fatal(err)
	}
	p.send(open)
	// The speaker answers with its OPEN and a KEEPALIVE.
	for _, want := range []uint8{bgp.BGP_MSG_OPEN, bgp.BGP_MSG_KEEPALIVE} {
		typ, body := p.read()
		if typ != want {
			t.Fatalf("got message type %d (%x), want %d", typ, body, want)
		}
	}
	p.send(bgp.NewBGPKeepAliveMessage())
	done := make(chan struct{})
	go p.readLoop(done)
	go func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p.send(bgp.NewBGPKeepAliveMessage())
			}
		}
	}()
	return p
}

func (p *rawPeer) read() (uint8, []byte) {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	h := make([]byte, bgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(p.conn, h); err != nil {
		p.t.Fatalf("reading a message header: %v", err)
	}
	body := make([]byte, int(binary.BigEndian.Uint16(h[16:18]))-bgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(p.conn, body); err != nil {
		p.t.Fatalf("reading a message body: %v", err)
	}
	return h[18], body
}

// readLoop records the NOTIFICATIONs the speaker sends, until the
// connection closes.
func (p *rawPeer) readLoop(done chan struct{}) {
	defer close(done)
	h := make([]byte, bgp.BGP_HEADER_LENGTH)
	for {
		p.conn.SetReadDeadline(time.Time{})
		if _, err := io.ReadFull(p.conn, h); err != nil {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint16(h[16:18]))-bgp.BGP_HEADER_LENGTH)
		if _, err := io.ReadFull(p.conn, body); err != nil {
			return
		}
		if h[18] == bgp.BGP_MSG_NOTIFICATION {
			p.mu.Lock()
			p.notifications = append(p.notifications, fmt.Sprintf("%x", body))
			p.mu.Unlock()
		}
	}
}

func (p *rawPeer) gotNotifications() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.notifications...)
}

func (p *rawPeer) send(m *bgp.BGPMessage) {
	p.t.Helper()
	b, err := m.Serialize()
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(b)
}

func (p *rawPeer) write(b []byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if _, err := p.conn.Write(b); err != nil {
		p.t.Errorf("write: %v", err)
	}
}

// writeCut writes b in pieces of 1 to 61 bytes with pauses, so that the
// speaker's reads end in the middle of headers and bodies.
func (p *rawPeer) writeCut(b []byte, seed uint64) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	r := rand.New(rand.NewPCG(seed, seed))
	for n := 0; len(b) > 0; n++ {
		k := min(1+r.IntN(61), len(b))
		if _, err := p.conn.Write(b[:k]); err != nil {
			p.t.Errorf("write: %v", err)
			return
		}
		b = b[k:]
		if n%16 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

// vpnUpdate is an UPDATE announcing 10.9.<i/256>.<i%256>/32 with label
// 100+i and RT 64512:900. origin, when not nil, replaces the ORIGIN
// attribute's bytes; extra attributes' bytes are appended.
func vpnUpdate(t *testing.T, i int, origin []byte, extra ...[]byte) []byte {
	t.Helper()
	pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)}), 32)
	nlri, err := bgp.NewLabeledVPNIPAddrPrefix(pfx, *bgp.NewMPLSLabelStack(uint32(100 + i)), bgp.NewRouteDistinguisherTwoOctetAS(64512, 9))
	if err != nil {
		t.Fatal(err)
	}
	mp, err := bgp.NewPathAttributeMpReachNLRI(bgp.RF_IPv4_VPN, []bgp.PathNLRI{{NLRI: nlri}}, netip.MustParseAddr("192.0.2.9"))
	if err != nil {
		t.Fatal(err)
	}
	attrs := []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(0),
		bgp.NewPathAttributeAsPath(nil),
		bgp.NewPathAttributeLocalPref(100),
		bgp.NewPathAttributeExtendedCommunities([]bgp.ExtendedCommunityInterface{bgp.NewTwoOctetAsSpecificExtended(bgp.EC_SUBTYPE_ROUTE_TARGET, 64512, 900, true)}),
		mp,
	}
	var body []byte
	for j, a := range attrs {
		b, err := a.Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if j == 0 && origin != nil {
			b = origin
		}
		body = append(body, b...)
	}
	for _, b := range extra {
		body = append(body, b...)
	}
	msg := make([]byte, 0, bgp.BGP_HEADER_LENGTH+4+len(body))
	for range 16 {
		msg = append(msg, 0xff)
	}
	msg = binary.BigEndian.AppendUint16(msg, uint16(bgp.BGP_HEADER_LENGTH+4+len(body)))
	msg = append(msg, bgp.BGP_MSG_UPDATE, 0, 0) // type, no withdrawn routes
	msg = binary.BigEndian.AppendUint16(msg, uint16(len(body)))
	return append(msg, body...)
}

func vpnKey(t *testing.T, i int) string {
	pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)}), 32)
	r := Route{Family: VPNv4, RD: rtrd.MustParse("64512:9"), Prefix: pfx}
	return r.Key()
}

// rawSession starts a speaker on 127.0.0.13 with a passive peer
// 127.0.0.14 and connects a raw peer from there.
func rawSession(t *testing.T) (*Speaker, *table, *rawPeer) {
	t.Helper()
	ctx := context.Background()
	ip, peer := netip.MustParseAddr("127.0.0.13"), netip.MustParseAddr("127.0.0.14")
	port := freePort(t, ip.String())
	sp, err := Start(ctx, Config{ASN: 64512, RouterID: ip, ListenPort: port, ListenAddresses: []netip.Addr{ip}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sp.Stop)
	if err := sp.AddPeer(ctx, Peer{Address: peer, ASN: 64512, Passive: true, Families: []Family{VPNv4}}); err != nil {
		t.Fatal(err)
	}
	tb := watch(t, sp)
	// GoBGP closes a connection that arrives while the peer is still
	// Idle: dial once it listens for it.
	waitFor(t, 10*time.Second, "the peer Active", func() bool {
		ps, err := sp.Peers(ctx)
		return err == nil && len(ps) == 1 && ps[0].State == "Active"
	})
	p := dialRaw(t, peer, ip, port)
	waitFor(t, 10*time.Second, "session established", func() bool {
		ps, err := sp.Peers(ctx)
		return err == nil && len(ps) == 1 && ps[0].State == "Established"
	})
	return sp, tb, p
}

func established(t *testing.T, sp *Speaker) PeerStatus {
	t.Helper()
	ps, err := sp.Peers(context.Background())
	if err != nil || len(ps) != 1 {
		t.Fatalf("Peers() = %v, %v", ps, err)
	}
	return ps[0]
}

// bagpipe-bgp lost its session when a message arrived split across two
// reads (bagpipe-anchor.md §5, defect 1). Here 300 UPDATEs cut at random
// byte boundaries all arrive, on the same session.
func TestMessagesSplitAcrossReads(t *testing.T) {
	sp, tb, p := rawSession(t)
	before := established(t, sp)
	const n = 300
	var burst []byte
	for i := range n {
		burst = append(burst, vpnUpdate(t, i, nil)...)
	}
	p.writeCut(burst, 7)
	waitFor(t, 15*time.Second, "300 routes", func() bool { return tb.len() == n })
	for _, i := range []int{0, 1, 150, n - 1} {
		r, ok := tb.get(vpnKey(t, i))
		if !ok || r.Label != uint32(100+i) || r.NextHop != netip.MustParseAddr("192.0.2.9") {
			t.Errorf("route %d = %+v, %v; want label %d, next hop 192.0.2.9", i, r, ok, 100+i)
		}
	}
	after := established(t, sp)
	if after.State != "Established" || !after.LastTransition.Equal(before.LastTransition) {
		t.Errorf("session changed state: before %+v, after %+v", before, after)
	}
	if got := p.gotNotifications(); len(got) != 0 {
		t.Errorf("NOTIFICATIONs received: %v", got)
	}
}

// RFC 7606: an UPDATE with a malformed ORIGIN (length 2) withdraws its
// route instead of resetting the session; a malformed AGGREGATOR (length
// 3) is dropped and the route kept. Both are counted.
func TestMalformedUpdate(t *testing.T) {
	sp, tb, p := rawSession(t)
	before := established(t, sp)
	p.write(vpnUpdate(t, 1, nil))
	p.write(vpnUpdate(t, 2, nil))
	waitFor(t, 10*time.Second, "two routes", func() bool { return tb.len() == 2 })

	badOrigin := []byte{0x40, byte(bgp.BGP_ATTR_TYPE_ORIGIN), 2, 0, 0}
	p.write(vpnUpdate(t, 1, badOrigin))
	waitFor(t, 10*time.Second, "route 1 treated as withdrawn", func() bool { _, ok := tb.get(vpnKey(t, 1)); return !ok })
	waitFor(t, 5*time.Second, "the treat-as-withdraw counted", func() bool { return sp.UpdateErrors().TreatAsWithdraw == 1 })

	badAggregator := []byte{0xc0, byte(bgp.BGP_ATTR_TYPE_AGGREGATOR), 3, 0, 1, 2}
	p.write(vpnUpdate(t, 3, nil, badAggregator))
	waitFor(t, 10*time.Second, "route 3 kept without its aggregator", func() bool { _, ok := tb.get(vpnKey(t, 3)); return ok })
	waitFor(t, 5*time.Second, "the attribute discard counted", func() bool { return sp.UpdateErrors().AttributeDiscard == 1 })

	if _, ok := tb.get(vpnKey(t, 2)); !ok {
		t.Error("route 2, untouched by the malformed UPDATEs, is gone")
	}
	after := established(t, sp)
	if after.State != "Established" || !after.LastTransition.Equal(before.LastTransition) {
		t.Errorf("session changed state: before %+v, after %+v", before, after)
	}
	if got := p.gotNotifications(); len(got) != 0 {
		t.Errorf("NOTIFICATIONs received: %v", got)
	}
	if e := sp.UpdateErrors(); e != (UpdateErrors{TreatAsWithdraw: 1, AttributeDiscard: 1}) {
		t.Errorf("UpdateErrors() = %+v, want one of each", e)
	}
}
