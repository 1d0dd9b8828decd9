package identity

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/google/go-cmp/cmp"
)

func TestNoAuth(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		want    policy.Credentials
		wantErr error
	}{
		{"no headers is admin", nil, DefaultAdmin, nil},
		{"member", map[string]string{"X-User-Id": "u", "X-Project-Id": "p", "X-Roles": "member, reader"},
			policy.Credentials{UserID: "u", ProjectID: "p", Roles: []string{"member", "reader"}}, nil},
		{"legacy tenant header", map[string]string{"X-User-Id": "u", "X-Tenant-Id": "p"},
			policy.Credentials{UserID: "u", ProjectID: "p"}, nil},
		{"project without user", map[string]string{"X-Project-Id": "p", "X-Roles": "member"}, policy.Credentials{}, ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			got, err := NoAuth{Admin: DefaultAdmin}.Authenticate(r)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Authenticate() error = %v, want %v", err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Authenticate() mismatch (-want +got):\n%s", d)
			}
		})
	}
}
