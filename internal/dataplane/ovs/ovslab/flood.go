package ovslab

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// FloodResult is what a 10 ms ping flood saw: echo requests sent and
// answered, and the longest run of consecutive unanswered ones (at 10 ms
// a packet, Gap() is the longest interruption of forwarding).
type FloodResult struct {
	Sent, Received, LongestRun int
}

// Lost is how many echo requests got no answer.
func (r FloodResult) Lost() int { return r.Sent - r.Received }

// Gap is the longest interruption, at 10 ms per unanswered request.
func (r FloodResult) Gap() time.Duration { return time.Duration(r.LongestRun) * 10 * time.Millisecond }

func (r FloodResult) String() string {
	return fmt.Sprintf("%d of %d lost, longest gap %d packets (%v at 10 ms a packet)", r.Lost(), r.Sent, r.LongestRun, r.Gap())
}

// afterReplies is how many consecutive answers after during returned end
// a flood: forwarding is back, and stays so for a second.
const afterReplies = 100

// Flood runs a 10 ms ping flood from from to to while during runs, and
// until afterReplies consecutive answers came after it returned (or 30
// s passed), then stops it and returns what it saw.
func Flood(t testing.TB, from VM, to string, during func()) FloodResult {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", from.NS, "ping", "-i", "0.01", "-W", "1", to)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &flood{seen: map[int]bool{}, quiet: make(chan struct{})}
	done := make(chan struct{})
	go func() { defer close(done); f.read(out) }()
	during()
	f.mark()
	select {
	case <-f.quiet:
	case <-time.After(30 * time.Second):
	case <-done:
	}
	_ = cmd.Process.Signal(os.Interrupt) // ping prints its summary
	<-done
	_ = cmd.Wait() // ping exits 1 when something was lost
	r, err := f.result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var (
	replyRE   = regexp.MustCompile(`icmp_seq=(\d+) `)
	summaryRE = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`)
)

// flood follows ping's output: the sequence numbers answered and, once
// mark was called, the answers since.
type flood struct {
	mu      sync.Mutex
	seen    map[int]bool
	marked  bool
	since   int
	quiet   chan struct{}
	summary []string
	text    []string
}

func (f *flood) read(out interface{ Read([]byte) (int, error) }) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		f.mu.Lock()
		if m := replyRE.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			f.seen[n] = true
			if f.marked {
				f.since++
				if f.since == afterReplies {
					close(f.quiet)
				}
			}
		} else {
			f.text = append(f.text, line)
			if m := summaryRE.FindStringSubmatch(line); m != nil {
				f.summary = m
			}
		}
		f.mu.Unlock()
	}
}

// mark starts counting answers (those that arrive after during).
func (f *flood) mark() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.marked = true
}

func (f *flood) result() (FloodResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.summary == nil {
		return FloodResult{}, fmt.Errorf("ping printed no summary: %q", f.text)
	}
	// Requests after the last answer were in flight when ping was
	// stopped: they count neither as sent nor as lost.
	var r FloodResult
	for seq := range f.seen {
		r.Sent = max(r.Sent, seq)
	}
	r.Received = len(f.seen)
	run := 0
	for seq := 1; seq <= r.Sent; seq++ {
		if f.seen[seq] {
			run = 0
			continue
		}
		run++
		r.LongestRun = max(r.LongestRun, run)
	}
	return r, nil
}
