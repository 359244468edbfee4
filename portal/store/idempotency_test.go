package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

func TestIdempotency_SeatAnswersAreStoredCompactlyAndRenderedAgainOnReplay(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			defer s.Close()
			u, err := s.CreateUser(ctx, "owner@big.example", "Big", "Big", "x")
			require.NoError(t, err)
			require.NoError(t, s.MarkVerified(ctx, "owner@big.example"))
			acct, err := s.OwnedAccount(ctx, u.ID)
			require.NoError(t, err)
			now := time.Now()
			lic, err := s.IssueLicense(ctx, acct, store.LicenseSpec{Product: "Eberick", Edition: core.EditionProfessional,
				Seats: 3000, Start: now.AddDate(0, -1, 0), Expiry: now.AddDate(1, 0, 0)})
			require.NoError(t, err)
			c, err := s.Caller(ctx, u.ID)
			require.NoError(t, err)
			const writes = 20
			for i := range writes {
				w := store.Write{Key: fmt.Sprintf("k-%d", i), Op: "seat.assign", RequestHash: fmt.Sprint(i)}
				res, err := s.AssignSeatResult(ctx, c, w, lic, fmt.Sprintf("u%d@big.example", i), true)
				require.NoError(t, err)
				require.Len(t, res.Solution.Seats, 3000)
			}
			n, err := s.IdempotencyBytes(ctx)
			require.NoError(t, err)
			assert.Less(t, n, int64(writes*200), "each answer keeps a reference, not the 3,000-seat view")

			// A replay renders the license as it is now.
			w := store.Write{Key: "k-0", Op: "seat.assign", RequestHash: "0"}
			res, err := s.AssignSeatResult(ctx, c, w, lic, "u0@big.example", true)
			require.NoError(t, err)
			assigned := 0
			for _, seat := range res.Solution.Seats {
				if seat.Email != "" {
					assigned++
				}
			}
			assert.Equal(t, writes, assigned, "the replayed answer is the current view")

			// Asked for the changed seat alone, a replay gives that seat.
			res, err = s.AssignSeatResult(ctx, c, w, lic, "u0@big.example", false)
			require.NoError(t, err)
			assert.Equal(t, "u0@big.example", res.Change.After.Email)
			assert.Equal(t, "available", res.Change.Before.State)
			assert.Empty(t, res.Solution.Seats)
		})
	}
}
