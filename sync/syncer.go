package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/licdesk/licdesk/api"
)

// SyncerConfig wires a Syncer.
type SyncerConfig struct {
	Cache  *Cache
	Client *Client
	// Identity names the login the writes are made under (e-mail at
	// portal); writes of another identity are never sent with this one's
	// token.
	Identity string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Checkpoint, when set, is called at named points of a sync and a write
	// ("push.answered", ...). Crash tests stop the process there; nothing
	// else should use it.
	Checkpoint func(point string)
	// Lock, when set, is held for the whole of every push, so that two
	// processes sharing a profile never send the same waiting writes at
	// once (each would then read the other's landed writes as refusals).
	// It returns the release, or an error when the lock cannot be had.
	Lock func(ctx context.Context) (unlock func(), err error)
}

// Syncer moves writes and changes between the cache and the portal. One
// round (Sync) pushes the outbox, then pulls the change feed. It is safe for
// concurrent use, and several processes may sync the same cache at once.
type Syncer struct {
	cache    *Cache
	client   *Client
	identity string
	now      func() time.Time
	hook     func(string)
	lock     func(context.Context) (func(), error)
}

// NewSyncer builds a syncer.
func NewSyncer(cfg SyncerConfig) *Syncer {
	s := &Syncer{cache: cfg.Cache, client: cfg.Client, identity: cfg.Identity, now: cfg.Now, hook: cfg.Checkpoint, lock: cfg.Lock}
	if s.now == nil {
		s.now = time.Now
	}
	if s.hook == nil {
		s.hook = func(string) {}
	}
	return s
}

// Cache returns the cache the syncer writes.
func (s *Syncer) Cache() *Cache { return s.cache }

// Submit stores a write in the outbox and shows its effect in the cache at
// once; it does not send it (Push or Sync does). Once Submit returns, the
// write survives any crash and will be sent exactly once.
func (s *Syncer) Submit(ctx context.Context, w Write) (Entry, error) {
	return s.cache.submit(ctx, s.identity, w, s.now(), s.hook)
}

// PushResult tells what a push did.
type PushResult struct {
	// Accepted are the writes the portal applied, with its answers.
	Accepted []Entry
	// Refused are the writes the portal refused, with its reasons.
	Refused []Entry
	// Pending counts the writes still waiting (the portal went out of reach).
	Pending int
}

// Push sends the waiting writes in order until the outbox is empty or the
// portal cannot be reached. A refusal marks that write failed and goes on
// with the next; an unreachable portal or an ended session stops the push
// and is returned, the writes staying queued.
func (s *Syncer) Push(ctx context.Context) (PushResult, error) {
	var res PushResult
	if s.lock != nil {
		unlock, err := s.lock(ctx)
		if err != nil {
			return res, err
		}
		defer unlock()
	}
	entries, err := s.cache.Entries(ctx, Pending)
	if err != nil {
		return res, err
	}
	for i, e := range entries {
		if e.Identity != s.identity {
			continue
		}
		s.hook("push.before-send")
		var answer json.RawMessage
		err := s.client.Do(ctx, Request{Method: e.Write.Method, Path: e.Write.Path, Body: e.Write.Body, Key: e.Key}, &answer)
		s.hook("push.answered")
		now := s.now()
		var pe *Error
		switch {
		case err == nil:
			if err := s.cache.markAcked(ctx, e.Seq, answer, now); err != nil {
				return res, err
			}
			e.State, e.Answer = Acked, answer
			res.Accepted = append(res.Accepted, e)
		case errors.As(err, &pe) && pe.Refusal():
			if err := s.cache.markFailed(ctx, e.Seq, pe, now); err != nil {
				return res, err
			}
			e.State, e.Code, e.Reason = Failed, pe.Code, pe.Msg
			res.Refused = append(res.Refused, e)
		default:
			if ctx.Err() == nil {
				if merr := s.cache.markTried(ctx, e.Seq, now, err.Error()); merr != nil {
					return res, merr
				}
			}
			res.Pending = len(entries) - i
			return res, err
		}
		s.hook("push.committed")
	}
	return res, nil
}

// PullResult tells what a pull did.
type PullResult struct {
	Pages   int  // pages applied
	Changes int  // objects changed
	Resync  bool // the portal sent a full copy
	// Kinds counts the changed objects per kind, so that a window redraws
	// only the views whose objects changed.
	Kinds map[string]int
}

func (r *PullResult) add(o PullResult) {
	r.Pages += o.Pages
	r.Changes += o.Changes
	r.Resync = r.Resync || o.Resync
	for k, n := range o.Kinds {
		if r.Kinds == nil {
			r.Kinds = map[string]int{}
		}
		r.Kinds[k] += n
	}
}

// errCursorMoved means another process advanced the feed meanwhile.
var errCursorMoved = errors.New("the cache's sync position moved meanwhile")

// Pull brings the cache up to date with the change feed. Each page commits
// with its cursor, so a crash loses at most the page in flight. While one
// page is applied the next is already being fetched. When nothing changed it
// costs one small round trip.
func (s *Syncer) Pull(ctx context.Context) (PullResult, error) {
	var res PullResult
	for range 5 {
		r, err := s.pullOnce(ctx)
		res.add(r)
		if !errors.Is(err, errCursorMoved) {
			return res, err
		}
	}
	return res, fmt.Errorf("pull: %w too often", errCursorMoved)
}

type fetched struct {
	page api.Changes
	err  error
}

func (s *Syncer) pullOnce(ctx context.Context) (PullResult, error) {
	var res PullResult
	gen, err := s.cache.ackGen(ctx)
	if err != nil {
		return res, err
	}
	st, err := s.cache.SyncState(ctx)
	if err != nil {
		return res, err
	}
	// The fetcher runs at most one page ahead of the applier; it belongs
	// to this call, which cancels it and waits for it before returning.
	fctx, cancel := context.WithCancel(ctx)
	pages := make(chan fetched, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(pages)
		cursor := st.Cursor
		for {
			page, err := s.client.Changes(fctx, cursor)
			select {
			case pages <- fetched{page, err}:
			case <-fctx.Done():
				return
			}
			if err != nil || page.Complete {
				return
			}
			cursor = page.Cursor
		}
	}()
	defer func() {
		cancel()
		for range pages {
		}
		<-done
	}()

	from := st.Cursor
	for f := range pages {
		if f.err != nil {
			s.noteFailure(ctx, f.err)
			return res, f.err
		}
		s.hook("pull.fetched")
		if err := s.applyPage(ctx, from, f.page, gen); err != nil {
			return res, err
		}
		s.hook("pull.committed")
		kinds := map[string]int{}
		for _, ch := range f.page.Changes {
			kinds[ch.Kind]++
		}
		res.add(PullResult{Pages: 1, Changes: len(f.page.Changes), Resync: f.page.Resync, Kinds: kinds})
		from = f.page.Cursor
		if f.page.Complete {
			return res, nil
		}
	}
	if ctx.Err() != nil {
		// Cancelled or out of time while a page was on its way: say so,
		// rather than that the feed was cut short.
		return res, s.client.netError(ctx, ctx.Err())
	}
	return res, errors.New("pull: the change feed ended before a complete page")
}

// applyPage applies one page and moves the cursor from `from` to the page's,
// in one transaction; when the page completes the pull it also retires the
// writes acknowledged before the pull began.
func (s *Syncer) applyPage(ctx context.Context, from string, page api.Changes, gen int64) error {
	now := s.now()
	return s.cache.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := getKV(ctx, tx, "state", stateCursor)
		if err != nil {
			return err
		}
		if cur != from {
			return errCursorMoved
		}
		t := newTxn(ctx, tx)
		defer t.close()
		if page.Resync {
			if err := t.resetObjects(); err != nil {
				return err
			}
		}
		var overlaid map[Ref]bool
		if len(page.Changes) > 0 {
			if overlaid, err = t.overlaidRefs(); err != nil {
				return err
			}
		}
		for _, ch := range page.Changes {
			ref := Ref{ch.Kind, ch.ID}
			var data []byte
			if !ch.Deleted {
				data = ch.Data
				if data == nil {
					data = []byte("null")
				}
			}
			if err := t.putServer(ref, data, overlaid[ref]); err != nil {
				return err
			}
		}
		kv := map[string]string{stateCursor: page.Cursor, stateLastReached: msString(now), stateLastAttempt: msString(now),
			stateLastError: ""}
		if page.Complete {
			kv[stateLastSync] = msString(now)
			if err := t.finishAcked(gen); err != nil {
				return err
			}
		}
		if err := setKVs(ctx, tx, "state", kv); err != nil {
			return err
		}
		s.hook("pull.before-commit")
		return nil
	})
}

// noteFailure records why a sync failed, and when the portal was last
// reached if the failure was the portal's own answer.
func (s *Syncer) noteFailure(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	now := s.now()
	s.cache.inTx(ctx, func(tx *sql.Tx) error {
		if pe := (*Error)(nil); errors.As(err, &pe) && pe.Status != 0 {
			setKV(ctx, tx, "state", stateLastReached, msString(now))
		}
		setKV(ctx, tx, "state", stateLastAttempt, msString(now))
		return setKV(ctx, tx, "state", stateLastError, err.Error())
	})
}

// Result tells what a sync round did.
type Result struct {
	Push PushResult
	Pull PullResult
}

// Sync runs one round: push the outbox, then pull the change feed. When the
// push stops (portal out of reach, session ended) the round stops there.
func (s *Syncer) Sync(ctx context.Context) (Result, error) {
	var res Result
	if !s.client.HasToken() {
		err := &Error{Kind: Unauthorized, Code: "auth.required", Msg: messageFor("auth.required")}
		s.noteFailure(ctx, err)
		return res, err
	}
	var err error
	res.Push, err = s.Push(ctx)
	if err != nil {
		s.noteFailure(ctx, err)
		return res, err
	}
	res.Pull, err = s.Pull(ctx)
	return res, err
}

// Probe asks the portal whether it answers, with one quick try, and records
// the time if it does.
func (s *Syncer) Probe(ctx context.Context) error {
	err := s.client.WithRetry(NoRetry()).Do(ctx, Request{Method: http.MethodGet, Path: "/v1/health"}, nil)
	if err == nil {
		s.cache.inTx(ctx, func(tx *sql.Tx) error {
			return setKV(ctx, tx, "state", stateLastReached, msString(s.now()))
		})
	}
	return err
}
