package notify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// EventType reads the event type of one notification: oslo.messaging's
// envelope {"oslo.version": "2.0", "oslo.message": "<json>"} around
// {"event_type": ..., "payload": ...}, or an unwrapped message.
func EventType(body []byte) (string, error) {
	var env struct {
		Version string  `json:"oslo.version"`
		Message *string `json:"oslo.message"`
		Event   string  `json:"event_type"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("decoding a notification: %w", err)
	}
	if env.Message == nil {
		if env.Event == "" {
			return "", fmt.Errorf("decoding a notification: no event_type")
		}
		return env.Event, nil
	}
	var msg struct {
		Event string `json:"event_type"`
	}
	if err := json.Unmarshal([]byte(*env.Message), &msg); err != nil {
		return "", fmt.Errorf("decoding a notification's oslo.message: %w", err)
	}
	if msg.Event == "" {
		return "", fmt.Errorf("decoding a notification: no event_type")
	}
	return msg.Event, nil
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
