// Package sqlstore implements store.Store on SQL: SQLite (the default, a
// file in the data directory, through the pure-Go modernc driver) with WAL
// so that an acknowledged write survives a crash of the process, or
// PostgreSQL (through pgx) for several server replicas on one database.
//
// On SQLite, writes go through one connection with BEGIN IMMEDIATE, so
// writers queue in Go instead of failing with SQLITE_BUSY. On PostgreSQL,
// every write transaction first takes one transaction-scoped advisory lock,
// so that writers of all replicas run one at a time as on SQLite. Reads use
// a pool and see one consistent snapshot (REPEATABLE READ on PostgreSQL).
// The schema is versioned by the numbered files in migrations/, applied in
// order at Open; dialect.go holds what differs between the two.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/jackc/pgx/v5/pgconn"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a SQL store.
type Store struct {
	w, r    *sql.DB
	dialect dialect
	now     func() time.Time
	cache   *rowCache
}

var _ store.Store = (*Store)(nil)

// OpenSQLite opens (creating if needed) the database file at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + filepath.ToSlash(path) +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{w: w, r: r, dialect: sqlite, now: func() time.Time { return time.Now().UTC() }, cache: newRowCache()}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Warm reads every BGPVPN once so that the first list after a start is
// served from the row cache like the ones after it.
func (s *Store) Warm(ctx context.Context) error {
	return s.View(ctx, func(t store.Tx) error {
		_, err := t.ListBGPVPNs(store.Query{})
		return err
	})
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// Migrate applies the migrations that the database has not seen yet.
func (s *Store) Migrate(ctx context.Context) error {
	// In a write transaction: replicas starting together on PostgreSQL
	// take turns instead of racing to create the table.
	err := s.Update(ctx, func(t store.Tx) error {
		_, err := t.(*tx).Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		base := filepath.Base(f)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: bad name", base)
		}
		body, err := s.dialect.migration(base)
		if err != nil {
			return err
		}
		err = s.Update(ctx, func(t store.Tx) error {
			tx := t.(*tx)
			var seen int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, n).Scan(&seen); err != nil {
				return err
			}
			if seen > 0 {
				return nil
			}
			if _, err := tx.Exec(body); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, n, s.now().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", base, err)
		}
	}
	return nil
}

// Version returns the newest applied migration.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// Update runs fn in a write transaction.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.w, false, fn)
}

// View runs fn in a read transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.r, true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(store.Tx) error) (err error) {
	sqlTx, err := s.dialect.begin(ctx, db, readOnly)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	t := &tx{Tx: sqlTx, ctx: ctx, dialect: s.dialect, now: s.now(), readOnly: readOnly, cache: s.cache}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	if readOnly {
		return sqlTx.Rollback()
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// tx is one transaction; it implements store.Tx.
type tx struct {
	*sql.Tx
	ctx      context.Context
	dialect  dialect
	now      time.Time
	readOnly bool
	cache    *rowCache
	// feedRevision is this transaction's feed revision once TouchHosts
	// has bumped it.
	feedRevision int64
}

var _ store.Tx = (*tx)(nil)

// Exec, Query and QueryRow take queries with "?" placeholders and give the
// driver its own.
func (t *tx) Exec(q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(t.ctx, t.dialect.rebind(q), args...)
}
func (t *tx) Query(q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(t.ctx, t.dialect.rebind(q), args...)
}
func (t *tx) QueryRow(q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(t.ctx, t.dialect.rebind(q), args...)
}

// mapErr turns driver errors into the store's sentinels.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgUniqueViolation:
			return fmt.Errorf("%s: %w: %v", what, store.ErrConflict, err)
		case pgForeignKeyViolation:
			return fmt.Errorf("%s: %w: %v", what, store.ErrNotFound, err)
		}
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "duplicate key value") {
		return fmt.Errorf("%s: %w: %v", what, store.ErrConflict, err)
	}
	if strings.Contains(msg, "FOREIGN KEY constraint failed") || strings.Contains(msg, "violates foreign key") {
		return fmt.Errorf("%s: %w: %v", what, store.ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// stamp fills the standard attributes of a new object; Neutron shows a
// new object at revision 1.
func (t *tx) stamp(s *store.Std) {
	s.CreatedAt, s.UpdatedAt, s.Revision = t.now, t.now, 1
}

// touch bumps the standard attributes of an updated object.
func (t *tx) touch(s *store.Std) {
	s.UpdatedAt = t.now
	s.Revision++
}

const timeFormat = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func joinList(l []string) string { return strings.Join(l, ",") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// affected checks that an UPDATE or DELETE hit a row.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return mapErr(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
