package sync

import (
	"context"
	"strconv"
	stdsync "sync"
	"time"
)

// State is what the background sync is doing, as a window shows it.
type State int

// The states of the scheduler.
const (
	// StateIdle: the last round succeeded; waiting for the next.
	StateIdle State = iota
	// StateSyncing: a round is running.
	StateSyncing
	// StateOffline: the portal could not be reached; retrying with backoff
	// and working from the cache meanwhile.
	StateOffline
	// StateSignedOut: the session ended or there is none; writes wait for
	// the next login.
	StateSignedOut
	// StateError: the round failed for another reason (see Status.Err).
	StateError
	// StateStopped: Run has returned.
	StateStopped
)

// String names the state for people and logs.
func (s State) String() string {
	switch s {
	case StateIdle:
		return "idle"
	case StateSyncing:
		return "syncing"
	case StateOffline:
		return "offline"
	case StateSignedOut:
		return "signed out"
	case StateError:
		return "error"
	case StateStopped:
		return "stopped"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Status is a snapshot of the background sync, given to subscribers on
// every change.
type Status struct {
	State State
	// Pending and Failed count the outbox's waiting and refused writes.
	Pending, Failed int
	// LastSync is when a round last completed; LastReached when the portal
	// last answered (the offline countdown starts there).
	LastSync, LastReached time.Time
	// Next is when the next round is due.
	Next time.Time
	// Err is why the last round failed; nil after a success.
	Err error
	// Last is what the last successful round did.
	Last Result
}

// SchedulerConfig tunes a Scheduler; zero fields take the defaults.
type SchedulerConfig struct {
	// Interval separates rounds when all is quiet; 60 s.
	Interval time.Duration
	// PendingInterval separates rounds while writes wait; 5 s.
	PendingInterval time.Duration
	// Offline is the backoff while the portal is out of reach; 2 s to 5 min.
	Offline Backoff
}

// Scheduler syncs in the background for as long as Run runs, and tells
// subscribers about every change of state. It owns no goroutine of its own:
// the caller runs Run and ends it with its context.
type Scheduler struct {
	syncer *Syncer
	cfg    SchedulerConfig
	kick   chan struct{}

	mu     stdsync.Mutex
	status Status
	subs   map[int]func(Status)
	nextID int
}

// NewScheduler builds a scheduler over a syncer.
func NewScheduler(s *Syncer, cfg SchedulerConfig) *Scheduler {
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	if cfg.PendingInterval == 0 {
		cfg.PendingInterval = 5 * time.Second
	}
	if cfg.Offline.Base == 0 {
		cfg.Offline = Backoff{Base: 2 * time.Second, Max: 5 * time.Minute}
	}
	return &Scheduler{syncer: s, cfg: cfg, kick: make(chan struct{}, 1), subs: map[int]func(Status){}}
}

// Subscribe calls fn with the current status and then on every change, from
// the goroutine running Run (or calling Submit). fn must not block: a window
// hands the status over to its UI thread. The returned func unsubscribes.
func (sc *Scheduler) Subscribe(fn func(Status)) (unsubscribe func()) {
	sc.mu.Lock()
	id := sc.nextID
	sc.nextID++
	sc.subs[id] = fn
	st := sc.status
	sc.mu.Unlock()
	fn(st)
	return func() {
		sc.mu.Lock()
		delete(sc.subs, id)
		sc.mu.Unlock()
	}
}

// Status returns the current status.
func (sc *Scheduler) Status() Status {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.status
}

// Kick asks for a round as soon as possible (after a write, or when an
// e-mail says something changed). It never blocks.
func (sc *Scheduler) Kick() {
	select {
	case sc.kick <- struct{}{}:
	default:
	}
}

// Submit stores a write (Syncer.Submit), tells subscribers and asks for a
// round to send it.
func (sc *Scheduler) Submit(ctx context.Context, w Write) (Entry, error) {
	e, err := sc.syncer.Submit(ctx, w)
	if err != nil {
		return e, err
	}
	sc.update(ctx, func(st *Status) {})
	sc.Kick()
	return e, nil
}

// update changes the status under the lock, refreshes the counts from the
// cache, and tells the subscribers.
func (sc *Scheduler) update(ctx context.Context, change func(*Status)) {
	pending, failed, cerr := sc.syncer.cache.OutboxCounts(ctx)
	ss, serr := sc.syncer.cache.SyncState(ctx)
	sc.mu.Lock()
	change(&sc.status)
	if cerr == nil {
		sc.status.Pending, sc.status.Failed = pending, failed
	}
	if serr == nil {
		sc.status.LastSync, sc.status.LastReached = ss.LastSync, ss.LastReached
	}
	st := sc.status
	subs := make([]func(Status), 0, len(sc.subs))
	for _, fn := range sc.subs {
		subs = append(subs, fn)
	}
	sc.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

// Run syncs until ctx ends: a round at once, then every Interval, every
// PendingInterval while writes wait, and with a growing backoff while the
// portal is out of reach. It returns ctx's error.
func (sc *Scheduler) Run(ctx context.Context) error {
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			sc.update(context.WithoutCancel(ctx), func(st *Status) { st.State = StateStopped })
			return ctx.Err()
		case <-timer.C:
		case <-sc.kick:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		sc.update(ctx, func(st *Status) { st.State = StateSyncing })
		res, err := sc.syncer.Sync(ctx)
		if ctx.Err() != nil {
			continue
		}
		var wait time.Duration
		state := StateIdle
		switch {
		case err == nil:
			failures = 0
		case IsOffline(err):
			state = StateOffline
			wait = sc.cfg.Offline.Delay(failures)
			failures++
		case KindOf(err) == Unauthorized:
			state = StateSignedOut
			wait = sc.cfg.Interval
		default:
			state = StateError
			wait = sc.cfg.Interval
		}
		pending, _, _ := sc.syncer.cache.OutboxCounts(ctx)
		if wait == 0 {
			wait = sc.cfg.Interval
			if pending > 0 {
				wait = sc.cfg.PendingInterval
			}
		}
		timer.Reset(wait)
		sc.update(ctx, func(st *Status) {
			st.State, st.Err, st.Next = state, err, time.Now().Add(wait)
			if err == nil {
				st.Last = res
			}
		})
	}
}
