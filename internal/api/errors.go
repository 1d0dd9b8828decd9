package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// requestIDHeader carries a request's ID in every answer, as Neutron's.
const requestIDHeader = "X-Openstack-Request-Id"

// writeError renders err as a Neutron fault. Only faults carry their own
// message to the client; anything else becomes a plain 500. Every 5xx but 501 is
// logged here, once, with its cause and the request's ID, which its
// message also gives, so that what a user reports leads to the cause.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	f, ok := fault.As(err)
	if !ok {
		var pe *policy.NotAuthorizedError
		if errors.As(err, &pe) {
			f = fault.New(http.StatusForbidden, "PolicyNotAuthorized", pe.Error())
		} else {
			f = fault.New(http.StatusInternalServerError, "HTTPInternalServerError",
				"Request Failed: internal server error while processing your request.")
		}
	}
	msg := f.Message
	// 501 is a deliberate answer (a method the resource lacks), not a failure.
	if f.Status >= http.StatusInternalServerError && f.Status != http.StatusNotImplemented {
		id := w.Header().Get(requestIDHeader)
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", f.Status,
			"type", f.Type, "request_id", id, "error", err)
		msg += " (request ID " + id + ")"
	}
	body := Fields{{"NeutronError", Fields{{"type", f.Type}, {"message", msg}, {"detail", ""}}}}
	writeJSON(w, f.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, body Fields) {
	writeJSONSized(w, status, body, 512)
}

// writeJSONSized encodes body into a buffer of the expected size.
func writeJSONSized(w http.ResponseWriter, status int, body Fields, size int) {
	b := body.appendJSON(make([]byte, 0, size))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func notFoundPath() error {
	return fault.NotFound("HTTPNotFound", "The resource could not be found.")
}

func methodNotAllowed() error {
	return fault.New(http.StatusMethodNotAllowed, "HTTPMethodNotAllowed",
		"The server could not comply with the request since it is either malformed or otherwise incorrect.")
}
