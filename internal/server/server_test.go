package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore/pgtest"
)

func TestParseProvider(t *testing.T) {
	tests := []struct {
		name    string
		lines   []string
		want    Provider
		wantErr string
	}{
		{"ours", []string{"BGPVPN:Dummy:dummy:default"}, Provider{"Dummy", "dummy"}, ""},
		{"without default", []string{"BGPVPN:D:dummy"}, Provider{"D", "dummy"}, ""},
		{"original class path", []string{"BGPVPN:Dummy:networking_bgpvpn.neutron.services.service_drivers.driver_api.BGPVPNDriverRC:default"}, Provider{"Dummy", "dummy"}, ""},
		{"original bagpipe v2 class path", []string{"BGPVPN:BaGPipe:networking_bgpvpn.neutron.services.service_drivers.bagpipe.bagpipe_v2.BaGPipeBGPVPNDriver:default"}, Provider{"BaGPipe", "bagpipe"}, ""},
		{"bagpipe", []string{"BGPVPN:BaGPipe:bagpipe:default"}, Provider{"BaGPipe", "bagpipe"}, ""},
		{"other service types ignored", []string{"L3_ROUTER_NAT:x:y:default", "BGPVPN:D:dummy:default"}, Provider{"D", "dummy"}, ""},
		{"none", []string{"L3_ROUTER_NAT:x:y:default"}, Provider{}, "no BGPVPN service_provider"},
		{"two", []string{"BGPVPN:A:dummy:default", "BGPVPN:B:dummy:default"}, Provider{}, "exactly one"},
		{"malformed", []string{"BGPVPN"}, Provider{}, "want BGPVPN:<name>:<driver>:default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProvider(tt.lines)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseProvider(%q) error = %v, want one containing %q", tt.lines, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseProvider(%q) = %+v, %v; want %+v", tt.lines, got, err, tt.want)
			}
		})
	}
}

func newFromINI(t *testing.T, ini string) (*Server, error) {
	t.Helper()
	v, err := Schema().Parse("test.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+t.TempDir()+"\n"+ini))
	if err != nil {
		t.Fatal(err)
	}
	return New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestNewRefusesBadConfig(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(bad, []byte("create_bgpvpn: \"rule:admin_only and\"\n"), 0o600)
	for name, ini := range map[string]string{
		"unknown driver":           "[service_providers]\nservice_provider = BGPVPN:X:nope:default\n",
		"unparsable policy":        "[oslo_policy]\npolicy_file = " + bad + "\n",
		"missing policy":           "[oslo_policy]\npolicy_file = /nonexistent/policy.yaml\n",
		"unsupported database":     "[database]\nconnection = mysql://u:p@localhost/db\n",
		"bad postgres URL":         "[database]\nconnection = postgresql://u:p@localhost:notaport/db\n",
		"unreachable postgres":     "[database]\nconnection = postgresql://u:p@127.0.0.1:1/db?connect_timeout=5\n",
		"negative agent_down_time": "[service_providers]\nservice_provider = BGPVPN:B:bagpipe:default\n[agent_feed]\nagent_down_time = -1\n",
	} {
		if _, err := newFromINI(t, ini); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
}

// TestServesAndShutsDown starts the real server on a loopback port.
func TestServesAndShutsDown(t *testing.T) { testServesAndShutsDown(t, "") }

// TestPostgresServesAndShutsDown is the same on PostgreSQL.
func TestPostgresServesAndShutsDown(t *testing.T) {
	testServesAndShutsDown(t, "[database]\nconnection = "+pgtest.DSN(t)+"\n")
}

func testServesAndShutsDown(t *testing.T, ini string) {
	s, err := newFromINI(t, ini)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/v2.0/extensions/bgpvpn")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v2.0/extensions/bgpvpn = %d, want 200", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run() = %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestConfigSampleListsEveryOption(t *testing.T) {
	sample := Schema().Sample()
	for _, want := range []string{"[DEFAULT]", "#bind_port = 9696", "[service_providers]", "#service_provider = BGPVPN:Dummy:dummy:default", "[oslo_policy]",
		"[agent_feed]", "#agent_down_time = 75"} {
		if !strings.Contains(sample, want) {
			t.Errorf("config sample lacks %q", want)
		}
	}
}
