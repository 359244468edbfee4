package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// Cache is the client's offline copy in one SQLite file: every object the
// user may see (as the portal's JSON, by kind and ID), the sync state, the
// outbox of writes, and the profile's settings. Several processes (the
// window and a command) may open the same file at once.
type Cache struct {
	db   *sql.DB
	path string
}

// migrations are the schema versions in order; PRAGMA user_version records
// how many have run. Append only.
func migrations() []string {
	return []string{`
CREATE TABLE objects (
	kind TEXT NOT NULL,
	id   TEXT NOT NULL,
	-- data is what readers see; NULL while a write in flight removed it.
	data BLOB,
	-- base is the portal's version while writes in flight touch the object
	-- (overlaid = 1); NULL when the portal has none.
	base BLOB,
	overlaid INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, id)
);
CREATE INDEX objects_overlaid ON objects (overlaid) WHERE overlaid = 1;
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	key        TEXT NOT NULL UNIQUE,
	identity   TEXT NOT NULL,
	op         TEXT NOT NULL,
	method     TEXT NOT NULL,
	path       TEXT NOT NULL,
	body       BLOB,
	summary    TEXT NOT NULL,
	targets    TEXT NOT NULL,
	state      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_try   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	code       TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	answer     BLOB,
	ack_gen    INTEGER NOT NULL DEFAULT 0,
	done_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_state ON outbox (state, seq);
CREATE TABLE state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`, `
CREATE TABLE mail_marks (
	mailbox     TEXT NOT NULL,
	folder      TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	last_uid    INTEGER NOT NULL,
	PRIMARY KEY (mailbox, folder)
);
CREATE TABLE mail_findings (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT NOT NULL,
	value      TEXT NOT NULL,
	product    TEXT NOT NULL DEFAULT '',
	license    TEXT NOT NULL DEFAULT '',
	portal     TEXT NOT NULL DEFAULT '',
	found_in   TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	message_id TEXT NOT NULL DEFAULT '',
	sender     TEXT NOT NULL DEFAULT '',
	subject    TEXT NOT NULL DEFAULT '',
	sent_at    INTEGER NOT NULL DEFAULT 0,
	found_at   INTEGER NOT NULL,
	state      TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, value)
);
`}
}

// OpenCache opens (creating if needed) the cache file and migrates it.
func OpenCache(ctx context.Context, path string) (*Cache, error) {
	// The copy holds other people's names and addresses: only its user may
	// read it. Created 0600 here (SQLite gives its -wal and -shm files the
	// database file's mode), and tightened if an older version left it wider.
	if path != ":memory:" && !strings.HasPrefix(path, "file:") {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open cache %s: %w", path, err)
		}
		f.Close()
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("open cache %s: %w", path, err)
		}
	}
	// Pragmas go in the DSN so that every pooled connection gets them;
	// immediate transactions make read-then-write safe between processes.
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	c := &Cache{db: db, path: path}
	if err := c.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	return c, nil
}

// Close closes the file.
func (c *Cache) Close() error { return c.db.Close() }

// Path names the cache file.
func (c *Cache) Path() string { return c.path }

func (c *Cache) migrate(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		ms := migrations()
		if v > len(ms) {
			return fmt.Errorf("the cache was written by a newer License Desk (schema %d, this one knows %d)", v, len(ms))
		}
		for i := v; i < len(ms); i++ {
			if _, err := tx.ExecContext(ctx, ms[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if v != len(ms) {
			if _, err := tx.ExecContext(ctx, `PRAGMA user_version = `+strconv.Itoa(len(ms))); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs fn in one immediate transaction, committing when it returns nil.
func (c *Cache) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its verdict
// ("ok" when the file is sound).
func (c *Cache) IntegrityCheck(ctx context.Context) (string, error) {
	var v string
	err := c.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&v)
	return v, err
}

// Names of the settings a profile keeps in its cache.
const (
	SettingPortal   = "portal"     // the portal's base URL
	SettingEmail    = "email"      // the logged-in user's e-mail
	SettingUserID   = "user_id"    // the logged-in user's ID
	SettingUserName = "user_name"  // the logged-in user's name
	SettingCAFile   = "ca_file"    // an extra CA file for the portal's TLS
	SettingTokenAt  = "token_home" // where the token is kept: "keyring" or "file"
)

// Setting returns a setting, "" when unset.
func (c *Cache) Setting(ctx context.Context, name string) (string, error) {
	return getKV(ctx, c.db, "settings", name)
}

// SetSettings sets several settings at once; an empty value removes one.
func (c *Cache) SetSettings(ctx context.Context, kv map[string]string) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for k, v := range kv {
			if err := setKV(ctx, tx, "settings", k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Settings returns every setting.
func (c *Cache) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("cache settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func getKV(ctx context.Context, q queryer, table, name string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM `+table+` WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cache %s %s: %w", table, name, err)
	}
	return v, nil
}

func setKV(ctx context.Context, e execer, table, name, value string) error {
	var err error
	if value == "" {
		_, err = e.ExecContext(ctx, `DELETE FROM `+table+` WHERE name = ?`, name)
	} else {
		_, err = e.ExecContext(ctx, `INSERT INTO `+table+` (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	}
	if err != nil {
		return fmt.Errorf("cache %s %s: %w", table, name, err)
	}
	return nil
}

// setKVs sets several non-empty values in one statement: a sync round's
// bookkeeping costs one round trip into SQLite, not five.
func setKVs(ctx context.Context, e execer, table string, kv map[string]string) error {
	if len(kv) == 0 {
		return nil
	}
	q := `INSERT INTO ` + table + ` (name, value) VALUES `
	args := make([]any, 0, 2*len(kv))
	for k, v := range kv {
		if len(args) > 0 {
			q += ", "
		}
		q += "(?, ?)"
		args = append(args, k, v)
	}
	if _, err := e.ExecContext(ctx, q+` ON CONFLICT (name) DO UPDATE SET value = excluded.value`, args...); err != nil {
		return fmt.Errorf("cache %s: %w", table, err)
	}
	return nil
}

// Names in the state table.
const (
	stateCursor      = "cursor"
	stateLastSync    = "last_sync"    // unix ms of the last complete pull
	stateLastReached = "last_reached" // unix ms of the last answer from the portal
	stateLastAttempt = "last_attempt" // unix ms of the last sync attempt
	stateLastError   = "last_error"   // why the last attempt failed, "" when it did not
	stateAckGen      = "ack_gen"      // counts acknowledged writes
)

// SyncState is where the cache stands against the portal.
type SyncState struct {
	// Cursor is the change feed position; "" before the first sync.
	Cursor string
	// LastSync is when a pull last completed; zero if never.
	LastSync time.Time
	// LastReached is when the portal last answered anything; the offline
	// countdown of subscriptions starts from it.
	LastReached time.Time
	// LastAttempt is when a sync was last tried.
	LastAttempt time.Time
	// LastError is why the last attempt failed; "" when it succeeded.
	LastError string
}

// SyncState reads the sync state.
func (c *Cache) SyncState(ctx context.Context) (SyncState, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name, value FROM state`)
	if err != nil {
		return SyncState{}, fmt.Errorf("cache state: %w", err)
	}
	defer rows.Close()
	var s SyncState
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return SyncState{}, err
		}
		switch k {
		case stateCursor:
			s.Cursor = v
		case stateLastSync:
			s.LastSync = fromMS(v)
		case stateLastReached:
			s.LastReached = fromMS(v)
		case stateLastAttempt:
			s.LastAttempt = fromMS(v)
		case stateLastError:
			s.LastError = v
		}
	}
	return s, rows.Err()
}

func msString(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func fromMS(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

// Reset forgets everything the cache holds about a user: objects, sync
// state and the outbox. Settings stay. It is what a login as someone else
// or a logout does.
func (c *Cache) Reset(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM objects`, `DELETE FROM state`, `DELETE FROM outbox`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("reset cache: %w", err)
			}
		}
		return nil
	})
}
