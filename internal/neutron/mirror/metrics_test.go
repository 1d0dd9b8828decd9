package mirror_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

// metrics is the mirror's series, without comments, "name value" a line.
func (f *fixture) metrics() []string {
	f.t.Helper()
	rec := httptest.NewRecorder()
	f.m.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	var out []string
	for _, l := range strings.Split(string(body), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestMetricsShowTheMirrorsAge(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mirror.SetClock(f.m, func() time.Time { return now })
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{
			name: "before the first read",
			do:   func() {},
			want: []string{
				"bgpvpn_server_neutron_mirror_synced 0",
				`bgpvpn_server_neutron_mirror_reads_total{kind="full"} 0`,
				`bgpvpn_server_neutron_mirror_reads_total{kind="targeted"} 0`,
				"bgpvpn_server_neutron_mirror_failures_total 0",
			},
		},
		{
			name: "read",
			do:   func() { f.sync(); now = now.Add(1500 * time.Millisecond) },
			want: []string{
				"bgpvpn_server_neutron_mirror_synced 1",
				"bgpvpn_server_neutron_mirror_age_seconds 1.500",
				`bgpvpn_server_neutron_mirror_reads_total{kind="full"} 1`,
				`bgpvpn_server_neutron_mirror_reads_total{kind="targeted"} 0`,
				"bgpvpn_server_neutron_mirror_failures_total 0",
			},
		},
		{
			name: "neutron down: the age grows",
			do: func() {
				f.down = errors.New("connection refused")
				if _, err := f.m.Sync(context.Background()); err == nil {
					t.Fatal("Sync with Neutron down: no error")
				}
				now = now.Add(60 * time.Second)
			},
			want: []string{
				"bgpvpn_server_neutron_mirror_synced 1",
				"bgpvpn_server_neutron_mirror_age_seconds 61.500",
				`bgpvpn_server_neutron_mirror_reads_total{kind="full"} 1`,
				`bgpvpn_server_neutron_mirror_reads_total{kind="targeted"} 0`,
				"bgpvpn_server_neutron_mirror_failures_total 1",
			},
		},
		{
			name: "neutron back: the age falls",
			do:   func() { f.down = nil; f.sync() },
			want: []string{
				"bgpvpn_server_neutron_mirror_synced 1",
				"bgpvpn_server_neutron_mirror_age_seconds 0.000",
				`bgpvpn_server_neutron_mirror_reads_total{kind="full"} 2`,
				`bgpvpn_server_neutron_mirror_reads_total{kind="targeted"} 0`,
				"bgpvpn_server_neutron_mirror_failures_total 1",
			},
		},
	}
	for _, s := range steps {
		s.do()
		if diff := cmp.Diff(s.want, f.metrics()); diff != "" {
			t.Errorf("%s: metrics (-want +got):\n%s", s.name, diff)
		}
	}
}
