package ovs

import (
	"context"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// OpenFlow 1.5 message types and constants of the wire protocol that we
// read or write ourselves (libOpenflow encodes flow and group mods).
const (
	ofVersion       = 6 // OpenFlow 1.5
	ofHello         = 0
	ofError         = 1
	ofEchoRequest   = 2
	ofEchoReply     = 3
	ofMultipartReq  = 18
	ofMultipartRep  = 19
	ofBarrierReq    = 20
	ofBarrierReply  = 21
	mpFlow          = 1
	mpGroupDesc     = 7
	mpReplyMore     = 1
	ofHeaderLen     = 8
	ofMultipartHead = 16
)

// errClosed is returned once the connection is gone (ovs-vswitchd
// stopped): the driver reconnects.
var errClosed = errors.New("OpenFlow connection closed")

// ofMsg is one message as read from the wire.
type ofMsg struct {
	typ  uint8
	xid  uint32
	data []byte // the whole message, header included
}

// ofConn is an OpenFlow 1.5 session on a bridge's management socket
// (what ovs-ofctl uses), so that the bridge's controllers and fail mode
// stay as they are. One request at a time (the driver's lock); a reader
// goroutine answers echo requests and notices the end.
type ofConn struct {
	c    net.Conn
	xid  atomic.Uint32
	in   chan ofMsg
	done chan struct{}
	wmu  sync.Mutex
	err  error // why done closed
}

// dialOF opens the session and negotiates OpenFlow 1.5.
func dialOF(ctx context.Context, path string) (*ofConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", path, err)
	}
	oc := &ofConn{c: c, in: make(chan ofMsg, 4096), done: make(chan struct{})}
	// Hello with a version bitmap offering 1.5 only.
	hello := []byte{ofVersion, ofHello, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 1 << ofVersion}
	if _, err := c.Write(hello); err != nil {
		c.Close()
		return nil, fmt.Errorf("OpenFlow hello: %w", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := readMsg(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("OpenFlow hello: %w", err)
	}
	if m.typ != ofHello || m.data[0] < ofVersion {
		c.Close()
		return nil, fmt.Errorf("bridge at %s does not speak OpenFlow 1.5 (answered version %d type %d); add OpenFlow15 to its protocols", path, m.data[0], m.typ)
	}
	_ = c.SetReadDeadline(time.Time{})
	go oc.read()
	return oc, nil
}

func readMsg(r io.Reader) (ofMsg, error) {
	h := make([]byte, ofHeaderLen)
	if _, err := io.ReadFull(r, h); err != nil {
		return ofMsg{}, err
	}
	n := int(binary.BigEndian.Uint16(h[2:]))
	if n < ofHeaderLen {
		return ofMsg{}, fmt.Errorf("OpenFlow message of length %d", n)
	}
	data := make([]byte, n)
	copy(data, h)
	if _, err := io.ReadFull(r, data[ofHeaderLen:]); err != nil {
		return ofMsg{}, err
	}
	return ofMsg{typ: h[1], xid: binary.BigEndian.Uint32(h[4:]), data: data}, nil
}

func (oc *ofConn) read() {
	defer close(oc.done)
	for {
		m, err := readMsg(oc.c)
		if err != nil {
			oc.err = err
			return
		}
		if m.typ == ofEchoRequest {
			reply := append([]byte(nil), m.data...)
			reply[1] = ofEchoReply
			if err := oc.write(reply); err != nil {
				oc.err = err
				return
			}
			continue
		}
		select {
		case oc.in <- m:
		case <-time.After(30 * time.Second):
			// Nobody reads: a reply to a request we stopped waiting
			// for. Drop it rather than block echo answers.
		}
	}
}

// echo checks that the switch still answers (a session whose end the
// reader has not seen yet).
func (oc *ofConn) echo(ctx context.Context) error {
	xid, err := oc.sendRaw([]byte{ofVersion, ofEchoRequest, 0, 8, 0, 0, 0, 0})
	if err != nil {
		return err
	}
	for {
		m, err := oc.next(ctx)
		if err != nil {
			return err
		}
		if m.typ == ofEchoReply && m.xid == xid {
			return nil
		}
	}
}

// Done is closed when the session ends.
func (oc *ofConn) Done() <-chan struct{} { return oc.done }

func (oc *ofConn) Close() error { return oc.c.Close() }

func (oc *ofConn) write(b []byte) error {
	oc.wmu.Lock()
	defer oc.wmu.Unlock()
	_, err := oc.c.Write(b)
	return err
}

// send writes a message with a fresh xid and returns the xid.
func (oc *ofConn) send(m encoding.BinaryMarshaler) (uint32, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return 0, err
	}
	return oc.sendRaw(b)
}

func (oc *ofConn) sendRaw(b []byte) (uint32, error) {
	xid := oc.xid.Add(1)
	binary.BigEndian.PutUint32(b[4:], xid)
	if err := oc.write(b); err != nil {
		return 0, fmt.Errorf("%w: %v", errClosed, err)
	}
	return xid, nil
}

// next waits for a message or the end of the session.
func (oc *ofConn) next(ctx context.Context) (ofMsg, error) {
	select {
	case m := <-oc.in:
		return m, nil
	case <-oc.done:
		return ofMsg{}, fmt.Errorf("%w: %v", errClosed, oc.err)
	case <-ctx.Done():
		return ofMsg{}, ctx.Err()
	}
}

// batch sends msgs, then a barrier, and returns the errors the switch
// sent for them, each named by what describe says of the message.
func (oc *ofConn) batch(ctx context.Context, msgs []encoding.BinaryMarshaler, describe func(i int) string) error {
	byXid := map[uint32]int{}
	for i, m := range msgs {
		xid, err := oc.send(m)
		if err != nil {
			return err
		}
		byXid[xid] = i
	}
	barrier, err := oc.sendRaw([]byte{ofVersion, ofBarrierReq, 0, 8, 0, 0, 0, 0})
	if err != nil {
		return err
	}
	var errs []error
	for {
		m, err := oc.next(ctx)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		switch {
		case m.typ == ofBarrierReply && m.xid == barrier:
			return errors.Join(errs...)
		case m.typ == ofError:
			what := "request"
			if i, ok := byXid[m.xid]; ok {
				what = describe(i)
			}
			errs = append(errs, fmt.Errorf("%s: %w", what, parseError(m.data)))
		}
	}
}

// OFError is an error the switch answered.
type OFError struct{ Type, Code uint16 }

func (e *OFError) Error() string {
	return fmt.Sprintf("OpenFlow error type %d code %d", e.Type, e.Code)
}

func parseError(b []byte) error {
	if len(b) < 12 {
		return errors.New("short OpenFlow error")
	}
	return &OFError{Type: binary.BigEndian.Uint16(b[8:]), Code: binary.BigEndian.Uint16(b[10:])}
}

// multipart sends a multipart request of type mpType with body and
// returns the bodies of its replies.
func (oc *ofConn) multipart(ctx context.Context, mpType uint16, body []byte) ([][]byte, error) {
	req := make([]byte, ofMultipartHead+len(body))
	req[0], req[1] = ofVersion, ofMultipartReq
	binary.BigEndian.PutUint16(req[2:], uint16(len(req)))
	binary.BigEndian.PutUint16(req[8:], mpType)
	copy(req[ofMultipartHead:], body)
	xid, err := oc.sendRaw(req)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		m, err := oc.next(ctx)
		if err != nil {
			return nil, err
		}
		if m.xid != xid {
			continue
		}
		if m.typ == ofError {
			return nil, parseError(m.data)
		}
		if m.typ != ofMultipartRep || len(m.data) < ofMultipartHead {
			continue
		}
		out = append(out, m.data[ofMultipartHead:])
		if binary.BigEndian.Uint16(m.data[10:])&mpReplyMore == 0 {
			return out, nil
		}
	}
}

// cookies lists the cookies of the bridge's flows that are ours.
func (oc *ofConn) cookies(ctx context.Context) (map[uint64]bool, error) {
	// ofp11_flow_stats_request: table, pad, out_port, out_group, pad,
	// cookie, cookie_mask, then an empty OXM match.
	body := make([]byte, 40)
	body[0] = tableAll
	binary.BigEndian.PutUint32(body[4:], portAny)
	binary.BigEndian.PutUint32(body[8:], portAny) // OFPG_ANY
	binary.BigEndian.PutUint64(body[16:], cookiePrefix)
	binary.BigEndian.PutUint64(body[24:], cookieMask)
	binary.BigEndian.PutUint16(body[32:], 1) // OFPMT_OXM
	binary.BigEndian.PutUint16(body[34:], 4)
	parts, err := oc.multipart(ctx, mpFlow, body)
	if err != nil {
		return nil, fmt.Errorf("dumping flows: %w", err)
	}
	out := map[uint64]bool{}
	for _, p := range parts {
		// Open vSwitch answers OpenFlow 1.3+ flow stats in the
		// ofp11_flow_stats layout: length at 0, cookie at 24.
		for len(p) >= 32 {
			n := int(binary.BigEndian.Uint16(p))
			if n < 32 || n > len(p) {
				return nil, fmt.Errorf("dumping flows: entry of length %d in %d bytes", n, len(p))
			}
			// The cookie is at 24 in ofp11_flow_stats (what Open vSwitch
			// documents for 1.3+), at 16 in OpenFlow 1.5's flow_desc: take
			// the one that is ours (at the other offset are timeouts, or the
			// match's type, never our prefix).
			for _, off := range []int{24, 16} {
				if c := binary.BigEndian.Uint64(p[off:]); c&cookieMask == cookiePrefix {
					out[c] = true
					break
				}
			}
			p = p[n:]
		}
	}
	return out, nil
}

// groups lists the bridge's group IDs that are ours.
func (oc *ofConn) groups(ctx context.Context) (map[uint32]bool, error) {
	body := make([]byte, 8)
	binary.BigEndian.PutUint32(body, groupAll)
	parts, err := oc.multipart(ctx, mpGroupDesc, body)
	if err != nil {
		return nil, fmt.Errorf("dumping groups: %w", err)
	}
	out := map[uint32]bool{}
	for _, p := range parts {
		for len(p) >= 8 {
			n := int(binary.BigEndian.Uint16(p))
			if n < 8 || n > len(p) {
				return nil, fmt.Errorf("dumping groups: entry of length %d in %d bytes", n, len(p))
			}
			if id := binary.BigEndian.Uint32(p[4:]); id&groupMask == groupPrefix {
				out[id] = true
			}
			p = p[n:]
		}
	}
	return out, nil
}
