// Package fault is the Neutron error model: an error that carries the HTTP
// status, the exception type name and the user-facing message that the API
// renders as {"NeutronError": {"type", "message", "detail"}}.
//
// Only messages meant for users go into a Fault. Lower layers return plain
// errors for everything else; the API turns those into a 500 without
// leaking their text.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Fault is an error with a Neutron type name and an HTTP status.
type Fault struct {
	Status  int
	Type    string
	Message string
	// Cause, never shown to the client, is what went wrong underneath
	// (a driver's error behind a 500), for the server's log.
	Cause error
}

func (f *Fault) Error() string {
	if f.Cause != nil {
		return f.Type + ": " + f.Message + ": " + f.Cause.Error()
	}
	return f.Type + ": " + f.Message
}

// Unwrap returns the cause.
func (f *Fault) Unwrap() error { return f.Cause }

// Wrap returns a Fault whose message is for the client and whose cause,
// err, is only for the server's log.
func Wrap(err error, status int, typ, format string, args ...any) *Fault {
	f := New(status, typ, format, args...)
	f.Cause = err
	return f
}

// New returns a Fault with a formatted message.
func New(status int, typ, format string, args ...any) *Fault {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return &Fault{Status: status, Type: typ, Message: format}
}

// As returns the Fault inside err, if any.
func As(err error) (*Fault, bool) {
	var f *Fault
	ok := errors.As(err, &f)
	return f, ok
}

// BadRequest is webob's HTTPBadRequest, the type of every request-parsing
// and attribute-validation failure.
func BadRequest(format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "HTTPBadRequest", format, args...)
}

// InvalidInput is neutron-lib's InvalidInput, raised by attribute converters.
func InvalidInput(reason string) *Fault {
	return New(http.StatusBadRequest, "InvalidInput", "Invalid input for operation: %s.", reason)
}

// BadResourceRequest is neutron-lib's BadRequest(resource=..., msg=...).
func BadResourceRequest(resource, format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "BadRequest", "Bad %s request: %s.", resource, fmt.Sprintf(format, args...))
}

// BadBGPVPNRequest is neutron's BadRequest with resource "bgpvpn".
func BadBGPVPNRequest(format string, args ...any) *Fault {
	return BadResourceRequest("bgpvpn", format, args...)
}

// NotFound builds a 404 of the given type.
func NotFound(typ, format string, args ...any) *Fault {
	return New(http.StatusNotFound, typ, format, args...)
}

// Conflict builds a 409 of the given type.
func Conflict(typ, format string, args ...any) *Fault {
	return New(http.StatusConflict, typ, format, args...)
}

// NotAuthorized is neutron's NotAuthorized. The original always says only
// "Not authorized."; we add what did not match (a documented difference).
func NotAuthorized(why string) *Fault {
	msg := "Not authorized."
	if why != "" {
		msg = "Not authorized: " + why + "."
	}
	return New(http.StatusForbidden, "NotAuthorized", msg)
}

// WithType returns f with another type name (for the original's many
// BadRequest subclasses).
func (f *Fault) WithType(typ string) *Fault {
	f.Type = typ
	return f
}
