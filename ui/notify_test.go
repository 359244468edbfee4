package ui

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
)

func (r *rig) titles(from int) []string {
	var out []string
	for _, n := range r.app.notified[from:] {
		out = append(out, n.title+": "+n.content)
	}
	return out
}

func TestNotifications(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	a := r.app
	ctx := context.Background()

	// The first round only records: existing licenses are not news, and a
	// second round with nothing new notifies nothing.
	for _, n := range a.notified {
		assert.NotEqual(t, "New license assigned to you", n.title)
		assert.NotEqual(t, "License removed", n.title)
	}
	n0 := len(a.notified)
	a.SyncNow()
	assert.Empty(t, r.titles(n0), "nothing changed, nothing notified")

	// A license ending in 5 days is assigned to ana: new, and ending.
	acct := a.sess.accountID(ctx)
	now := time.Now()
	lic, err := r.portal.Store.IssueLicense(ctx, acct, store.LicenseSpec{Product: "QiBuilder", Edition: core.EditionProfessional,
		Modules: []string{"Core"}, Seats: 2, ContractNumber: "QI-SOON", Start: now.AddDate(0, -11, 0), Expiry: now.AddDate(0, 0, 5)})
	require.NoError(t, err)
	a.SyncNow()
	a.Solutions.Assign(lic, "ana@acme.example")
	got := r.titles(n0)
	require.Len(t, got, 2, "%q", got)
	assert.Contains(t, got[0], "New license assigned to you: QiBuilder from")
	assert.Contains(t, got[1], "Subscription ending: QiBuilder")
	assert.Contains(t, got[1], "5 days")

	// Never twice for the same event.
	n1 := len(a.notified)
	a.SyncNow()
	a.Refresh()
	assert.Empty(t, r.titles(n1))

	// The seat removed: one notification.
	a.Solutions.Remove(lic, "ana@acme.example")
	got = r.titles(n1)
	require.Len(t, got, 1, "%q", got)
	assert.Contains(t, got[0], "License removed: QiBuilder from")
	n2 := len(a.notified)
	a.SyncNow()
	assert.Empty(t, r.titles(n2))
}
