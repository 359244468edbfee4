package sync

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff computes exponentially growing waits with jitter. The client's
// retries and the scheduler's pauses while offline both use it, so that many
// clients that lost the portal together do not come back in lockstep.
type Backoff struct {
	// Base is the wait before the first retry; Max caps every wait.
	Base, Max time.Duration
}

// Delay returns the wait before retry number attempt (0 for the first): a
// random duration between half and all of min(Max, Base*2^attempt)
// ("equal jitter": never zero, never in step).
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Base
	for i := 0; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half)
}

// RetryPolicy says how often and how patiently one call is tried again.
type RetryPolicy struct {
	// Attempts is the number of tries in all; 1 means no retry.
	Attempts int
	Backoff  Backoff
	// MaxRetryAfter is the longest Retry-After the policy waits for; a
	// portal asking for longer gets its error returned instead, so that a
	// command does not hang for minutes.
	MaxRetryAfter time.Duration
}

// DefaultRetry suits interactive use: a few quick tries, then report.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{Attempts: 3, Backoff: Backoff{Base: 200 * time.Millisecond, Max: 2 * time.Second},
		MaxRetryAfter: 5 * time.Second}
}

// NoRetry tries once.
func NoRetry() RetryPolicy { return RetryPolicy{Attempts: 1} }

// retry runs fn until it succeeds, fails for good, the attempts run out or
// ctx ends. Only transient failures (*Error with Transient) are retried:
// this is the one place in the client that retries a call.
func (p RetryPolicy) retry(ctx context.Context, fn func() error) error {
	attempts := max(p.Attempts, 1)
	var err error
	for i := 0; i < attempts; i++ {
		err = fn()
		var e *Error
		if err == nil || !errors.As(err, &e) || !e.Transient() || i == attempts-1 {
			return err
		}
		wait := p.Backoff.Delay(i)
		if e.RetryAfter > 0 {
			if e.RetryAfter > p.MaxRetryAfter {
				return err
			}
			wait = max(wait, e.RetryAfter)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
	return err
}
