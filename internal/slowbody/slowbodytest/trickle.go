// Package slowbodytest is the slow client the tests of slowbody's users
// share: it sends a request whose body never ends, one byte at a time.
// Test support only; it must never be imported by production code.
package slowbodytest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"
)

// Trickle sends head (the request line and headers, ending in the blank
// line) to addr, then a body one byte every 20 ms until ctx ends, and
// returns the first line of the answer (its status line).
func Trickle(ctx context.Context, addr, head string) (string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	fmt.Fprint(conn, head+"{")
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	return bufio.NewReader(conn).ReadString('\n')
}
