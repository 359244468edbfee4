package portal_test

// Growth benchmarks (issue 17): costs measured at fixed data sizes, never
// sizes derived from b.N, so a figure does not move with -benchtime. The
// ratios BENCHMARKS.md publishes come from cmd/benchratio, which runs these
// in alternated rounds (make bench).

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// EnvBenchCache names a folder where the growth benchmarks keep their
// seeded databases for the length of one benchmark run (cmd/benchratio sets
// it), so that seeding 50,000 licenses happens once per run, not once per
// round.
const EnvBenchCache = "LICDESK_BENCH_CACHE"

// seededPortal is a portal whose owner holds n licenses of seats seats each
// (7 of them assigned when seats is 10), and the owner's token. With
// EnvBenchCache set the database is seeded once and reused: a SQLite file
// (and its key-encryption key) in that folder, or a PostgreSQL schema of
// the run's server. The workloads that use it only read it.
func seededPortal(b *testing.B, backend string, n, seats int) (*testPortal, string) {
	b.Helper()
	const owner, password = "owner@growth.example", "correct horse battery"
	dir := os.Getenv(EnvBenchCache)
	tag := fmt.Sprintf("growth_%d_%d", n, seats)
	var dsn string
	var kek []byte
	fresh := true
	switch {
	case dir == "":
		dsn = storetest.Fresh(b, backend)
		kek = testKEK(b)
	case backend == "sqlite":
		dsn = "sqlite:" + filepath.Join(dir, tag+".db")
		var err error
		if kek, err = os.ReadFile(filepath.Join(dir, tag+".kek")); err == nil {
			fresh = false
		} else {
			kek = testKEK(b)
		}
	default:
		base := os.Getenv(storetest.EnvPostgres)
		var err error
		dsn, fresh, err = benchSchema(base, tag)
		require.NoError(b, err)
		if kek, err = os.ReadFile(filepath.Join(dir, tag+".pg.kek")); err != nil {
			kek = testKEK(b)
		}
	}
	p := startPortalKEK(b, dsn, kek)
	if !fresh {
		var s api.Session
		p.do("POST", "/v1/login", "", api.Credentials{Email: owner, Password: password}).decode(b, &s)
		return p, s.Token
	}
	s := p.signup(owner, "Growth")
	assigned := min(7, seats)
	require.NoError(b, p.Store.BulkLoad(context.Background(), p.accountOf(s.Token), n, seats, assigned, time.Now()))
	if dir != "" {
		name := tag + ".kek"
		if backend != "sqlite" {
			name = tag + ".pg.kek"
		}
		require.NoError(b, os.WriteFile(filepath.Join(dir, name), kek, 0o600))
	}
	return p, s.Token
}

// benchSchema returns the URL of a named schema on the run's PostgreSQL
// server, creating it when it does not exist yet (fresh).
func benchSchema(base, schema string) (dsn string, fresh bool, err error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'licenses'`,
		schema).Scan(&n); err != nil {
		return "", false, err
	}
	if n == 0 {
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`); err != nil {
			return "", false, err
		}
		if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
			return "", false, err
		}
	}
	u := base + "&search_path=" + schema
	return u, n == 0, nil
}

// pullAll pulls the whole change feed from an empty cursor, as a new client
// does, and returns the objects and bytes received.
func pullAll(b *testing.B, p *testPortal, tok string) (objects, bytes int) {
	cursor := ""
	for {
		r := p.do("GET", "/v1/changes?cursor="+cursor, tok, nil)
		if r.Status != http.StatusOK {
			b.Fatalf("pull: %d %s", r.Status, r.Body)
		}
		bytes += len(r.Body)
		var c api.Changes
		r.decode(b, &c)
		objects += len(c.Changes)
		cursor = c.Cursor
		if c.Complete {
			return objects, bytes
		}
	}
}

// BenchmarkFirstSync is the portal's side of a first sync: every page of
// the snapshot of 1k, 10k and 50k licenses (10 seats each, 7 assigned)
// pulled over loopback HTTP by their owner. Linear when 50k costs 5x 10k.
func BenchmarkFirstSync(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			for _, n := range []int{1000, 10000, 50000} {
				b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
					p, tok := seededPortal(b, name, n, 10)
					b.ResetTimer()
					var bytes int
					for i := 0; i < b.N; i++ {
						objs, nb := pullAll(b, p, tok)
						if objs < n {
							b.Fatalf("pulled %d objects of %d licenses", objs, n)
						}
						bytes += nb
					}
					b.SetBytes(int64(bytes / b.N))
				})
			}
		})
	}
}

// BenchmarkSeatWrite is one seat write (an assignment, then its removal,
// alternately) through the HTTP API on a license of 10, 200 or 1000 seats,
// half of them held, answered with the changed seat: its cost should not
// depend on the license's size. 1000-whole asks for the license's whole
// view in the answer, as clients that render it do. It reports the SQL
// statements each write ran.
func BenchmarkSeatWrite(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			for _, v := range []struct {
				name  string
				seats int
				whole bool
			}{{"10", 10, false}, {"200", 200, false}, {"1000", 1000, false}, {"1000-whole", 1000, true}} {
				seats := v.seats
				b.Run(v.name, func(b *testing.B) {
					// No mail sender runs: the statements counted are the
					// write's own (its e-mail waits in the outbox).
					dsn := storetest.Fresh(b, name)
					p := startPortal(b, dsn)
					owner := p.signup("owner@bench.example", "Bench")
					lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, seats)
					holdSeats(b, dsn, lic, seats/2)
					before := p.Store.Statements()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						seatWriteOp(b, p, owner.Token, lic, fmt.Sprintf("w%d@bench.example", i/2), i%2 == 1, v.whole)
					}
					b.StopTimer()
					b.ReportMetric(float64(p.Store.Statements()-before)/float64(b.N), "stmts/write")
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
				})
			}
		})
	}
}

// runBackground runs the portal's background loops (the mail sender) until
// the benchmark ends, as in production.
func (p *testPortal) runBackground(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Server.Background(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
}

// seatWriteOp assigns a seat to email, or removes it, asking for the
// changed seat alone (Prefer: return=minimal) unless whole.
func seatWriteOp(b *testing.B, p *testPortal, tok, lic, email string, remove, whole bool) {
	var r reply
	want := http.StatusCreated
	prefer := []string{"Prefer", "return=minimal"}
	if whole {
		prefer = nil
	}
	if remove {
		r, want = p.do("DELETE", "/v1/licenses/"+lic+"/seats/"+email, tok, nil, prefer...), http.StatusOK
	} else {
		r = p.do("POST", "/v1/licenses/"+lic+"/seats", tok, api.SeatRequest{Email: email}, prefer...)
	}
	if r.Status != want {
		b.Errorf("seat write: %d %s", r.Status, r.Body)
	}
}

// BenchmarkSeatWrites64 is seat writes per second from 64 concurrent
// clients through the whole portal (authentication, the rule, audit,
// change feed, the e-mail queued and delivered by the background sender),
// each client on its own license of 100 seats, 50 held, alternately
// assigning a seat and removing it; BenchmarkRawWriteTx is the floor.
func BenchmarkSeatWrites64(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			dsn := storetest.Fresh(b, name)
			p := startPortal(b, dsn)
			owner := p.signup("owner@bench.example", "Bench")
			p.runBackground(b)
			acct := p.accountOf(owner.Token)
			lics := make([]string, benchClients)
			for i := range lics {
				lics[i] = p.issue(acct, "Eberick", "standard", nil, 100)
				holdSeats(b, dsn, lics[i], 50)
			}
			var clients atomic.Int64
			b.SetParallelism((benchClients + testProcs() - 1) / testProcs())
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				c := clients.Add(1) - 1
				lic := lics[c%benchClients]
				for k := 0; pb.Next(); k++ {
					seatWriteOp(b, p, owner.Token, lic, fmt.Sprintf("c%d.%d@bench.example", c, k/2), k%2 == 1, false)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// holdSeats gives the first n seats of a license to invited addresses, as
// set-up: straight in the database, outside the timed part.
func holdSeats(b *testing.B, dsn, lic string, n int) {
	db, ph := rawDB(b, dsn)
	defer db.Close()
	q := `UPDATE seats SET state = 'pending', email = 'held' || position || '@bench.example' WHERE license_id = ? AND position < ?`
	if ph != "?" {
		q = `UPDATE seats SET state = 'pending', email = 'held' || position || '@bench.example' WHERE license_id = $1 AND position < $2`
	}
	_, err := db.Exec(q, lic, n)
	require.NoError(b, err)
}
