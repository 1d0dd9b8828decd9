package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// defaultTimeout bounds each wait for the server when neither --timeout,
// OS_TIMEOUT nor clouds.yaml's api_timeout says otherwise. The openstack
// CLI waits 600 s; a server silent for a minute is not coming back.
const defaultTimeout = 60 * time.Second

// maxAnswer is the largest answer read from a server.
const maxAnswer = 256 << 20

// parseTimeout reads a --timeout value: seconds, a finite number above 0.
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return defaultTimeout, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > math.MaxInt64/float64(time.Second) {
		return 0, usagef("invalid timeout %q (--timeout, OS_TIMEOUT or api_timeout): want a number of seconds above 0", s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// timeoutError is a server that did not answer in time.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within %s s (--timeout)", strconv.FormatFloat(e.after.Seconds(), 'f', -1, 64))
}

// Timeout makes it a timeout for net/http and url.Error.
func (e *timeoutError) Timeout() bool { return true }

// invalidResponseError is an answer no Neutron API gives.
type invalidResponseError struct{ why string }

func (e *invalidResponseError) Error() string {
	return "invalid response from the network API: " + e.why
}

// guardedTransport is what every request of the CLI goes through. It bounds
// each wait for the server as keystoneauth's --timeout does (connecting,
// the answer's headers, then every read of its body: a large list that
// keeps coming is not cut), and it refuses a successful answer whose body
// is not what Neutron sends (a JSON object, its lists made of objects)
// before gophercloud's decoders see it, so that a broken or hostile server
// gives a clear error instead of a half-printed table.
type guardedTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

// newGuardedTransport wraps a clone of base (nil: the default transport).
func newGuardedTransport(base *http.Transport, timeout time.Duration) *guardedTransport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	base.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = timeout
	base.ResponseHeaderTimeout = timeout
	return &guardedTransport{next: base, timeout: timeout}
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	res, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, &timeoutError{t.timeout}
		}
		return nil, err
	}
	var stalled atomic.Bool
	watchdog := time.AfterFunc(t.timeout, func() { stalled.Store(true); cancel() })
	body, err := io.ReadAll(&progressReader{r: io.LimitReader(res.Body, maxAnswer+1), onData: func() { watchdog.Reset(t.timeout) }})
	watchdog.Stop()
	res.Body.Close()
	cancel()
	switch {
	case stalled.Load():
		return nil, &timeoutError{t.timeout}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &invalidResponseError{"the answer is cut short"}
	case err != nil:
		return nil, fmt.Errorf("reading the answer: %w", err)
	case len(body) > maxAnswer:
		return nil, &invalidResponseError{fmt.Sprintf("answer larger than %d MiB", maxAnswer>>20)}
	}
	if res.StatusCode/100 == 2 {
		if len(bytes.TrimSpace(body)) == 0 {
			// Only a DELETE answers nothing (204).
			if req.Method != http.MethodDelete {
				return nil, &invalidResponseError{"the answer is empty"}
			}
		} else if err := checkNeutronJSON(req, body); err != nil {
			return nil, err
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	return res, nil
}

// progressReader calls onData after every read that returned data.
type progressReader struct {
	r      io.Reader
	onData func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.onData()
	}
	return n, err
}

// checkNeutronJSON checks a successful answer: a JSON object, and, for a
// GET of a collection, whose collection is a list of objects. (Other
// answers may hold lists of strings, such as add_router_interface's
// subnet_ids.)
func checkNeutronJSON(req *http.Request, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		why := err.Error()
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			why = "the answer is cut short"
		}
		return &invalidResponseError{"not JSON (" + why + ")"}
	}
	if dec.More() {
		return &invalidResponseError{"not JSON (text after the JSON value)"}
	}
	top, ok := v.(map[string]any)
	if !ok {
		return &invalidResponseError{"not a JSON object"}
	}
	// The techniques API (GET /bgpvpn/techniques[/{type}]) answers maps
	// and lists of names, not collections of objects.
	if req.Method != http.MethodGet || strings.Contains(req.URL.Path, "/bgpvpn/techniques") {
		return nil
	}
	collection := strings.TrimSuffix(path.Base(req.URL.Path), ".json")
	val, ok := top[collection]
	if !ok {
		return nil
	}
	items, ok := val.([]any)
	if !ok {
		return &invalidResponseError{fmt.Sprintf("%q is not a list", collection)}
	}
	for i, it := range items {
		switch it.(type) {
		case nil:
			return &invalidResponseError{fmt.Sprintf("item %d of %q is null", i+1, collection)}
		case map[string]any:
		default:
			return &invalidResponseError{fmt.Sprintf("item %d of %q is not an object", i+1, collection)}
		}
	}
	return nil
}
