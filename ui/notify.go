package ui

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"fyne.io/fyne/v2"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	lsync "github.com/licdesk/licdesk/sync"
)

// Desktop notifications: a license newly assigned to the user, one removed,
// and a subscription ending within core.WarnDays. They are derived from the
// difference between the cache after a sync round and what the previous
// round left, kept per login in the profile's settings, so that each event
// is notified once, across restarts too. The first round of a login only
// records what it found: the user's existing licenses are not news.

// notifyState is what the last round left, per login.
type notifyState struct {
	// Assigned maps the license IDs assigned to the user to "Product from
	// Owner".
	Assigned map[string]string `json:"assigned"`
	// Ending holds the ending-subscription events already notified
	// (license or key, and the expiry day).
	Ending map[string]bool `json:"ending"`
}

func notifySetting(identity string) string { return "ui.notified " + identity }

// notification is one to send.
type notification struct{ title, content string }

// diffNotifications compares the cache with the previous state and returns
// what to notify and the state to keep (off the UI goroutine).
func (a *App) diffNotifications(ctx context.Context) ([]notification, error) {
	if st, err := a.sess.cache.SyncState(ctx); err != nil || st.LastSync.IsZero() {
		return nil, err // nothing synced yet: no copy to compare
	}
	assigned, err := a.sess.cache.Assigned(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := lsync.List[api.Key](ctx, a.sess.cache, api.KindKey)
	if err != nil {
		return nil, err
	}
	settings, err := a.sess.cache.Settings(ctx)
	if err != nil {
		return nil, err
	}
	name := notifySetting(lsync.Identity(a.sess.portal(), a.sess.email()))
	var prev notifyState
	first := settings[name] == ""
	if !first {
		if err := json.Unmarshal([]byte(settings[name]), &prev); err != nil {
			first = true // damaged: start over quietly
		}
	}
	next := notifyState{Assigned: map[string]string{}, Ending: map[string]bool{}}
	for k := range prev.Ending {
		next.Ending[k] = true
	}
	now := a.cfg.Now()
	var out []notification
	type ending struct {
		id, what string
		expiry   time.Time
	}
	var ends []ending
	// The names kept are in the window's language: they are only shown.
	tr := a.l
	for _, p := range assigned {
		for _, l := range p.Licenses {
			next.Assigned[l.LicenseID] = tr.T("ui.notify.from", "Product", p.Product, "Owner", l.OwnerName)
			if l.LicenseID == p.Effective {
				ends = append(ends, ending{l.LicenseID, tr.T("ui.notify.from_paren", "Product", p.Product, "Owner", l.OwnerName), l.Expiry})
			}
		}
	}
	for _, k := range keys {
		if k.Expiry != nil && !k.Renewed {
			ends = append(ends, ending{k.Key, tr.T("ui.banner.key", "Product", k.Product, "Key", k.Key), *k.Expiry})
		}
	}
	if !first {
		var added, removed []string
		for id, what := range next.Assigned {
			if _, ok := prev.Assigned[id]; !ok {
				added = append(added, what)
			}
		}
		for id, what := range prev.Assigned {
			if _, ok := next.Assigned[id]; !ok {
				removed = append(removed, what)
			}
		}
		sort.Strings(added)
		sort.Strings(removed)
		for _, w := range added {
			out = append(out, notification{tr.T("ui.notify.assigned.title"), tr.T("ui.notify.assigned", "What", w)})
		}
		for _, w := range removed {
			out = append(out, notification{tr.T("ui.notify.removed.title"), tr.T("ui.notify.removed", "What", w)})
		}
	}
	for _, e := range ends {
		warn, days := core.SubscriptionWarning(e.expiry, now)
		if !warn || e.expiry.IsZero() || !e.expiry.After(now) {
			continue
		}
		id := e.id + " " + day(e.expiry) // a key in the settings: not in the user's language
		if next.Ending[id] {
			continue
		}
		next.Ending[id] = true
		out = append(out, notification{tr.T("ui.notify.ending.title"), tr.N("ui.banner.ends_in", days, "What", e.what, "Date", a.day(e.expiry))})
	}
	b, err := json.Marshal(next)
	if err != nil {
		return nil, err
	}
	if err := a.sess.cache.SetSettings(ctx, map[string]string{name: string(b)}); err != nil {
		return nil, err
	}
	return out, nil
}

// notifyChanges sends the notifications of the round that just ended.
func (a *App) notifyChanges() {
	a.bg(func(ctx context.Context) {
		ns, err := a.diffNotifications(ctx)
		if err != nil || len(ns) == 0 {
			return
		}
		a.do(func() {
			for _, n := range ns {
				a.notified = append(a.notified, n)
				a.fa.SendNotification(fyne.NewNotification(n.title, n.content))
			}
		})
	})
}
