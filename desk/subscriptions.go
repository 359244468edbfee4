package desk

import (
	"context"
	"sort"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	lsync "github.com/licdesk/licdesk/sync"
)

// Subscriptions is the state of the user's subscriptions (source 002).
type Subscriptions struct {
	List []api.Subscription
	// Unreachable: the portal did not answer (or offline was asked); the
	// list comes from the local copy and every subscription counts down
	// to the day it stops, 10 days after its expiry.
	Unreachable bool
	// Why the portal was not asked or did not answer.
	Why error
}

// Subscriptions lists the licenses assigned to the user and the keys of
// their accounts with their phase (active, warning, countdown, stopped),
// the days left, and the date each stops if the portal stays out of reach.
// The portal's answer is used when it gives one within AnswerWithin (it
// knows what was renewed); otherwise the rule runs here on the local copy,
// as the window's banner does.
func (d *Desk) Subscriptions(ctx context.Context, offline bool) (Subscriptions, error) {
	var out Subscriptions
	if _, err := d.requireLogin(ctx); err != nil {
		return out, err
	}
	if offline {
		out.Why = ErrNeedsPortal
	} else if cl, err := d.online(ctx, lsync.NoRetry()); err != nil {
		out.Why = err
	} else {
		qctx, cancel := d.quick(ctx)
		list, err := cl.Subscriptions(qctx)
		cancel()
		if err == nil {
			out.List = list
			return out, nil
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if !lsync.IsTransient(err) {
			return out, err
		}
		out.Why = err
	}
	out.Unreachable = true
	list, err := d.LocalSubscriptions(ctx, false)
	out.List = list
	return out, err
}

// reachedWithin is how recently the portal must have answered for the
// local copy to count it as reachable: a client that is online syncs far
// more often than that.
const reachedWithin = core.Day

// RecentlyReached reports whether the portal answered this profile within
// the last day: what a command that does not ask the portal takes for
// "reachable".
func (d *Desk) RecentlyReached(ctx context.Context) bool {
	c, err := d.Cache(ctx)
	if err != nil {
		return false
	}
	st, err := c.SyncState(ctx)
	return err == nil && !st.LastReached.IsZero() && d.Now().Sub(st.LastReached) < reachedWithin
}

// Countdown is the subscription the product runs with here, as the offline
// check sees it from the local copy (no network): while the portal has not
// answered for a day, a countdown to the day the product stops (its expiry
// plus ten days, source 002). ok is false without a login or a subscription
// of the product.
func (d *Desk) Countdown(ctx context.Context, product string) (api.Subscription, bool) {
	s, err := d.Session(ctx)
	if err != nil || !s.LoggedIn() {
		return api.Subscription{}, false
	}
	list, err := d.LocalSubscriptions(ctx, d.RecentlyReached(ctx))
	if err != nil {
		return api.Subscription{}, false
	}
	for _, sub := range list {
		if sub.Product == product && sub.Source == "license" {
			return sub, true
		}
	}
	for _, sub := range list {
		if sub.Product == product {
			return sub, true
		}
	}
	return api.Subscription{}, false
}

// LocalSubscriptions runs the subscription rule on the local copy, the
// portal reachable or not (the window knows from its sync): the licenses
// the user runs with and the keys.
func (d *Desk) LocalSubscriptions(ctx context.Context, reachable bool) ([]api.Subscription, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	st, err := c.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	now := d.Now()
	var out []api.Subscription
	add := func(source, id, product string, expiry time.Time, renewed bool) {
		s := core.SubscriptionState(expiry, renewed, reachable, st.LastReached, now)
		v := api.Subscription{Source: source, ID: id, Product: product, Renewed: renewed, Phase: s.State.String(),
			DaysLeft: s.DaysLeft, WarnDays: core.WarnDays}
		if !expiry.IsZero() {
			e, from, stop := expiry, expiry.Add(-core.WarnDays*core.Day), expiry.Add(core.WarnDays*core.Day)
			v.Expiry, v.WarnFrom, v.StopsIfUnreachable = &e, &from, &stop
		}
		out = append(out, v)
	}
	assigned, err := c.Assigned(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range assigned {
		for _, l := range p.Licenses {
			if l.LicenseID == p.Effective {
				add("license", l.LicenseID, p.Product, l.Expiry, false)
			}
		}
	}
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		var exp time.Time
		if k.Expiry != nil {
			exp = *k.Expiry
		}
		add("key", k.Key, k.Product, exp, k.Renewed)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Product != out[j].Product {
			return out[i].Product < out[j].Product
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// SubscriptionAction is what a subscription asks of the user: "renew"
// while it warns or after it stopped, unless it was renewed.
func SubscriptionAction(s api.Subscription) string {
	if s.Renewed {
		return ""
	}
	switch s.Phase {
	case core.PhaseWarning.String(), core.PhaseCountdown.String(), core.PhaseStopped.String():
		if s.Expiry != nil {
			return string(core.ActionRenew)
		}
	}
	return ""
}
