package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// apiError is an error answered by the server; its text is the server's
// message, which is what users need to read (as with the openstack CLI).
type apiError struct {
	Status  int
	Type    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

// usageError marks a command line the user must fix; it exits with 2, as
// argparse does.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// notFoundError is a failed name-or-ID lookup.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// serverError turns a gophercloud error into the server's message.
func serverError(err error) error {
	if err == nil {
		return nil
	}
	var uc gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &uc) {
		var ucp *gophercloud.ErrUnexpectedResponseCode
		if !errors.As(err, &ucp) {
			return err
		}
		uc = *ucp
	}
	return &apiError{Status: uc.Actual, Type: errorType(uc.Body), Message: errorMessage(uc.Actual, uc.Body)}
}

func errorType(body []byte) string {
	var ne struct {
		NeutronError struct {
			Type string `json:"type"`
		} `json:"NeutronError"`
	}
	if json.Unmarshal(body, &ne) == nil {
		return ne.NeutronError.Type
	}
	return ""
}

// errorMessage finds the message in a Neutron error body
// ({"NeutronError": {"message": ...}}) or in the other shapes OpenStack
// services use, and falls back to the status line and body.
func errorMessage(status int, body []byte) string {
	var shapes struct {
		NeutronError *struct {
			Message string `json:"message"`
		} `json:"NeutronError"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &shapes) == nil {
		switch {
		case shapes.NeutronError != nil && shapes.NeutronError.Message != "":
			return shapes.NeutronError.Message
		case shapes.Error != nil && shapes.Error.Message != "":
			return shapes.Error.Message
		case shapes.Message != "":
			return shapes.Message
		}
	}
	head := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if status < 400 || status > 599 || http.StatusText(status) == "" {
		// Not an error status Neutron uses (999, or a success code the
		// call does not expect, such as 200 for a create).
		head = fmt.Sprintf("unexpected answer from the network API: status %d", status)
	}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return head
	}
	// An HTML error page of a proxy is not worth a screenful.
	const maxText = 512
	if len(text) > maxText {
		text = strings.ToValidUTF8(text[:maxText], "") + "…"
	}
	return head + ": " + text
}

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(serverError(err), &ae) && ae.Status == http.StatusNotFound
}
