// Package storetest gives tests a fresh portal database on every backend the
// machine offers: a real SQLite file always, and a real PostgreSQL when
// LICDESK_TEST_POSTGRES names one (make test starts one). Under CI a missing
// PostgreSQL fails the test instead of skipping it, so the suite cannot pass
// having tested half of the store.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Backend is a fresh, empty database.
type Backend struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// EnvPostgres names the environment variable holding the test server's URL.
const EnvPostgres = "LICDESK_TEST_POSTGRES"

// Backends returns one fresh database per available backend. Each
// PostgreSQL database is a schema of its own, dropped when the test ends.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: "sqlite", DSN: "sqlite:" + filepath.Join(t.TempDir(), "portal.db")}}
	if pg := Postgres(t); pg != "" {
		out = append(out, Backend{Name: "postgres", DSN: pg})
	}
	return out
}

// Postgres returns the URL of a fresh PostgreSQL schema, or "" when no
// server is configured outside CI.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the store tests on PostgreSQL too (use make test)", EnvPostgres)
		}
		t.Logf("%s not set: PostgreSQL backend skipped (make test runs it)", EnvPostgres)
		return ""
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Names lists the backends Backends would return, for benchmarks that need
// a fresh database on each of their runs (see Fresh).
func Names() []string {
	if os.Getenv(EnvPostgres) != "" || os.Getenv("CI") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Fresh returns a fresh database of the named backend.
func Fresh(t testing.TB, name string) string {
	t.Helper()
	if name == "postgres" {
		return Postgres(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "portal.db")
}
