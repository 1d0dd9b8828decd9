package sqlstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore/pgtest"
	"github.com/bgpvpn/bgpvpn/internal/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) { storetest.Run(t, openTemp) }

func openPostgres(t *testing.T) store.Store {
	s, err := Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) { storetest.Run(t, openPostgres) }

func TestMigrateIsIdempotent(t *testing.T) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	latest := len(files)
	path := filepath.Join(t.TempDir(), "bgpvpn.db")
	for range 2 {
		s, err := OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.Version(context.Background())
		if err != nil || v != latest {
			t.Errorf("Version() = %d, %v; want %d", v, err, latest)
		}
		s.Close()
	}
}

// TestCommittedWriteSurvivesKill writes in a child process that is killed
// with SIGKILL right after the commit returns, then reads the write back.
func TestCommittedWriteSurvivesKill(t *testing.T) {
	if path := os.Getenv("BGPVPN_CRASH_CHILD_DB"); path != "" {
		s, err := OpenSQLite(context.Background(), path)
		if err != nil {
			os.Exit(2)
		}
		err = s.Update(context.Background(), func(tx store.Tx) error {
			return tx.CreateBGPVPN(&store.BGPVPN{ID: "00000000-0000-4000-8000-000000000001", ProjectID: "p", Type: "l3"})
		})
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("committed\n")
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		select {}
	}
	path := filepath.Join(t.TempDir(), "bgpvpn.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommittedWriteSurvivesKill$")
	cmd.Env = append(os.Environ(), "BGPVPN_CRASH_CHILD_DB="+path)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || string(out) != "committed\n" {
		t.Fatalf("child: output %q, error %v; want it killed after committing", out, err)
	}
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.GetBGPVPN("00000000-0000-4000-8000-000000000001")
		return err
	})
	if err != nil {
		t.Errorf("reading the acknowledged write after a kill: %v", err)
	}
}

// TestListCacheFollowsWrites checks that lists served from the row cache
// show every committed change and never a rolled back one.
func TestListCacheFollowsWrites(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	const id = "00000000-0000-4000-8000-000000000001"
	names := func() []string {
		var out []string
		s.View(ctx, func(tx store.Tx) error {
			vs, err := tx.ListBGPVPNs(store.Query{})
			for _, v := range vs {
				out = append(out, v.Name)
			}
			return err
		})
		return out
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateBGPVPN(&store.BGPVPN{ID: id, ProjectID: "p", Name: "first", Type: "l3"})
	}))
	if got := names(); len(got) != 1 || got[0] != "first" {
		t.Fatalf("list after create = %v, want [first]", got)
	}
	rename := func(name string) func(store.Tx) error {
		return func(tx store.Tx) error {
			v, err := tx.GetBGPVPN(id)
			if err != nil {
				return err
			}
			v.Name = name
			return tx.UpdateBGPVPN(v)
		}
	}
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := rename("rolled-back")(tx); err != nil {
			return err
		}
		if _, err := tx.ListBGPVPNs(store.Query{}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := names(); len(got) != 1 || got[0] != "first" {
		t.Errorf("list after a rolled back rename = %v, want [first]", got)
	}
	must(s.Update(ctx, rename("second")))
	if got := names(); len(got) != 1 || got[0] != "second" {
		t.Errorf("list after rename = %v, want [second]", got)
	}
	must(s.Update(ctx, func(tx store.Tx) error { return tx.DeleteBGPVPN(id) }))
	if got := names(); len(got) != 0 {
		t.Errorf("list after delete = %v, want []", got)
	}
}

// TestLivenessMigrationKeepsReportingHosts: upgrading a database whose
// agents reported before liveness was recorded does not make them look
// like hosts that never had an agent.
func TestLivenessMigrationKeepsReportingHosts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bgpvpn.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0003, with reports in it.
	for _, q := range []string{`DROP TABLE agent_liveness`, `DELETE FROM schema_migrations WHERE version = 3`,
		`INSERT INTO agent_status (association_id, host, revision, status, reported_at) VALUES
			('a1', 'h1', 1, 'ACTIVE', '2026-11-24T10:00:00.000000Z'), ('a2', 'h1', 1, 'ACTIVE', '2026-11-24T11:00:00.000000Z')`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = OpenSQLite(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got map[string]store.AgentSeen
	if err := s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.AgentsSeen([]string{"h1", "h2"}); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || fmtTime(got["h1"].At) != "2026-11-24T11:00:00.000000Z" {
		t.Errorf("AgentsSeen after the migration = %+v, want h1 seen at its last report, 11:00", got)
	}
}
