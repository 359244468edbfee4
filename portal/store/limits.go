package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The portal's rate limits count in the store, not in one process's
// memory, so that every instance behind a load balancer sees the same
// counts and a restart forgets nothing.

// Hit counts one event under key in the current fixed window and reports
// whether it is within limit; when it is not, retry is the time left in
// the window.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, limit int) (ok bool, retry time.Duration, err error) {
	var hits int
	var start int64
	err = s.inTx(ctx, func(t *tx) error {
		start = t.now.Truncate(window).UnixMilli()
		return t.queryRow(ctx, `INSERT INTO rate_counters (key, window_start, hits) VALUES (?, ?, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits`, key, start).Scan(&hits)
	})
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if hits <= limit {
		return true, 0, nil
	}
	return false, time.UnixMilli(start).Add(window).Sub(s.now()), nil
}

// LoginWait returns how long the failures recorded under key make the
// next attempt wait (zero: go ahead). free failures cost nothing; each
// one after doubles the wait from base, up to max.
func (s *Store) LoginWait(ctx context.Context, key string, free int, base, max time.Duration) (time.Duration, error) {
	var fails int
	var last int64
	err := s.queryRow(ctx, `SELECT fails, last_at FROM login_failures WHERE key = ?`, key).Scan(&fails, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("login failures: %w", err)
	}
	if fails < free {
		return 0, nil
	}
	delay := base << min(fails-free, 30)
	if delay > max || delay <= 0 {
		delay = max
	}
	wait := fromMS(last).Add(delay).Sub(s.now())
	if wait < 0 {
		return 0, nil
	}
	return wait, nil
}

// LoginFailed records a failed login under key.
func (s *Store) LoginFailed(ctx context.Context, key string) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO login_failures (key, fails, last_at) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET fails = login_failures.fails + 1, last_at = excluded.last_at`, key, ms(t.now))
		return err
	})
}

// LoginSucceeded forgets the failures under key.
func (s *Store) LoginSucceeded(ctx context.Context, key string) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		return err
	})
}

// PruneLimits forgets rate windows and login failures older than age.
func (s *Store) PruneLimits(ctx context.Context, age time.Duration) error {
	return s.inTx(ctx, func(t *tx) error {
		cut := ms(t.now.Add(-age))
		if _, err := t.exec(ctx, `DELETE FROM rate_counters WHERE window_start < ?`, cut); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM login_failures WHERE last_at < ?`, cut)
		return err
	})
}
