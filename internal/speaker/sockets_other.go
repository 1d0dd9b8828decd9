//go:build !linux

package speaker

import "errors"

// shutdownWrite is Linux-only: elsewhere GoBGP's own stop closes the
// sessions.
func shutdownWrite([]sessionConn) (int, error) {
	return 0, errors.New("closing sockets for a graceful restart is only supported on Linux")
}

// countSockets cannot count elsewhere.
func countSockets([]sessionConn) int { return 0 }
