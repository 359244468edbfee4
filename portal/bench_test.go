package portal_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// benchClients is the number of concurrent clients of the seat benchmarks.
const benchClients = 64

// parallel64 runs fn from 64 goroutines whatever GOMAXPROCS is.
func parallel64(b *testing.B, fn func(i int64)) {
	var n atomic.Int64
	b.SetParallelism((benchClients + testProcs() - 1) / testProcs())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fn(n.Add(1))
		}
	})
}

// BenchmarkRawWriteTx is the floor of BenchmarkSeatWrites64: a one-row
// write transaction on the same database from 64 goroutines, no HTTP.
func BenchmarkRawWriteTx(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			dsn := storetest.Fresh(b, name)
			startPortal(b, dsn) // migrates the schema
			db, ph := rawDB(b, dsn)
			defer db.Close()
			_, err := db.Exec(`INSERT INTO meta (name, value) VALUES ('bench', '0')`)
			require.NoError(b, err)
			q := fmt.Sprintf(`UPDATE meta SET value = %s WHERE name = 'bench'`, ph)
			b.ResetTimer()
			parallel64(b, func(i int64) {
				for attempt := 0; ; attempt++ {
					tx, err := db.BeginTx(context.Background(), nil)
					if err == nil {
						if _, err = tx.Exec(q, fmt.Sprint(i)); err == nil {
							err = tx.Commit()
						} else {
							tx.Rollback()
						}
					}
					if err == nil {
						return
					}
					if attempt > 50 {
						b.Errorf("raw tx: %v", err)
						return
					}
					time.Sleep(time.Millisecond)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// rawDB opens the database behind a store DSN directly, with the same
// pragmas and pool size the store uses.
func rawDB(b *testing.B, dsn string) (*sql.DB, string) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		require.NoError(b, err)
		return db, "?"
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(b, err)
	db.SetMaxOpenConns(32)
	return db, "$1"
}

// BenchmarkFeedNoChange is a pull when nothing changed, against a bare
// authenticated round trip (GET /v1/me) to the same server, on `licportal
// seed --scale 10000` (10,000 licenses, 100,000 seats). (The full first
// pull is BenchmarkFirstSync.)
func BenchmarkFeedNoChange(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			dsn := storetest.Fresh(b, name)
			p, tok := scalePortal(b, dsn, 10000)
			cursor := ""
			for {
				var c api.Changes
				p.do("GET", "/v1/changes?cursor="+cursor, tok, nil).decode(b, &c)
				cursor = c.Cursor
				if c.Complete {
					break
				}
			}
			b.Run("changes", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					r := p.do("GET", "/v1/changes?cursor="+cursor, tok, nil)
					if r.Status != http.StatusOK || len(r.Body) > 200 {
						b.Fatalf("no-change pull: %d, %d bytes", r.Status, len(r.Body))
					}
				}
			})
			b.Run("baseline-me", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if r := p.do("GET", "/v1/me", tok, nil); r.Status != http.StatusOK {
						b.Fatal(r.Status)
					}
				}
			})
		})
	}
}

func scalePortal(b *testing.B, dsn string, n int) (*testPortal, string) {
	p := startPortal(b, dsn)
	owner := p.signup("owner@scale.example", "Scale")
	require.NoError(b, p.Store.BulkLoad(context.Background(), p.accountOf(owner.Token), n, 10, 7, time.Now()))
	return p, owner.Token
}
