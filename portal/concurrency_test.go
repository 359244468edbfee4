package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// twoInstances starts two portals over one database (as behind a load
// balancer), each with its own store connection pool and mail folder.
func twoInstances(t *testing.T, dsn string) (*testPortal, *testPortal) {
	t.Helper()
	a := startPortal(t, dsn)
	st, err := store.Open(context.Background(), dsn, store.WithKeyEncryptionKey(a.KEK))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ps := portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: a.MailDir}, Limits: testLimits})
	srv := httptest.NewServer(ps)
	t.Cleanup(srv.Close)
	b := &testPortal{t: t, URL: srv.URL, Store: st, MailDir: a.MailDir, Server: ps, http: a.http}
	return a, b
}

func TestIdempotency_AConcurrentDuplicateOnAnotherInstanceGetsTheFirstAnswer(t *testing.T) {
	for _, bk := range storetest.Backends(t) {
		t.Run(bk.Name, func(t *testing.T) {
			a, b := twoInstances(t, bk.DSN)
			owner := a.signup("owner@idem.example", "Idem")
			lic := a.issue(a.accountOf(owner.Token), "Eberick", "standard", nil, 100)
			const pairs = 30
			for i := range pairs {
				req := api.SeatRequest{Email: fmt.Sprintf("u%d@idem.example", i)}
				key := fmt.Sprintf("pair-%d", i)
				var ra, rb reply
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					ra = a.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, key)
				}()
				go func() {
					defer wg.Done()
					rb = b.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, req, api.IdempotencyHeader, key)
				}()
				wg.Wait()
				require.Equal(t, http.StatusCreated, ra.Status, string(ra.Body))
				require.Equal(t, http.StatusCreated, rb.Status, "pair %d: the duplicate got %s", i, rb.Body)
			}
			var events []api.AuditEvent
			a.do("GET", "/v1/licenses/"+lic+"/audit?limit=1000", owner.Token, nil).decode(t, &events)
			assert.Len(t, events, pairs, "each write applied once")
		})
	}
}

func TestMail_TwoInstancesWithASlowMailServerSendEachMessageOnce(t *testing.T) {
	for _, bk := range storetest.Backends(t) {
		t.Run(bk.Name, func(t *testing.T) {
			a, b := twoInstances(t, bk.DSN)
			owner := a.signup("owner@mail.example", "Mail")
			lic := a.issue(a.accountOf(owner.Token), "Eberick", "standard", nil, 40)
			for i := range 30 {
				require.Equal(t, http.StatusCreated, a.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token,
					api.SeatRequest{Email: fmt.Sprintf("m%d@mail.example", i)}).Status)
			}
			// Each send takes 30 ms and a claim lasts 100 ms: claiming many
			// at once would let claims lapse mid-batch and the other
			// instance send the same messages again.
			sink := &countingSender{delay: 30 * time.Millisecond, seen: map[string]int{}}
			ctx := context.Background()
			sa := portal.New(portal.Config{Store: a.Store, Mail: sink, MailClaim: 100 * time.Millisecond})
			sb := portal.New(portal.Config{Store: b.Store, Mail: sink, MailClaim: 100 * time.Millisecond})
			var wg sync.WaitGroup
			for _, s := range []*portal.Server{sa, sb, sa, sb} {
				wg.Add(1)
				go func() { defer wg.Done(); assert.NoError(t, s.FlushMail(ctx)) }()
			}
			wg.Wait()
			sink.mu.Lock()
			defer sink.mu.Unlock()
			assert.Len(t, sink.seen, 30)
			for id, n := range sink.seen {
				assert.Equal(t, 1, n, "message %s sent %d times", id, n)
			}
		})
	}
}

// countingSender is a slow mail server that counts deliveries by
// Message-ID.
type countingSender struct {
	delay time.Duration
	mu    sync.Mutex
	seen  map[string]int
}

func (c *countingSender) Send(ctx context.Context, m mail.Message) error {
	time.Sleep(c.delay)
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.MessageID == "" {
		return fmt.Errorf("message to %s has no Message-ID", m.To)
	}
	c.seen[m.MessageID]++
	return nil
}
