package sync_test

import (
	"context"
	stdsync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// statusLog collects a subscriber's statuses.
type statusLog struct {
	mu  stdsync.Mutex
	all []lsync.Status
	ch  chan lsync.Status
}

func newStatusLog() *statusLog { return &statusLog{ch: make(chan lsync.Status, 1000)} }

func (l *statusLog) add(s lsync.Status) {
	l.mu.Lock()
	l.all = append(l.all, s)
	l.mu.Unlock()
	l.ch <- s
}

// await waits for a status that satisfies ok.
func (l *statusLog) await(t *testing.T, what string, ok func(lsync.Status) bool) lsync.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-l.ch:
			if ok(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("no status %s in 10 s", what)
		}
	}
}

func TestScheduler_SyncsInTheBackgroundAndTellsSubscribers(t *testing.T) {
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@sched.example", "Sched")
	lic := p.Issue(acct, "Eberick", 3)
	d := newDevice(t, p, "owner@sched.example", portaltest.Password)
	sc := lsync.NewScheduler(d.syncer, lsync.SchedulerConfig{Interval: time.Hour, PendingInterval: 20 * time.Millisecond,
		Offline: lsync.Backoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}})
	log := newStatusLog()
	unsubscribe := sc.Subscribe(log.add)
	defer unsubscribe()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()

	first := log.await(t, "idle after the first round", func(s lsync.Status) bool {
		return s.State == lsync.StateIdle && !s.LastSync.IsZero()
	})
	assert.False(t, first.LastSync.IsZero())
	assert.Positive(t, first.Last.Pull.Changes)

	// The portal goes away: a write is queued, the state turns offline, and
	// rounds back off while it is away.
	p.Stop()
	_, err := sc.Submit(ctx, mustWrite(lsync.AssignSeat(lic, "queued@sched.example")))
	require.NoError(t, err)
	off := log.await(t, "offline", func(s lsync.Status) bool { return s.State == lsync.StateOffline })
	assert.Equal(t, 1, off.Pending)
	assert.Equal(t, lsync.Offline, lsync.KindOf(off.Err))
	log.await(t, "a second offline round", func(s lsync.Status) bool { return s.State == lsync.StateOffline })

	// It comes back: the write lands without anyone asking.
	p.Start()
	back := log.await(t, "idle with nothing pending", func(s lsync.Status) bool {
		return s.State == lsync.StateIdle && s.Pending == 0
	})
	assert.NoError(t, back.Err)
	assert.True(t, back.LastReached.After(first.LastReached))
	_, held := holder(d.solution(lic), "queued@sched.example")
	assert.True(t, held)

	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, lsync.StateStopped, sc.Status().State)

	var sawSyncing bool
	log.mu.Lock()
	for _, s := range log.all {
		sawSyncing = sawSyncing || s.State == lsync.StateSyncing
	}
	log.mu.Unlock()
	assert.True(t, sawSyncing)
}

func TestScheduler_EndedSessionIsSignedOut(t *testing.T) {
	p := portaltest.Start(t)
	p.SignUp("owner@out.example", "Out")
	d := newDevice(t, p, "owner@out.example", portaltest.Password)
	require.NoError(t, d.client.Logout(context.Background()))
	sc := lsync.NewScheduler(d.syncer, lsync.SchedulerConfig{Interval: time.Hour})
	log := newStatusLog()
	sc.Subscribe(log.add)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	s := log.await(t, "signed out", func(s lsync.Status) bool { return s.State == lsync.StateSignedOut })
	assert.Equal(t, lsync.Unauthorized, lsync.KindOf(s.Err))
	cancel()
	<-done
}

func TestState_NamesEveryState(t *testing.T) {
	for s, want := range map[lsync.State]string{lsync.StateIdle: "idle", lsync.StateSyncing: "syncing", lsync.StateOffline: "offline",
		lsync.StateSignedOut: "signed out", lsync.StateError: "error", lsync.StateStopped: "stopped"} {
		assert.Equal(t, want, s.String())
	}
}

func mustWrite(w lsync.Write, err error) lsync.Write {
	if err != nil {
		panic(err)
	}
	return w
}
