package slowbody_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/slowbody"
)

// echo answers 200 with the body, or 408 when it came too slowly.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		w.WriteHeader(http.StatusRequestTimeout)
		return
	}
	w.Write(b)
})

// Trickle sends a request whose body comes one byte every interval and
// never ends before ctx does; it returns the first line of the answer.
func Trickle(ctx context.Context, t *testing.T, addr, method, path string, interval time.Duration) (string, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n", method, path)
	go func() {
		for ctx.Err() == nil {
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(interval):
			}
		}
	}()
	context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	return bufio.NewReader(conn).ReadString('\n')
}

func TestSlowBodyIsCutOff(t *testing.T) {
	srv := httptest.NewServer(slowbody.Limit(echo, 200*time.Millisecond))
	defer srv.Close()
	// The client would trickle for a minute; the answer must come first.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	line, err := Trickle(ctx, t, srv.Listener.Addr().String(), "POST", "/", 20*time.Millisecond)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("no answer to a trickled body before the client gave up: %v", err)
	}
	if err == nil && !strings.Contains(line, "408") {
		t.Errorf("answer to a trickled body: %q, want 408 (or the connection closed)", line)
	}
}

func TestBodyInTimeThenSlowHandler(t *testing.T) {
	// A handler that keeps working after reading its body is not cut off,
	// and its request's context stays alive.
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
			done <- r.Context().Err()
		case <-time.After(500 * time.Millisecond):
			done <- nil
		}
		w.Write([]byte("ok"))
	})
	srv := httptest.NewServer(slowbody.Limit(h, 100*time.Millisecond))
	defer srv.Close()
	res, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"a": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := <-done; err != nil {
		t.Errorf("request context ended while the handler worked: %v", err)
	}
	if res.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("answer %d %q, want 200 ok", res.StatusCode, b)
	}
}
