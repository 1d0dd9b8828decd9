package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	// The newest version is the highest number: branches number their
	// migrations apart, so there may be gaps until they merge.
	latest := 0
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		latest = max(latest, n)
	}
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

// TestPostgresReplicasWriteOneAtATime: two stores on one PostgreSQL
// database, as two server replicas, create networks at the same time.
// Every network gets its own VNI (allocated by reading the largest in use)
// and every transaction its own feed revision, as with one writer.
func TestPostgresReplicasWriteOneAtATime(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	// Both start at once on the empty schema and migrate it.
	var replicas [2]*Store
	var openErrs [2]error
	var opening sync.WaitGroup
	for i := range replicas {
		opening.Go(func() { replicas[i], openErrs[i] = Open(ctx, dsn) })
	}
	opening.Wait()
	for _, s := range replicas {
		if s != nil {
			t.Cleanup(func() { s.Close() })
		}
	}
	for i, err := range openErrs {
		if err != nil {
			t.Fatalf("opening replica %d: %v", i, err)
		}
	}
	const each = 25
	errs := make(chan error, 2*each)
	revs := make(chan int64, 2*each)
	var wg sync.WaitGroup
	for r, s := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.Update(ctx, func(tx store.Tx) error {
					n := &store.Network{ID: fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", r, i), ProjectID: "p",
						AdminStateUp: true, MTU: 1450, Status: "ACTIVE"}
					if err := tx.CreateNetwork(n); err != nil {
						return err
					}
					rev, err := tx.TouchHosts([]string{fmt.Sprint("host", r)})
					revs <- rev
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(revs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent create: %v", err)
		}
	}
	seenRev := map[int64]bool{}
	for r := range revs {
		if seenRev[r] {
			t.Errorf("feed revision %d handed out twice", r)
		}
		seenRev[r] = true
	}
	var nets []*store.Network
	err := replicas[0].View(ctx, func(tx store.Tx) (err error) { nets, err = tx.ListNetworks(store.Query{}); return err })
	if err != nil {
		t.Fatal(err)
	}
	vnis := map[int64]bool{}
	for _, n := range nets {
		vnis[n.SegmentationID] = true
	}
	if len(nets) != 2*each || len(vnis) != 2*each {
		t.Errorf("%d networks with %d distinct VNIs, want %d of each", len(nets), len(vnis), 2*each)
	}
	var fr store.FeedRevision
	replicas[1].View(ctx, func(tx store.Tx) (err error) { fr, err = tx.FeedRevision(); return err })
	if fr.Revision != 2*each || len(fr.Epoch) != 32 {
		t.Errorf("feed revision = %+v, want revision %d and a 32-digit epoch", fr, 2*each)
	}
}

func TestRebind(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1":                         "SELECT 1",
		"a = ? AND b IN (?,?)":             "a = $1 AND b IN ($2,$3)",
		"x = '?' AND y = ? AND \"c?\" = ?": "x = '?' AND y = $1 AND \"c?\" = $2",
	} {
		if got := postgres.rebind(q); got != want {
			t.Errorf("rebind(%q) = %q, want %q", q, got, want)
		}
		if got := sqlite.rebind(q); got != q {
			t.Errorf("SQLite rebind(%q) = %q, want it unchanged", q, got)
		}
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, conn := range []string{"mysql://u:secret@h/db", "no-scheme", "sqlite://relative.db", "postgresql://u:secret@h:notaport/db"} {
		_, err := Open(context.Background(), conn)
		if err == nil {
			t.Errorf("Open(%q) = nil error, want one", conn)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error %q shows the password", conn, err)
		}
	}
}
