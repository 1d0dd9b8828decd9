package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// writeError renders err as a Neutron fault. Only faults carry their own
// message to the client; anything else is logged and becomes a plain 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	f, ok := fault.As(err)
	if !ok {
		var pe *policy.NotAuthorizedError
		if errors.As(err, &pe) {
			f = fault.New(http.StatusForbidden, "PolicyNotAuthorized", pe.Error())
		} else {
			log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
			f = fault.New(http.StatusInternalServerError, "HTTPInternalServerError",
				"Request Failed: internal server error while processing your request.")
		}
	}
	body := Fields{{"NeutronError", Fields{{"type", f.Type}, {"message", f.Message}, {"detail", ""}}}}
	writeJSON(w, f.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, body Fields) {
	b := body.appendJSON(make([]byte, 0, 512))
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
