package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/slowbody/slowbodytest"
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
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", path)
			line, err := slowbodytest.Trickle(ctx, ts.Listener.Addr().String(), head)
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
