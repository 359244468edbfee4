package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrBusy is returned by Lock when another process holds the profile's
// lock for longer than the caller would wait.
var ErrBusy = errors.New("another License Desk process is sending this profile's writes")

// lockPoll is how often a waiting Lock tries again.
const lockPoll = 50 * time.Millisecond

// LockPath is the file whose OS lock serialises the profile's pushes.
func (p *Profile) LockPath() string { return filepath.Join(p.Dir, "push.lock") }

// Lock takes the profile's lock, waiting up to wait for a process that
// holds it (the window's background sync, another licdesk command). The
// lock is the operating system's, on an open file: it goes away with the
// process, so a crash never leaves the profile locked. The returned func
// releases it.
func (p *Profile) Lock(ctx context.Context, wait time.Duration) (func(), error) {
	f, err := os.OpenFile(p.LockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the profile's lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock the profile: %w", err)
		}
		if ok {
			return func() { unlock(f); f.Close() }, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, ErrBusy
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
