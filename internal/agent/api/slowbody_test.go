package api

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestTrickledBodyIsCutOff: a client sending attach_localport a byte at
// a time is answered 408 once BodyTimeout has passed instead of holding
// the request forever, and the API keeps serving meanwhile.
func TestTrickledBodyIsCutOff(t *testing.T) {
	ts := newServerBodyTimeout(t, 300*time.Millisecond)
	for _, path := range []string{"/attach_localport", "/detach_localport"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			conn, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", path)
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
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				t.Fatalf("no answer to a trickled body before the client gave up: %v", err)
			}
			if !strings.Contains(line, " 408 ") {
				t.Errorf("answer to a trickled body: %q, want 408", line)
			}
			if code, _, _ := do(t, "GET", ts.URL+"/ping", ""); code != 200 {
				t.Errorf("ping while a body trickles: %d", code)
			}
		})
	}
}
