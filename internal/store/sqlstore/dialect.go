package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialect is what differs between SQLite and PostgreSQL: placeholders,
// how transactions begin, and a few migrations.
type dialect int

const (
	sqlite dialect = iota
	postgres
)

// PostgreSQL's SQLSTATEs for the constraint violations the API reports.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// writeLock is the key of the advisory lock every PostgreSQL write
// transaction holds, so that writers of all replicas run one at a time,
// as the code relies on (allocating the next VNI, checking then writing).
const writeLock = 0x62677076706e // "bgpvpn"

// rebind turns the "?" placeholders of q into PostgreSQL's $1, $2, ...
// Question marks inside quoted literals are left alone.
func (d dialect) rebind(q string) string {
	if d != postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	quote := byte(0)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// begin starts a transaction. On PostgreSQL a read sees one snapshot for
// its whole length (REPEATABLE READ), and a write waits for the write lock.
func (d dialect) begin(ctx context.Context, db *sql.DB, readOnly bool) (*sql.Tx, error) {
	if d != postgres {
		return db.BeginTx(ctx, nil)
	}
	if readOnly {
		return db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLock)); err != nil {
		t.Rollback()
		return nil, fmt.Errorf("taking the write lock: %w", err)
	}
	return t, nil
}

// pgRewrites turn the migrations' SQLite SQL into PostgreSQL's: text
// columns compare byte by byte (COLLATE "C"), as on SQLite, whatever the
// database's locale, so sorting and pagination markers order rows alike
// on both; the feed epoch's 32 random hex digits come from
// gen_random_uuid (PostgreSQL 13 or later).
var pgRewrites = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\bTEXT\b`), `TEXT COLLATE "C"`},
	{regexp.MustCompile(`lower\(hex\(randomblob\(16\)\)\)`), `replace(gen_random_uuid()::text, '-', '')`},
}

// migration returns the body of the migration file base for this dialect.
func (d dialect) migration(base string) (string, error) {
	b, err := migrations.ReadFile("migrations/" + base)
	if err != nil || d != postgres {
		return string(b), err
	}
	sql := string(b)
	for _, r := range pgRewrites {
		sql = r.re.ReplaceAllString(sql, r.with)
	}
	return sql, nil
}

// Open opens the database named by an oslo-style connection URL:
// postgresql://user:pass@host:port/db (also postgres:// and
// postgresql+<driver>://, as Neutron's configuration spells it) or
// sqlite:///absolute/path.
func Open(ctx context.Context, conn string) (*Store, error) {
	scheme, rest, ok := strings.Cut(conn, "://")
	if !ok {
		return nil, errors.New("not a URL: want postgresql://user:password@host:port/database or sqlite:///path")
	}
	base, _, _ := strings.Cut(scheme, "+")
	switch base {
	case "postgresql", "postgres":
		return OpenPostgres(ctx, "postgresql://"+rest)
	case "sqlite":
		if !strings.HasPrefix(rest, "/") || rest == "/" {
			return nil, fmt.Errorf("%q: want sqlite:///absolute/path", conn)
		}
		return OpenSQLite(ctx, rest)
	}
	return nil, fmt.Errorf("%s: unsupported scheme %q (want postgresql or sqlite)", redact(conn), scheme)
}

// redact hides the password of a URL for error messages.
func redact(conn string) string {
	u, err := url.Parse(conn)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparsable URL)"
		}
		return conn
	}
	return u.Redacted()
}

// OpenPostgres connects to the PostgreSQL database at dsn (a postgresql://
// URL) and brings its schema up to date.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err // pgx's message hides the password
	}
	w := stdlib.OpenDB(*cfg)
	w.SetMaxOpenConns(4)
	w.SetMaxIdleConns(4)
	w.SetConnMaxIdleTime(5 * time.Minute)
	r := stdlib.OpenDB(*cfg)
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{w: w, r: r, dialect: postgres, now: func() time.Time { return time.Now().UTC() }, cache: newRowCache()}
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to %s: %w", redact(dsn), err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
