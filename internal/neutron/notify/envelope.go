package notify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Notification is one of Neutron's notifications.
type Notification struct {
	Event   string          `json:"event_type"`
	Payload json.RawMessage `json:"payload"`
}

// Parse reads one notification: oslo.messaging's envelope
// {"oslo.version": "2.0", "oslo.message": "<json>"} around
// {"event_type": ..., "payload": ...}, or an unwrapped message.
func Parse(body []byte) (Notification, error) {
	var env struct {
		Version string  `json:"oslo.version"`
		Message *string `json:"oslo.message"`
		Notification
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Notification{}, fmt.Errorf("decoding a notification: %w", err)
	}
	n := env.Notification
	if env.Message != nil {
		n = Notification{}
		if err := json.Unmarshal([]byte(*env.Message), &n); err != nil {
			return Notification{}, fmt.Errorf("decoding a notification's oslo.message: %w", err)
		}
	}
	if n.Event == "" {
		return Notification{}, fmt.Errorf("decoding a notification: no event_type")
	}
	return n, nil
}

// EventType reads the event type of one notification (see Parse).
func EventType(body []byte) (string, error) {
	n, err := Parse(body)
	return n.Event, err
}

// Relevant reports whether an event changes what the mirror keeps:
// networks, subnets, ports and routers (router.interface.create and
// .delete included), once done (".end"; the interface events have no
// suffix).
func Relevant(eventType string) bool {
	for _, p := range []string{"network.", "subnet.", "port.", "router."} {
		if strings.HasPrefix(eventType, p) {
			return strings.HasSuffix(eventType, ".end") || strings.HasPrefix(eventType, "router.interface.")
		}
	}
	return false
}
