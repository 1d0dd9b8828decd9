package ovslab

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

// Flood runs a 10 ms ping flood of count packets from from to to while
// during runs, and returns how many were sent and answered.
func Flood(t testing.TB, from VM, to string, count int, during func()) (sent, received int) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", from.NS, "ping", "-q", "-i", "0.01", "-W", "1", "-c", strconv.Itoa(count), to)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	during()
	_ = cmd.Wait() // ping exits 1 when something was lost
	m := regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("ping output: %s", out.String())
	}
	sent, _ = strconv.Atoi(m[1])
	received, _ = strconv.Atoi(m[2])
	return sent, received
}

// lockedBuffer collects a command's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
