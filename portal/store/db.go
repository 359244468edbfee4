// Package store holds the portal's state and the transactional operations on
// it. One implementation runs on SQLite (the default, one file, no set-up)
// and on PostgreSQL (for several portal instances behind a load balancer);
// the differences are confined to the dialect below.
//
// Every operation that decides something (may this seat be assigned?) runs
// the domain rule from package core inside the same transaction that reads
// and writes the rows, so concurrent portals cannot both take the last seat.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/licdesk/licdesk/core"
)

// dialect is what differs between the two databases.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is the portal's database.
type Store struct {
	// db serves reads; wdb serves write transactions. On SQLite they are
	// two pools over one file: readers run concurrently under WAL, and
	// writers queue on wmu in Go rather than sleep in SQLite's busy handler,
	// which hands the lock over far faster. On PostgreSQL both are the same
	// pool and wmu is unused.
	db  *sql.DB
	wdb *sql.DB
	wmu sync.Mutex
	d   dialect
	// now is the clock; tests move it to play out expiry and grace periods.
	now func() time.Time
	// stmts caches prepared statements by query text on SQLite, where
	// parsing a statement costs as much as running it. (pgx caches its own.)
	stmts  sync.Map
	rstmts sync.Map // the same for the read pool
	// kick wakes the mail sender after a write queued an e-mail.
	kick chan struct{}
	// kek encrypts the signing keys at rest (WithKeyEncryptionKey);
	// plainKeys allows them unencrypted, for development only.
	kek       []byte
	plainKeys bool
	// statements counts the SQL statements write transactions ran, for
	// the benchmarks' statements-per-write figure.
	statements atomic.Int64
}

// Statements returns how many SQL statements write transactions have run
// since the store was opened (BEGIN and COMMIT not counted): the cost
// measure of a write that does not depend on the machine.
func (s *Store) Statements() int64 { return s.statements.Load() }

// Option changes how a Store is opened.
type Option func(*Store)

// WithClock replaces the wall clock, for tests that move time.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the database named by dsn and migrates its
// schema: "sqlite:PATH" or a "postgres://" URL. It needs
// WithKeyEncryptionKey (or, for development, WithPlainSigningKeys): the
// signing keys are never kept in plain form by accident.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, kick: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s.d = dialectSQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open store: sqlite: needs a file path")
		}
		// Pragmas go in the DSN so that every pooled connection gets them;
		// immediate transactions make read-then-write safe under concurrency.
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		s.db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			q.Set("_txlock", "immediate")
			s.wdb, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
			// One connection runs the transaction, the other prepares
			// statements for the cache meanwhile.
			s.wdb.SetMaxOpenConns(2)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.d = dialectPostgres
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			s.db.SetMaxOpenConns(32)
			s.db.SetMaxIdleConns(32)
		}
		s.wdb = s.db
	default:
		return nil, fmt.Errorf("open store: unknown database %q (want sqlite:FILE or postgres://...)", redactDSN(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	if err := s.checkKeyMode(); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	if err := s.sealPlainKeys(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	// A wrong key file (or none for encrypted keys) fails here, at start,
	// rather than at the first signature.
	if _, _, err := s.readSigner(ctx, s.db, s.d); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", redactDSN(dsn), err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	for _, m := range []*sync.Map{&s.stmts, &s.rstmts} {
		m.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	}
	err := s.db.Close()
	if s.wdb != s.db {
		if werr := s.wdb.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// Dialect names the database behind the store ("sqlite" or "postgres").
func (s *Store) Dialect() string { return s.d.String() }

// redactDSN hides a password in a database URL before it reaches a message.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// tx is a transaction that speaks the store's placeholder style ("?").
type tx struct {
	*sql.Tx
	s   *Store
	d   dialect
	now time.Time
	// changes are the change feed entries the transaction recorded,
	// written when it ends (flushChanges).
	changes []changeRow
	// mailQueued is set when the transaction queued an e-mail.
	mailQueued bool
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.count()
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.count()
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	t.count()
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// count adds one statement to the store's count of write statements.
func (t *tx) count() {
	if t.s != nil {
		t.s.statements.Add(1)
	}
}

// QueryContext lets loadLicenses and friends use the statement cache too.
func (t *tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.query(ctx, q, args...)
}

// stmt returns the cached prepared statement for q bound to this
// transaction, or nil where the driver caches statements itself or the
// statement cannot be prepared (it then runs unprepared and reports its
// own error).
func (t *tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.d != dialectSQLite || t.s == nil {
		return nil
	}
	v, ok := t.s.stmts.Load(q)
	if !ok {
		// Prepared on the writer pool; StmtContext then prepares it once per
		// writer connection and keeps it.
		st, err := t.s.wdb.PrepareContext(ctx, q)
		if err != nil {
			return nil
		}
		if v, ok = t.s.stmts.LoadOrStore(q, st); ok {
			st.Close()
		}
	}
	return t.StmtContext(ctx, v.(*sql.Stmt))
}

// forUpdate locks the rows a read returns until the transaction ends, where
// the database needs telling (SQLite's immediate transactions already hold
// the write lock).
func (d dialect) forUpdate() string {
	if d == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// falseLit is the dialect's literal false.
func (d dialect) falseLit() string {
	if d == dialectPostgres {
		return "false"
	}
	return "0"
}

// rebind turns "?" placeholders into PostgreSQL's "$n".
func (d dialect) rebind(q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// maxAttempts bounds the retries of a transaction that lost a race.
const maxAttempts = 8

// inTx runs fn in a transaction, committing when it returns nil. A
// transaction that lost a race the database detected (serialization failure,
// deadlock, busy) is retried from the start with a short jittered pause;
// this is the one place the store retries.
func (s *Store) inTx(ctx context.Context, fn func(*tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			pause := time.Duration(1<<min(attempt, 6))*time.Millisecond + time.Duration(rand.IntN(5000))*time.Microsecond
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pause):
			}
		}
		err = s.tryTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

func (s *Store) tryTx(ctx context.Context, fn func(*tx) error) error {
	if s.d == dialectSQLite {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	sqlTx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{Tx: sqlTx, s: s, d: s.d, now: s.now().UTC()}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := t.flushChanges(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if t.mailQueued {
		select {
		case s.kick <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
	return nil
}

// retryable reports whether err is a lost race worth running again.
func retryable(err error) bool {
	if errors.Is(err, errIdemRace) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// ms and fromMS store times as Unix milliseconds in both databases, so that
// one scan path serves both.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// readTx runs fn in a read-only transaction, so that a view assembled from
// several queries is consistent (a snapshot under WAL or MVCC).
func (s *Store) readTx(ctx context.Context, fn func(*tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.d == dialectPostgres})
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	return fn(&tx{Tx: sqlTx, d: s.d, now: s.now().UTC()})
}

// queryRow runs a read on the read pool, through the statement cache on
// SQLite.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.readStmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, s.d.rebind(q), args...)
}

// query runs a read on the read pool, through the statement cache on
// SQLite.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.readStmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, s.d.rebind(q), args...)
}

func (s *Store) readStmt(ctx context.Context, q string) *sql.Stmt {
	if s.d != dialectSQLite {
		return nil
	}
	if v, ok := s.rstmts.Load(q); ok {
		return v.(*sql.Stmt)
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if v, ok := s.rstmts.LoadOrStore(q, st); ok {
		st.Close()
		return v.(*sql.Stmt)
	}
	return st
}

// AsRefusal turns a database error that the request caused (a duplicate,
// text the database cannot hold) into the domain refusal it amounts to, so
// that no input makes the portal answer 500; other errors pass unchanged.
func AsRefusal(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return core.Wrap(err, core.Conflict, "conflict.duplicate", "this already exists; reload and try again")
		case pg.Code == "23503":
			return core.Wrap(err, core.Conflict, "conflict.reference", "this refers to something that no longer exists")
		case strings.HasPrefix(pg.Code, "22"):
			// Data exceptions: NUL bytes, invalid encodings, out-of-range
			// numbers, over-long values.
			return core.Wrap(err, core.Invalid, "request.invalid_text", "a value in the request cannot be stored (invalid text or number)")
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return core.Wrap(err, core.Conflict, "conflict.duplicate", "this already exists; reload and try again")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return core.Wrap(err, core.Conflict, "conflict.reference", "this refers to something that no longer exists")
		case sqlite3.SQLITE_TOOBIG:
			return core.Wrap(err, core.Invalid, "request.invalid_text", "a value in the request is too large to store")
		}
	}
	return err
}
