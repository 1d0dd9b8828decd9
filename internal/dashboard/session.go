package dashboard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// cookieName is the session cookie.
const cookieName = "bgpvpn_session"

// session is one signed-in browser. Only the dashboard's memory holds it:
// the cookie carries nothing but its random id.
type session struct {
	id       string
	csrf     string
	who      Identity
	expires  time.Time
	lastSeen time.Time
	// flash is shown once, on the next page.
	flash, flashErr string
}

// sessions holds the live sessions of this process (a replica's
// sessions are its own: behind a load balancer, make it sticky).
type sessions struct {
	mu      sync.Mutex
	byID    map[string]*session
	idle    time.Duration
	maxLife time.Duration
	now     func() time.Time
}

func newSessions(idle, maxLife time.Duration) *sessions {
	return &sessions{byID: map[string]*session{}, idle: idle, maxLife: maxLife, now: time.Now}
}

// randomToken is 32 bytes from crypto/rand, URL-safe.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// start opens a session for who.
func (s *sessions) start(who Identity) *session {
	now := s.now()
	exp := now.Add(s.maxLife)
	if !who.Expires.IsZero() && who.Expires.Before(exp) {
		exp = who.Expires
	}
	ss := &session{id: randomToken(), csrf: randomToken(), who: who, expires: exp, lastSeen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	s.byID[ss.id] = ss
	return ss
}

// sweep drops expired sessions; s.mu is held.
func (s *sessions) sweep(now time.Time) {
	for id, ss := range s.byID {
		if s.expired(ss, now) {
			delete(s.byID, id)
		}
	}
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return !now.Before(ss.expires) || now.Sub(ss.lastSeen) >= s.idle
}

// get returns the live session of the request's cookie, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.Value]
	if ss == nil {
		return nil
	}
	if s.expired(ss, now) {
		delete(s.byID, ss.id)
		return nil
	}
	ss.lastSeen = now
	return ss
}

// end forgets a session.
func (s *sessions) end(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, ss.id)
}

// takeFlash returns and clears the session's one-shot messages.
func (s *sessions) takeFlash(ss *session) (msg, errMsg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg, errMsg = ss.flash, ss.flashErr
	ss.flash, ss.flashErr = "", ""
	return msg, errMsg
}

// setFlash leaves a message for the next page.
func (s *sessions) setFlash(ss *session, msg, errMsg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss.flash, ss.flashErr = msg, errMsg
}

// validCSRF compares a form's token with the session's in constant time.
func validCSRF(ss *session, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(ss.csrf), []byte(token)) == 1
}

// cookieGrace is how long the browser keeps the session cookie after
// the session's end: the dashboard, not the browser, ends a session, so
// that the next page can say it ended (the id is worth nothing by then).
const cookieGrace = time.Hour

// setCookie sends the session cookie: HttpOnly, SameSite=Strict, Secure
// when the request came over TLS, scoped to the dashboard's path.
func setCookie(w http.ResponseWriter, r *http.Request, ss *session) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: ss.id, Path: basePath, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: ss.expires.Add(cookieGrace)})
}

// clearCookie removes the session cookie.
func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: basePath, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: -1})
}
