package speaker

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"syscall"
)

// shutdownWrite shuts down for writing every socket of this process whose
// addresses are those of one of conns, and says how many it shut.
func shutdownWrite(conns []sessionConn) (int, error) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, fmt.Errorf("listing file descriptors: %w", err)
	}
	n := 0
	for _, ent := range ents {
		fd, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		c, ok := socketConn(fd)
		if !ok || !slices.ContainsFunc(conns, func(k sessionConn) bool { return k.matches(c) }) {
			continue
		}
		if err := syscall.Shutdown(fd, syscall.SHUT_WR); err != nil {
			return n, fmt.Errorf("shutting down the connection %s-%s: %w", c.local, c.remote, err)
		}
		n++
	}
	return n, nil
}

// countSockets counts the sockets of this process whose addresses are
// those of one of conns.
func countSockets(conns []sessionConn) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	n := 0
	for _, ent := range ents {
		fd, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		if c, ok := socketConn(fd); ok && slices.ContainsFunc(conns, func(k sessionConn) bool { return k.matches(c) }) {
			n++
		}
	}
	return n
}

// socketConn reads the addresses of a connected TCP socket.
func socketConn(fd int) (sessionConn, bool) {
	if t, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE); err != nil || t != syscall.SOCK_STREAM {
		return sessionConn{}, false
	}
	l, err := syscall.Getsockname(fd)
	if err != nil {
		return sessionConn{}, false
	}
	r, err := syscall.Getpeername(fd)
	if err != nil {
		return sessionConn{}, false
	}
	c := sessionConn{local: addrPort(l), remote: addrPort(r)}
	return c, c.local.IsValid() && c.remote.IsValid()
}

func addrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}
