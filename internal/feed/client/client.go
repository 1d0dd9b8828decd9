// Package client is the agent's side of the feed: it watches one host's
// desired attachments on bgpvpn-server, delivers each new state to the
// agent, resumes from the last revision it heard after an error or a
// server restart, reports association status back, and says it is alive
// as often as the server asks while it watches.
//
// It never delivers a state older than one it delivered (revisions of the
// same database only grow); a state of another database (a new epoch) is
// always delivered. It keeps nothing on disk: a restarted agent starts from
// a full snapshot and reconciles against what it finds in place.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/feed"
)

// ErrUnauthorized is returned when the server refuses the shared secret.
var ErrUnauthorized = errors.New("agent feed refused the shared secret")

// Config configures a Client.
type Config struct {
	// URL is the server's base URL, e.g. http://controller:9696.
	URL string
	// Host is this compute node's name, as ports' binding:host_id say it.
	Host string
	// Secret is the server's [agent_feed] shared_secret.
	Secret string
	// HTTPClient defaults to one without an overall timeout (streams are
	// long-lived).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnections
	// (default 100ms and 10s).
	MinBackoff, MaxBackoff time.Duration
	// StallTimeout reconnects when nothing arrives for that long; default
	// three of the server's heartbeats, 20s before the first message.
	StallTimeout time.Duration
}

// Client watches one host's feed.
type Client struct {
	cfg  Config
	base *url.URL
	log  *slog.Logger

	mu sync.Mutex
	// epoch and revision are where the client resumes from: the newest
	// revision at which it knows the state it delivered is current.
	epoch    string
	revision int64
	// delivered says whether a state was delivered in this epoch.
	delivered bool
	// last is the state delivered last.
	last feed.HostState
	// stall is three of the server's heartbeats, as last announced.
	stall time.Duration
}

// New checks cfg and builds a client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.URL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("feed URL %q: want http(s)://host[:port]", cfg.URL)
	}
	if cfg.Host == "" {
		return nil, errors.New("feed client: no host name")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(10*time.Second, cfg.MinBackoff)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	return &Client{cfg: cfg, base: base, log: cfg.Logger.With("component", "feed_client", "host", cfg.Host)}, nil
}

// Position is where the client would resume from.
func (c *Client) Position() (epoch string, revision int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch, c.revision
}

// Run watches until ctx ends, calling apply with every new desired state
// (and with the last one again, at a newer revision, when the server says
// it is still current there), in order, from Run's goroutine: apply should hand the state over and
// return (a slow apply delays reading the stream, not correctness). Run
// returns ctx's error, or ErrUnauthorized (wrapped) when the server
// refuses the secret: retrying would not help.
func (c *Client) Run(ctx context.Context, apply func(feed.HostState)) error {
	backoff := c.cfg.MinBackoff
	for {
		heard, err := c.watch(ctx, apply)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrUnauthorized) {
			return err
		}
		if heard {
			backoff = c.cfg.MinBackoff
		}
		epoch, rev := c.Position()
		wait := backoff/2 + rand.N(backoff/2+1)
		c.log.Warn("agent feed interrupted; reconnecting", "error", err, "revision", rev, "epoch", epoch, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(2*backoff, c.cfg.MaxBackoff)
	}
}

// watch runs one stream; heard says whether anything arrived.
func (c *Client) watch(ctx context.Context, apply func(feed.HostState)) (heard bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := c.cfg.StallTimeout
	if stall <= 0 {
		// Three heartbeats of the last stream, so that a connection
		// made during a network cut is given up as soon as a stream
		// would be, instead of 20s (or the kernel's minutes-long SYN
		// retries) later.
		c.mu.Lock()
		stall = c.stall
		c.mu.Unlock()
		if stall <= 0 {
			stall = 20 * time.Second
		}
	}
	var stalled atomic.Bool
	timer := time.AfterFunc(stall, func() { stalled.Store(true); cancel() })
	defer timer.Stop()

	epoch, rev := c.Position()
	u := *c.base
	u.Path += feed.WatchPath(c.cfg.Host)
	u.RawPath = ""
	q := url.Values{}
	if epoch != "" {
		q.Set("epoch", epoch)
		q.Set("revision", strconv.FormatInt(rev, 10))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Secret)
	req.Header.Set("Accept", feed.ContentType)
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if err := statusError(res); err != nil {
		return false, err
	}
	// Saying alive stops with this stream: an agent that cannot watch is
	// not one the server should count on.
	var aliveOnce sync.Once
	var aliveDone chan struct{}
	defer func() {
		cancel()
		if aliveDone != nil {
			<-aliveDone
		}
	}()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 4<<10), 256<<20)
	for sc.Scan() {
		var m feed.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return heard, fmt.Errorf("decoding a feed message: %w", err)
		}
		heard = true
		if m.HeartbeatSeconds > 0 && c.cfg.StallTimeout <= 0 {
			stall = time.Duration(3 * m.HeartbeatSeconds * float64(time.Second))
			c.mu.Lock()
			c.stall = stall
			c.mu.Unlock()
		}
		timer.Reset(stall)
		if m.AliveSeconds > 0 {
			aliveOnce.Do(func() {
				aliveDone = make(chan struct{})
				go func() { defer close(aliveDone); c.sayAlive(ctx, time.Duration(m.AliveSeconds*float64(time.Second))) }()
			})
		}
		if st, ok := c.accept(m); ok {
			apply(st)
		}
	}
	err = sc.Err()
	if stalled.Load() {
		err = fmt.Errorf("nothing heard for %s", stall)
	}
	if err == nil {
		err = io.ErrUnexpectedEOF // the server ended the stream
	}
	return heard, err
}

// accept applies the ordering rules to one message and says whether it
// carries a state to deliver.
func (c *Client) accept(m feed.Message) (feed.HostState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Epoch != c.epoch {
		if c.epoch != "" {
			c.log.Warn("the server's database changed; starting over", "old_epoch", c.epoch, "epoch", m.Epoch)
		}
		if m.Type != feed.State {
			return feed.HostState{}, false // a heartbeat of another epoch promises nothing
		}
		c.epoch, c.revision, c.delivered = m.Epoch, m.Revision, true
		c.last = m.HostState()
		return c.last, true
	}
	switch m.Type {
	case feed.State:
		if c.delivered && m.Revision <= c.revision {
			c.log.Debug("ignoring a state older than the one applied", "revision", m.Revision, "applied", c.revision)
			return feed.HostState{}, false
		}
		c.revision, c.delivered = m.Revision, true
		c.last = m.HostState()
		return c.last, true
	case feed.Heartbeat:
		// A heartbeat at a newer revision says the state delivered last
		// is still current there (the host's revision moved, its
		// attachments did not): deliver it again at that revision, so
		// that status reports catch up with the host's revision.
		if c.delivered && m.Revision > c.revision {
			c.revision = m.Revision
			c.last.Revision = m.Revision
			return c.last, true
		}
	}
	return feed.HostState{}, false
}

// sayAlive posts to the alive path every interval until ctx ends; a
// failure is logged and the next tick tries again.
func (c *Client) sayAlive(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, every)
		err := c.post(pctx, feed.AlivePath(c.cfg.Host), nil)
		cancel()
		if err != nil && ctx.Err() == nil {
			c.log.Warn("saying alive to the agent feed", "error", err)
		}
	}
}

// ReportStatus posts the status of the associations of the state applied.
func (c *Client) ReportStatus(ctx context.Context, rep feed.StatusReport) error {
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	if err := c.post(ctx, feed.StatusPath(c.cfg.Host), body); err != nil {
		return fmt.Errorf("reporting status: %w", err)
	}
	return nil
}

// post sends body (JSON, or nothing) to path.
func (c *Client) post(ctx context.Context, path string, body []byte) error {
	u := *c.base
	u.Path += path
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return statusError(res)
}

// statusError turns a refusal into an error with the server's reason.
func statusError(res *http.Response) error {
	if res.StatusCode/100 == 2 {
		return nil
	}
	var body struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if json.Unmarshal(raw, &body) != nil || body.Error == "" {
		body.Error = strings.TrimSpace(string(raw))
	}
	if res.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%w: %s", ErrUnauthorized, body.Error)
	}
	return fmt.Errorf("agent feed answered %s: %s", res.Status, body.Error)
}
