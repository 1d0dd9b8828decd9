package notify

import (
	"testing"
)

func TestEventType(t *testing.T) {
	tests := []struct {
		name, body, want string
		wantErr          bool
	}{
		{"oslo envelope", `{"oslo.version": "2.0", "oslo.message": "{\"event_type\": \"port.update.end\", \"payload\": {\"port\": {}}}"}`, "port.update.end", false},
		{"unwrapped", `{"event_type": "network.delete.end", "payload": {}}`, "network.delete.end", false},
		{"not JSON", `x`, "", true},
		{"envelope with bad inner JSON", `{"oslo.version": "2.0", "oslo.message": "{"}`, "", true},
		{"no event type", `{"oslo.version": "2.0", "oslo.message": "{}"}`, "", true},
		{"nothing", `{}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventType([]byte(tt.body))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("EventType(%s) = %q, %v; want %q, error %v", tt.body, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRelevant(t *testing.T) {
	for ev, want := range map[string]bool{
		"port.update.end": true, "port.create.start": false, "network.delete.end": true, "subnet.create.end": true,
		"router.interface.create": true, "router.interface.delete": true, "router.update.end": true,
		"floatingip.update.end": false, "security_group.create.end": false, "": false,
	} {
		if got := Relevant(ev); got != want {
			t.Errorf("Relevant(%q) = %v, want %v", ev, got, want)
		}
	}
}

func FuzzEventType(f *testing.F) {
	f.Add([]byte(`{"oslo.version": "2.0", "oslo.message": "{\"event_type\": \"port.update.end\"}"}`))
	f.Add([]byte(`{"event_type": "x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := EventType(b)
		if err == nil && ev == "" {
			t.Errorf("EventType(%q) = \"\", nil", b)
		}
	})
}

func TestAMQPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rabbit://u:p@127.0.0.1:5672/", "amqp://u:p@127.0.0.1/"},
		{"rabbit://u:p@h1:5672,u:p@h2:5672/vh", "amqp://u:p@h1/vh"},
		{"amqp://u:p@h1:5673/", "amqp://u:p@h1:5673/"},
	}
	for _, tt := range tests {
		if got, err := AMQPURL(tt.in); err != nil || got != tt.want {
			t.Errorf("AMQPURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := AMQPURL("fake:/"); err == nil {
		t.Errorf("AMQPURL(fake:/) = nil error, want one")
	}
}
