package store

import "context"

// IdempotencyBytes is the size of every stored idempotent answer, for the
// test that keeps them compact.
func (s *Store) IdempotencyBytes(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(LENGTH(body)), 0) FROM idempotency`).Scan(&n)
	return n, err
}

// HoldFeedWrite runs a write transaction that records a change feed entry
// for account, tells flushed once the entry has its sequence number, and
// commits only when release closes: a writer caught between the two.
func (s *Store) HoldFeedWrite(ctx context.Context, account, entity string, flushed chan<- struct{}, release <-chan struct{}) error {
	return s.inTx(ctx, func(t *tx) error {
		t.recordChange(ctx, "solution", entity, account, "")
		if err := t.flushChanges(ctx); err != nil {
			return err
		}
		close(flushed)
		<-release
		return nil
	})
}

// RecordFeedEntry commits one change feed entry for account.
func (s *Store) RecordFeedEntry(ctx context.Context, account, entity string) error {
	return s.inTx(ctx, func(t *tx) error { return t.recordChange(ctx, "solution", entity, account, "") })
}

// FeedHead is the newest change feed sequence number.
func (s *Store) FeedHead(ctx context.Context) (int64, error) {
	_, head, err := s.feedBounds(ctx, readPool{s})
	return head, err
}
