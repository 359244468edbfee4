package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
)

// LeaseDays is how long a lease of a perpetual license lets a cloud-login
// program run offline (core.LeaseDays); a subscription's lease runs to the
// end of its offline countdown (core.LeaseEnd).
const LeaseDays = core.LeaseDays

// Lease signs an offline lease of the license the caller's program of a
// product runs with (the adopted one, or the default pick: core.RunWith),
// refused unless the caller holds an Assigned seat of a live license of it
// (source 000: a cloud-login program runs only for its assignee). The lease
// is bound to the caller's machine fingerprint when one is given (it must
// have a strong component, core.Bindable), so that a copy on another
// machine is refused by the same match rule as an activation; it ends as
// core.LeaseEnd says: expiry + 10 days for a subscription, a week for a
// perpetual license.
func (s *Store) Lease(ctx context.Context, c Caller, req api.LeaseRequest) (api.Lease, error) {
	product := strings.TrimSpace(req.Product)
	if product == "" {
		return api.Lease{}, core.E(core.Invalid, core.CodeProductMissing, "name the product to renew the lease of")
	}
	fp := core.Fingerprint(req.Fingerprint)
	if len(fp) > 0 {
		if err := activation.CheckFingerprint(fp); err != nil {
			return api.Lease{}, err
		}
		if err := core.Bindable(fp); err != nil {
			return api.Lease{}, err
		}
	}
	var out api.Lease
	var held core.Holding
	var issued time.Time
	err := s.readTx(ctx, func(t *tx) error {
		rows, err := heldLicenses(ctx, t, t.d, c.Email, product)
		if err != nil {
			return err
		}
		adopted, err := adoptions(ctx, t, t.d, c.Email)
		if err != nil {
			return err
		}
		lics := make([]core.License, len(rows))
		for i, r := range rows {
			lics[i] = r.License
		}
		// Whole seconds, the precision of signed files: a license in its
		// last second counts as expired rather than failing to sign.
		now := t.now.Truncate(time.Second)
		h, st, err := core.RunWith(lics, c.Email, product, adopted[product], now.Add(time.Second))
		if err != nil {
			return err
		}
		held = h
		out = api.Lease{Product: product, LicenseID: h.LicenseID, OwnerName: h.OwnerName, Adoption: st.String(),
			LeaseEnd: core.LeaseEnd(now, h.Expiry).Truncate(time.Second)}
		issued = now
		if !h.Expiry.IsZero() {
			e := h.Expiry
			out.Expiry = &e
		}
		return nil
	})
	if err != nil {
		return api.Lease{}, fmt.Errorf("lease %s: %w", product, err)
	}
	signer, err := s.activeSigner(ctx)
	if err != nil {
		return api.Lease{}, fmt.Errorf("lease %s: %w", product, err)
	}
	file, err := signer.Sign(licensefile.Payload{Kind: licensefile.KindLease, LicenseID: held.LicenseID, Product: held.Product,
		Edition: held.Edition.String(), Modules: held.Modules, Owner: held.OwnerName, Assignee: string(c.Email),
		Fingerprint: fp, Issued: issued, Expiry: held.Expiry, LeaseEnd: out.LeaseEnd})
	if err != nil {
		return api.Lease{}, fmt.Errorf("lease %s: sign: %w", product, err)
	}
	out.LeaseFile = string(file)
	return out, nil
}

// Subscriptions lists the expiry and renewal state of every license the
// caller holds an Assigned seat of and every key of the accounts they see,
// as the client needs for the 10-day banner and the countdown it runs when
// the portal is out of reach (source 002).
func (s *Store) Subscriptions(ctx context.Context, c Caller) ([]api.Subscription, error) {
	out := []api.Subscription{}
	err := s.readTx(ctx, func(t *tx) error {
		rows, err := heldLicenses(ctx, t, t.d, c.Email, "")
		if err != nil {
			return err
		}
		for _, r := range rows {
			if seatStateOf(r.License, c.Email) != core.SeatAssigned {
				continue
			}
			out = append(out, subscriptionOf("license", r.ID, r.Product, r.Expiry, r.Renewed, t.now))
		}
		keys, err := t.visibleKeys(ctx, c)
		if err != nil {
			return err
		}
		for _, k := range keys {
			var exp time.Time
			if k.Expiry != nil {
				exp = *k.Expiry
			}
			out = append(out, subscriptionOf("key", k.Key, k.Product, exp, k.Renewed, t.now))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Product != out[j].Product {
			return out[i].Product < out[j].Product
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// subscriptionOf applies core's subscription rule with the portal
// reachable (it is: it answers) and gives the client the instants it needs
// to run the rule itself offline.
func subscriptionOf(source, id, product string, expiry time.Time, renewed bool, now time.Time) api.Subscription {
	st := core.SubscriptionState(expiry, renewed, true, time.Time{}, now)
	v := api.Subscription{Source: source, ID: id, Product: product, Renewed: renewed, Phase: st.State.String(),
		DaysLeft: st.DaysLeft, WarnDays: core.WarnDays}
	if !expiry.IsZero() {
		e, from, stop := expiry, expiry.Add(-core.WarnDays*core.Day), core.OfflineStop(expiry)
		v.Expiry, v.WarnFrom, v.StopsIfUnreachable = &e, &from, &stop
	}
	return v
}
