package hub

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// httpError is an error with the status it answers.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP serves the paths under feed.PathPrefix:
//
//	GET  hosts/{host}/watch?revision=N&epoch=E   the watch stream
//	POST hosts/{host}/status                     a feed.StatusReport
//	POST hosts/{host}/alive                      the agent is alive
//
// Every request carries "Authorization: Bearer <shared secret>".
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.serve(w, r); err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			h.log.Error("serving the agent feed", "path", r.URL.Path, "error", err)
			he = &httpError{status: http.StatusInternalServerError, msg: "internal error"}
		}
		if he.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bgpvpn-agent-feed"`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(he.status)
		json.NewEncoder(w).Encode(map[string]string{"error": he.msg})
	}
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) error {
	if !h.authorized(r) {
		return errorf(http.StatusUnauthorized, "a valid bearer token (the [agent_feed] shared_secret) is required")
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), feed.PathPrefix+"hosts/")
	escHost, action, ok2 := strings.Cut(rest, "/")
	host, err := pathUnescape(escHost)
	if !ok || !ok2 || err != nil || host == "" || len(host) > 255 {
		return errorf(http.StatusNotFound, "no such path: want %shosts/{host}/watch, .../status or .../alive", feed.PathPrefix)
	}
	if !validHost(host) {
		return errorf(http.StatusBadRequest, "bad host name %q: want UTF-8 text without control characters", host)
	}
	switch {
	case action == "watch" && r.Method == http.MethodGet:
		return h.watch(w, r, host)
	case action == "status" && r.Method == http.MethodPost:
		return h.status(w, r, host)
	case action == "alive" && r.Method == http.MethodPost:
		h.sighted(host, r)
		w.WriteHeader(http.StatusNoContent)
		return nil
	case action == "watch" || action == "status" || action == "alive":
		return errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, action)
	}
	return errorf(http.StatusNotFound, "no such path: want %shosts/{host}/watch, .../status or .../alive", feed.PathPrefix)
}

// validHost reports whether a host name can be stored and compared alike
// by every store: valid UTF-8 without NUL or other control characters
// (binding:host_id values are host names).
func validHost(host string) bool {
	if !utf8.ValidString(host) {
		return false
	}
	for _, r := range host {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// pathUnescape decodes the host segment; a host never holds a slash.
func pathUnescape(s string) (string, error) {
	u, err := url.PathUnescape(s)
	if err != nil || strings.Contains(u, "/") {
		return "", errors.New("bad host")
	}
	return u, nil
}

// authorized compares the bearer token in constant time.
func (h *Hub) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || len(h.secret) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), h.secret) == 1
}

// stream is one watch stream: what its agent knows.
type stream struct {
	h     *Hub
	host  string
	w     http.ResponseWriter
	rc    *http.ResponseController
	epoch string
	// known is the revision up to which the agent knows its state, sent
	// the digest of the attachments it has.
	known int64
	sent  [sha256.Size]byte
	first bool
}

func (h *Hub) watch(w http.ResponseWriter, r *http.Request, host string) error {
	q := r.URL.Query()
	var since int64
	if s := q.Get("revision"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "revision %q: want a non-negative integer", s)
		}
		since = n
	}
	// Register before the first read so that no wake-up is lost between
	// the snapshot and the loop.
	wt := h.register(host)
	defer h.unregister(host, wt)

	st := &stream{h: h, host: host, w: w, rc: http.NewResponseController(w), first: true}
	var cur store.FeedRevision
	var resumed bool
	var atts []feed.Attachment
	err := h.store.View(r.Context(), func(tx store.Tx) (err error) {
		if cur, err = tx.FeedRevision(); err != nil {
			return err
		}
		revs, err := tx.HostRevisions([]string{host})
		if err != nil {
			return err
		}
		// The agent's state is still right if nothing touched its host
		// since the revision it has, of this database.
		resumed = q.Get("epoch") == cur.Epoch && since >= revs[host] && since <= cur.Revision && since > 0
		if !resumed {
			atts, err = compute.Host(h.reads.wrap(tx, cur), host)
		}
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", feed.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	h.sighted(host, r)
	st.epoch = cur.Epoch
	if resumed {
		err = st.send(feed.Message{Type: feed.Heartbeat, Revision: cur.Revision})
	} else {
		err = st.send(feed.Message{Type: feed.State, Revision: cur.Revision, Attachments: atts})
	}
	if err != nil {
		return nil // the agent went away; nothing to answer
	}
	h.log.Debug("agent watching", "host", host, "revision", cur.Revision, "resumed", resumed)

	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	for {
		var heartbeat bool
		select {
		case <-r.Context().Done():
			return nil
		case <-h.ctx.Done():
			return nil
		case <-wt.wake:
		case <-beat.C:
			heartbeat = true
		}
		if err := st.check(r, heartbeat); err != nil {
			if r.Context().Err() == nil && h.ctx.Err() == nil {
				h.log.Debug("agent stream ended", "host", host, "error", err)
			}
			return nil
		}
	}
}

// check sends the host's state if it changed since the agent last heard,
// else a heartbeat when one is due. Both are read in one transaction, so a
// heartbeat at revision N promises that nothing touched the host up to N.
func (st *stream) check(r *http.Request, heartbeat bool) error {
	var cur store.FeedRevision
	var changed bool
	var atts []feed.Attachment
	err := st.h.store.View(r.Context(), func(tx store.Tx) (err error) {
		if cur, err = tx.FeedRevision(); err != nil {
			return err
		}
		revs, err := tx.HostRevisions([]string{st.host})
		if err != nil {
			return err
		}
		changed = cur.Epoch != st.epoch || revs[st.host] > st.known
		if changed {
			atts, err = compute.Host(st.h.reads.wrap(tx, cur), st.host)
		}
		return err
	})
	if err != nil {
		return err
	}
	epochChanged := cur.Epoch != st.epoch
	st.epoch = cur.Epoch
	// A change elsewhere on the host's networks often leaves its state as
	// it was: say nothing until the heartbeat, which then resumes past it.
	if changed && !epochChanged && digest(atts) == st.sent {
		changed, st.known = false, cur.Revision
	}
	switch {
	case changed:
		return st.send(feed.Message{Type: feed.State, Revision: cur.Revision, Attachments: atts})
	case heartbeat:
		return st.send(feed.Message{Type: feed.Heartbeat, Revision: cur.Revision})
	}
	return nil
}

// send writes one line; an agent that does not read within a heartbeat
// or two is dropped rather than holding the stream.
func (st *stream) send(m feed.Message) error {
	m.Host, m.Epoch = st.host, st.epoch
	if st.first {
		m.HeartbeatSeconds = st.h.heartbeat.Seconds()
		m.AliveSeconds = st.h.AliveInterval().Seconds()
		st.first = false
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	st.rc.SetWriteDeadline(time.Now().Add(2*st.h.heartbeat + 5*time.Second))
	if _, err := st.w.Write(append(b, '\n')); err != nil {
		return err
	}
	if err := st.rc.Flush(); err != nil {
		return err
	}
	st.known = m.Revision
	if m.Type == feed.State {
		st.sent = digest(m.Attachments)
	}
	return nil
}

func digest(atts []feed.Attachment) [sha256.Size]byte {
	b, _ := json.Marshal(atts)
	return sha256.Sum256(b)
}

// status stores an agent's report.
func (h *Hub) status(w http.ResponseWriter, r *http.Request, host string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "status report larger than 4 MiB")
	}
	if !utf8.Valid(body) {
		return errorf(http.StatusBadRequest, "status report: not UTF-8 text")
	}
	var rep feed.StatusReport
	if err := json.Unmarshal(body, &rep); err != nil {
		return errorf(http.StatusBadRequest, "status report: %v", err)
	}
	if err := rep.Validate(); err != nil {
		return errorf(http.StatusBadRequest, "status report: %v", err)
	}
	err = h.store.Update(r.Context(), func(tx store.Tx) error {
		cur, err := tx.FeedRevision()
		if err != nil {
			return err
		}
		if rep.Epoch != cur.Epoch {
			return errorf(http.StatusConflict, "status report of epoch %q: the database is epoch %q; watch again", rep.Epoch, cur.Epoch)
		}
		if rep.Revision > cur.Revision {
			return errorf(http.StatusConflict, "status report of revision %d: the database is at %d", rep.Revision, cur.Revision)
		}
		rows := make([]store.AgentStatus, len(rep.Associations))
		for i, a := range rep.Associations {
			rows[i] = store.AgentStatus{AssociationID: a.ID, Host: host, Revision: rep.Revision, Status: string(a.Status), Reason: a.Reason}
		}
		return tx.ReplaceAgentStatus(host, rows)
	})
	if err != nil {
		return err
	}
	h.sighted(host, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
