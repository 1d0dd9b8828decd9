// Package slowbody bounds the time a client may take to send a request
// body, so that a body trickled a byte at a time cannot hold a handler
// (and its goroutine, connection and database work behind it) forever.
//
// It bounds only the body: the time to read headers is the
// http.Server's ReadHeaderTimeout, and long answers (watch streams) are
// not bounded, which http.Server.ReadTimeout would do, cancelling their
// context.
package slowbody

import (
	"io"
	"net/http"
	"time"
)

// Limit serves next with a read deadline d from the start of a request
// that has a body, lifted once the body is read to its end. A body not
// received in time fails to read with an error that wraps
// os.ErrDeadlineExceeded; handlers answer it as they answer a bad body.
func Limit(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			// Not a real connection (httptest.ResponseRecorder).
			next.ServeHTTP(w, r)
			return
		}
		r.Body = &body{ReadCloser: r.Body, lift: func() { rc.SetReadDeadline(time.Time{}) }}
		next.ServeHTTP(w, r)
	})
}

// body lifts the deadline when its end is reached, so that a handler that
// runs long after reading (or the server's check that the client is
// still there) is not cut off by it.
type body struct {
	io.ReadCloser
	lift   func()
	lifted bool
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		b.lift()
	}
	return n, err
}
