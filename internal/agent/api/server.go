package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/slowbody"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Peers is what the looking glass needs of the speaker.
type Peers interface {
	Peers(ctx context.Context) ([]speaker.PeerStatus, error)
	PeerDetail(ctx context.Context, addr netip.Addr) (speaker.PeerStatus, bool, error)
	AdjOut(peer netip.Addr, f speaker.Family) ([]speaker.Route, error)
	UpdateErrors() speaker.UpdateErrors
}

// Server serves the API.
type Server struct {
	Manager *agent.Manager
	BGP     Peers
	Logs    *LogRing
	// Config is shown under /looking-glass/config, by section.
	Config  map[string]map[string]string
	Version string
	Log     *slog.Logger
	// BodyTimeout bounds the time a client may take to send a request
	// body (DefaultBodyTimeout when zero): a body trickled a byte at a
	// time is answered 408 instead of holding the request forever.
	BodyTimeout time.Duration

	ping int64
}

// maxBody bounds request bodies; real ones are under 2 KB.
const maxBody = 1 << 20

// DefaultBodyTimeout is Server.BodyTimeout's default: real bodies come
// in one packet.
const DefaultBodyTimeout = 30 * time.Second

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	s.ping = rand.Int64N(1<<53-1) + 1
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /attach_localport", s.wrap(s.attach))
	mux.Handle("POST /detach_localport", s.wrap(s.detach))
	mux.Handle("GET /attach_localport", s.wrap(func(*http.Request) (any, error) { return map[string]any{}, nil }))
	mux.Handle("GET /detach_localport", s.wrap(func(*http.Request) (any, error) { return map[string]any{}, nil }))
	mux.Handle("GET /ping", s.wrap(func(*http.Request) (any, error) { return s.ping, nil }))
	mux.HandleFunc("GET /metrics", s.metrics)
	mux.Handle("GET /looking-glass", s.wrap(s.lookingGlass))
	mux.Handle("GET /looking-glass/{path...}", s.wrap(s.lookingGlass))
	mux.Handle("/", s.wrap(func(r *http.Request) (any, error) {
		for _, p := range []string{"/attach_localport", "/detach_localport", "/ping", "/looking-glass"} {
			if r.URL.Path == p || strings.HasPrefix(r.URL.Path, "/looking-glass/") {
				return nil, &httpError{http.StatusMethodNotAllowed, "method " + r.Method + " not allowed"}
			}
		}
		return nil, &httpError{http.StatusNotFound, "no such path: " + r.URL.Path}
	}))
	timeout := s.BodyTimeout
	if timeout == 0 {
		timeout = DefaultBodyTimeout
	}
	return slowbody.Limit(mux, timeout)
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

// wrap turns a handler's value or error into a JSON answer. Only input and
// not-found errors say what went wrong; anything else is logged and
// reported as an internal error without detail.
func (s *Server) wrap(h func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("API handler panic", "path", r.URL.Path, "panic", p)
				writeJSON(w, http.StatusInternalServerError, errorBody("internal error", ""))
			}
		}()
		v, err := h(r)
		if err == nil {
			writeJSON(w, http.StatusOK, v)
			return
		}
		var ie *agent.InputError
		var he *httpError
		switch {
		case errors.As(err, &he):
			writeJSON(w, he.code, errorBody(he.msg, ""))
		case errors.As(err, &ie):
			writeJSON(w, http.StatusBadRequest, errorBody("API error: "+ie.Msg, ie.Field))
		default:
			s.Log.Error("API request failed", "path", r.URL.Path, "error", err)
			writeJSON(w, http.StatusInternalServerError, errorBody("An error occurred during local port plug to VPN", ""))
		}
	})
}

func errorBody(msg, field string) map[string]any {
	e := map[string]any{"message": msg}
	if field != "" {
		e["field"] = field
	}
	return map[string]any{"error": e}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, &httpError{http.StatusRequestTimeout, "the request body was not received in time"}
	}
	if err != nil {
		return nil, &agent.InputError{Msg: "reading the body: " + err.Error()}
	}
	if len(b) > maxBody {
		return nil, &httpError{http.StatusRequestEntityTooLarge, "body over 1 MiB"}
	}
	return b, nil
}

func (s *Server) attach(r *http.Request) (any, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	a, err := DecodeAttach(b)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	err = s.Manager.Attach(r.Context(), a)
	s.Log.Debug("attach", "vpn_id", a.VPNInstanceID, "mac", a.MAC.String(), "duration", time.Since(start), "error", err)
	return nil, err
}

func (s *Server) detach(r *http.Request) (any, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	d, err := DecodeDetach(b)
	if err != nil {
		return nil, err
	}
	return nil, s.Manager.Detach(r.Context(), d)
}
