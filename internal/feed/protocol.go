package feed

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Paths of the feed on bgpvpn-server, under a prefix no Neutron client uses.
const (
	// PathPrefix is where every feed path starts.
	PathPrefix = "/v2.0/agent-feed/"
	// ContentType is the media type of the watch stream: one JSON Message a
	// line.
	ContentType = "application/x-ndjson"
)

// WatchPath is the path of host's watch stream.
func WatchPath(host string) string { return PathPrefix + "hosts/" + url.PathEscape(host) + "/watch" }

// StatusPath is the path where host's agent reports status.
func StatusPath(host string) string { return PathPrefix + "hosts/" + url.PathEscape(host) + "/status" }

// AlivePath is where host's agent says, while it watches, that it is
// alive (a POST without body).
func AlivePath(host string) string { return PathPrefix + "hosts/" + url.PathEscape(host) + "/alive" }

// MessageType says what a stream line carries.
type MessageType string

// The message types.
const (
	// State carries the host's whole desired state at Revision.
	State MessageType = "state"
	// Heartbeat says that the last state sent is still current at Revision
	// (a point an agent may resume from); it carries no attachments.
	Heartbeat MessageType = "heartbeat"
)

// Message is one line of the watch stream.
type Message struct {
	Type     MessageType `json:"type"`
	Host     string      `json:"host"`
	Epoch    string      `json:"epoch"`
	Revision int64       `json:"revision"`
	// Attachments is the whole state of a State message (absent when the
	// host has none).
	Attachments []Attachment `json:"attachments,omitempty"`
	// HeartbeatSeconds, on the first message of a stream, is how often the
	// server sends something: a client that hears nothing for a few of
	// these reconnects.
	HeartbeatSeconds float64 `json:"heartbeat_seconds,omitempty"`
	// AliveSeconds, on the first message of a stream, is how often the
	// agent should POST to AlivePath while it watches: the server counts a
	// host whose agent it has not heard from for a few of these as dead.
	// An open stream alone proves nothing (a load balancer, or a crashed
	// host's socket, keeps it open).
	AliveSeconds float64 `json:"alive_seconds,omitempty"`
}

// HostState returns the state a State message carries.
func (m *Message) HostState() HostState {
	atts := m.Attachments
	if atts == nil {
		atts = []Attachment{}
	}
	return HostState{Host: m.Host, Epoch: m.Epoch, Revision: m.Revision, Attachments: atts}
}

// Status is the realisation state of an association.
type Status string

// The statuses. Agents report Active, Down or Error; Build is the server's
// word for "some host has not reported the current revision yet".
const (
	Active Status = "ACTIVE"
	Down   Status = "DOWN"
	Error  Status = "ERROR"
	Build  Status = "BUILD"
)

// StatusReport is what an agent POSTs to StatusPath: the status of every
// association of the state it applied.
type StatusReport struct {
	Epoch string `json:"epoch"`
	// Revision is the revision of the state applied.
	Revision     int64               `json:"revision"`
	Associations []AssociationStatus `json:"associations"`
}

// AssociationStatus is one association's status on one host.
type AssociationStatus struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Validate checks a report received from outside.
func (r *StatusReport) Validate() error {
	if r.Revision < 0 {
		return fmt.Errorf("revision %d: must not be negative", r.Revision)
	}
	// No store keeps a NUL alike (PostgreSQL refuses it): refused here.
	if strings.IndexByte(r.Epoch, 0) >= 0 {
		return errors.New("epoch holds a NUL character")
	}
	for _, a := range r.Associations {
		if strings.IndexByte(a.ID, 0) >= 0 || strings.IndexByte(a.Reason, 0) >= 0 {
			return fmt.Errorf("association %q: a NUL character in its id or reason", a.ID)
		}
		if a.ID == "" || len(a.ID) > 64 {
			return fmt.Errorf("association id %q: want 1 to 64 characters", a.ID)
		}
		switch a.Status {
		case Active, Down, Error:
		default:
			return fmt.Errorf("association %s: status %q: want ACTIVE, DOWN or ERROR", a.ID, a.Status)
		}
		if len(a.Reason) > 1024 {
			return fmt.Errorf("association %s: reason longer than 1024 characters", a.ID)
		}
	}
	return nil
}
