package desk

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/machine"
	lsync "github.com/licdesk/licdesk/sync"
)

// Synced is what a full sync did.
type Synced struct {
	lsync.Result
	// Leases counts the cloud-login leases renewed on this machine.
	Leases int
}

// Sync sends the waiting writes, pulls the changes and renews the leases
// of the products assigned to the user (each sync refreshes them, so that
// a cloud-login product checks offline until the next).
func (d *Desk) Sync(ctx context.Context) (Synced, error) {
	var out Synced
	s, err := d.Syncer(ctx, lsync.DefaultRetry())
	if err != nil {
		return out, err
	}
	out.Result, err = s.Sync(ctx)
	if err != nil {
		return out, err
	}
	out.Leases = d.RenewLeases(ctx)
	d.learnDeactivations(ctx)
	return out, nil
}

// learnDeactivations tells this machine's license store about its
// activations that the portal now shows as deactivated (freed from another
// machine, or by a receipt): their license files are refused from then on,
// even when a copy is restored.
func (d *Desk) learnDeactivations(ctx context.Context) {
	st, err := d.Machine()
	if err != nil {
		return
	}
	local, err := st.Activations(ctx)
	if err != nil || len(local) == 0 {
		return
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return
	}
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	if err != nil {
		return
	}
	mine := map[string]bool{}
	for _, r := range local {
		mine[r.ActivationID] = true
	}
	var gone []string
	for _, k := range keys {
		for _, a := range k.Activations {
			if mine[a.ID] && a.State == "deactivated" {
				gone = append(gone, a.ID)
			}
		}
	}
	if len(gone) > 0 {
		st.RecordDeactivated(ctx, gone...)
	}
}

// Freshness is what a read's quick sync found.
type Freshness struct {
	// Stale: the portal did not answer (or the session ended); the read
	// shows the local copy, as of LastSync. Why says why.
	Stale    bool
	Why      error
	LastSync lsync.SyncState
	// Refused are earlier queued writes the portal refused during this
	// round.
	Refused []lsync.Entry
}

// Freshen runs one quick sync round before a read: the portal has
// AnswerWithin to answer, else the read goes on from the local copy. Only
// a failure that is not the portal's (a broken cache) is an error.
func (d *Desk) Freshen(ctx context.Context) (Freshness, error) {
	var f Freshness
	if _, err := d.requireLogin(ctx); err != nil {
		return f, err
	}
	s, err := d.Syncer(ctx, lsync.NoRetry())
	if err != nil {
		return f, err
	}
	qctx, cancel := d.quick(ctx)
	res, err := s.Sync(qctx)
	cancel()
	f.Refused = res.Push.Refused
	if err != nil && ctx.Err() != nil {
		return f, ctx.Err()
	}
	if err != nil {
		if !lsync.IsOffline(err) && lsync.KindOf(err) != lsync.Unauthorized {
			return f, err
		}
		f.Stale, f.Why = true, err
	}
	c, _ := d.Cache(ctx)
	f.LastSync, _ = c.SyncState(ctx)
	return f, nil
}

// Outcome is what became of a write.
type Outcome struct {
	// Done: the portal applied it; Answer is its answer. Otherwise the
	// write is queued, to be sent when the portal answers (Why says why
	// it was not sent now).
	Done   bool
	Entry  lsync.Entry
	Answer json.RawMessage
	Why    error
	// Refused are earlier queued writes the portal refused meanwhile.
	Refused []lsync.Entry
}

// RefusedError is the portal's final no to a write: the cache was rolled
// back and the write is kept, with its reason, among the refused writes.
// It unwraps to core's error, so errors.Is and core.CodeOf see the code.
type RefusedError struct {
	Write  lsync.Write
	Code   string
	Reason string
	Err    error
}

// Error is the portal's reason.
func (e *RefusedError) Error() string { return e.Reason }

// Unwrap is the portal's refusal as core's error.
func (e *RefusedError) Unwrap() error { return e.Err }

// Submit queues a write (it shows in the cache at once) and, unless
// offline, sends it now: the portal has AnswerWithin to answer, else the
// write stays queued and is sent by the next sync (the idempotency key makes
// a late answer harmless). A refusal comes back as a *RefusedError. After
// a write that lands, what `check`, `launch` and the integrations read is
// brought up to date.
func (d *Desk) Submit(ctx context.Context, w lsync.Write, offline bool) (Outcome, error) {
	var out Outcome
	s, err := d.Syncer(ctx, lsync.DefaultRetry())
	if err != nil {
		return out, err
	}
	e, err := s.Submit(ctx, w)
	if err != nil {
		return out, err
	}
	out.Entry = e
	if offline {
		out.Why = ErrNeedsPortal
		return out, nil
	}
	qctx, cancel := d.quick(ctx)
	res, serr := s.Sync(qctx)
	cancel()
	for _, r := range res.Push.Refused {
		if r.Seq == e.Seq {
			return out, &RefusedError{Write: w, Code: r.Code, Reason: r.Reason, Err: r.Refusal()}
		}
		out.Refused = append(out.Refused, r)
	}
	for _, a := range res.Push.Accepted {
		if a.Seq == e.Seq {
			out.Done, out.Answer, out.Entry = true, a.Answer, a
			d.afterWrite(ctx, w)
			return out, nil
		}
	}
	if serr != nil && ctx.Err() != nil {
		return out, ctx.Err()
	}
	out.Why = serr
	return out, nil
}

// afterWrite renews the leases a landed write may have changed: adopting
// another owner's license, a seat given to or taken from the user, an
// integration switch. The sync that sent the write pulled the rest.
func (d *Desk) afterWrite(ctx context.Context, w lsync.Write) {
	switch w.Op {
	case lsync.OpAdopt, lsync.OpSeatAssign, lsync.OpSeatRemove, lsync.OpSeatReassign,
		lsync.OpIntegrationSwitches, lsync.OpIntegrationUser:
		d.RenewLeases(ctx)
	}
}

// ErrActivated: the product runs with a key activated on this machine,
// which a lease must not replace.
var ErrActivated = i18n.Errorf("desk.activated")

// RenewLease asks the portal for a fresh offline lease of the product's
// cloud-login license (the adopted one, or the default pick) and installs
// it, unless this machine holds an activation of the product.
func (d *Desk) RenewLease(ctx context.Context, product string) (api.Lease, error) {
	var got api.Lease
	st, err := d.Machine()
	if err != nil {
		return got, err
	}
	if activated(ctx, st, product) {
		return got, ErrActivated
	}
	cl, err := d.online(ctx, lsync.NoRetry())
	if err != nil {
		return got, err
	}
	if err := d.EnsureTrust(ctx); err != nil {
		return got, err
	}
	// The lease is bound to this machine, so that a copy elsewhere is
	// refused like another machine's activation.
	fp, err := d.Fingerprint(ctx)
	if err != nil {
		return got, err
	}
	qctx, cancel := d.quick(ctx)
	got, err = cl.Lease(qctx, api.LeaseRequest{Product: product, Fingerprint: fp})
	cancel()
	if errors.Is(err, &core.Error{Code: core.CodeCloudLoginExpired}) {
		// The portal says the subscription ended and was not renewed: it
		// stops now (source 002), not when the offline countdown would
		// have ended. The lease goes; the check then says to renew.
		if rerr := st.Remove(ctx, product); rerr != nil {
			return got, i18n.Wrap(err, "desk.lease.not_removed", "Why", rerr.Error())
		}
		return got, err
	}
	if err != nil {
		return got, err
	}
	if _, err := st.Install(ctx, []byte(got.LeaseFile), d.Now(), nil); err != nil {
		return got, i18n.Wrap(err, "desk.lease.not_installed", "Product", product)
	}
	return got, nil
}

// activated reports whether a trusted activation of the product is
// installed here.
func activated(ctx context.Context, st *machine.Store, product string) bool {
	cur, err := st.ReadLicense(ctx, product)
	if err != nil {
		return false
	}
	trusted, err := st.Trusted(ctx)
	if err != nil {
		return false
	}
	p, err := licensefile.Verify(cur, trusted)
	return err == nil && p.Kind == licensefile.KindActivation
}

// RenewLeases renews the lease of every product assigned to the user and
// returns how many it renewed. Failures are quiet: the portal may be out
// of reach, or a product keyed here; the check says what matters.
func (d *Desk) RenewLeases(ctx context.Context) int {
	c, err := d.Cache(ctx)
	if err != nil {
		return 0
	}
	products, err := c.Assigned(ctx)
	if err != nil {
		return 0
	}
	n := 0
	for _, p := range products {
		if _, err := d.RenewLease(ctx, p.Product); err == nil {
			n++
		} else if ctx.Err() != nil {
			break
		}
	}
	return n
}
