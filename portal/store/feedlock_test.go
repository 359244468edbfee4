package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// On PostgreSQL writers of different accounts commit side by side, so an
// entry can commit after one with a higher sequence number. A reader of
// both accounts must then wait for the late one, never step over it; and
// a writer of another account must not wait for it at all.
func TestChangeFeed_AReaderNeverStepsOverAnEntryCommittedLate(t *testing.T) {
	dsn := storetest.Postgres(t)
	if dsn == "" {
		t.Skip("SQLite commits one writer at a time, in sequence order")
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.WithKeyEncryptionKey(testKEK(t)))
	require.NoError(t, err)
	defer s.Close()
	head, err := s.FeedHead(ctx)
	require.NoError(t, err)

	flushed, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	releaseNow := func() { once.Do(func() { close(release) }) }
	defer releaseNow()
	held := make(chan error, 1)
	go func() { held <- s.HoldFeedWrite(ctx, "acc_a", "lic_late", flushed, release) }()
	<-flushed

	// Another account's writer is not held up by the open one.
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, s.RecordFeedEntry(quick, "acc_b", "lic_early"))

	reader := store.Caller{User: store.User{Email: "reader@feed.example"},
		Memberships: []store.Membership{{AccountID: "acc_a"}, {AccountID: "acc_b"}}}
	got := make(chan api.Changes, 1)
	go func() {
		page, err := s.Changes(ctx, reader, strconv.FormatInt(head, 10))
		assert.NoError(t, err)
		got <- page
	}()
	select {
	case page := <-got:
		releaseNow()
		<-held
		t.Fatalf("the reader answered while an earlier entry was uncommitted: %+v", page)
	case <-time.After(300 * time.Millisecond):
	}
	releaseNow()
	require.NoError(t, <-held)
	page := <-got
	var ids []string
	for _, ch := range page.Changes {
		ids = append(ids, ch.ID)
	}
	assert.ElementsMatch(t, []string{"lic_late", "lic_early"}, ids)
	assert.True(t, page.Complete)
}
