package sync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// BenchmarkFirstSyncGrowth splits a first sync of 1k, 10k and 50k licenses
// (10 seats each, 7 assigned; fixed sizes) into its two shares: portal,
// the portal producing every page for a client that only reads the bytes;
// client, the real client pulling the same recorded bytes from a static
// server into an empty cache. Set-up (seeding, recording) is outside the
// timed part. cmd/benchratio reads the growth (50k / 10k) of each and the
// ratio of the two shares.
func BenchmarkFirstSyncGrowth(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			p := portaltest.Start(b)
			_, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now()}.Scale(context.Background(), n)
			require.NoError(b, err)
			cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL})
			require.NoError(b, err)
			s, err := cl.Login(context.Background(), portal.ScaleOwner, portal.DemoPassword)
			require.NoError(b, err)
			pages, _ := recordFeed(b, p, s.Token)
			srv := staticFeed(b, pages)
			cursors, _ := feedOrder(b, pages)
			b.Run("portal", func(b *testing.B) {
				for b.Loop() {
					fetchAll(b, p.URL, s.Token, cursors)
				}
			})
			b.Run("client", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					dir := b.TempDir()
					b.StartTimer()
					firstSyncN(b, srv.URL, s.Token, dir, n)
				}
			})
		})
	}
}
