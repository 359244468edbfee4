package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lsync "github.com/licdesk/licdesk/sync"
)

// Carlos turns Cobalt's external controller for MiTeam Meetings off and
// gives Eva a license, from the Integrations dialog.
func TestIntegrationsStory(t *testing.T) {
	r := newRig(t, "carlos@cobalt.example")
	sols := r.app.Solutions
	require.False(t, sols.IntegrBtn.Disabled(), "Carlos manages an integration")
	var acct string
	for _, m := range sols.accounts {
		if m.AccountName == "Cobalt Telecom" {
			acct = m.AccountID
		}
	}
	require.NotEmpty(t, acct)
	id := lsync.IntegrationID(acct, "MiTeam Meetings")
	carlos, eva := id+"/carlos@cobalt.example", id+"/eva@cobalt.example"

	test.Tap(sols.IntegrBtn)
	v := sols.Integr
	require.NotNil(t, v, "the dialog is open")
	require.Contains(t, v.Controller, id)
	assert.True(t, v.Product[id].Checked)
	assert.True(t, v.Controller[id].Checked)
	assert.False(t, v.Controller[id].Disabled())
	assert.Equal(t, "read-only on", v.State[carlos].Text)
	assert.True(t, v.Users[carlos].Checked)
	assert.True(t, v.Users[carlos].Disabled())
	assert.Equal(t, "No licenses", v.State[eva].Text)
	assert.True(t, v.Users[eva].Disabled())

	// A disabled switch does not move.
	test.Tap(v.Users[eva])
	assert.False(t, v.Users[eva].Checked)
	assert.True(t, r.app.failedBtn.Hidden, "nothing was sent")

	test.Tap(v.Controller[id])
	v = sols.Integr
	assert.False(t, v.Controller[id].Checked)
	assert.Equal(t, "on", v.State[carlos].Text, "the controller kept Carlos's license")
	assert.False(t, v.Users[carlos].Disabled())
	assert.Equal(t, "off", v.State[eva].Text)
	require.False(t, v.Users[eva].Disabled())
	assert.Empty(t, v.Pending[id].Text, "the portal confirmed it")

	test.Tap(v.Users[eva])
	v = sols.Integr
	assert.True(t, v.Users[eva].Checked)
	assert.Equal(t, "on", v.State[eva].Text)
	assert.True(t, r.app.failedBtn.Hidden, "no write refused")
	assert.NotEmpty(t, r.seatState("COBALT-MT-2026", "eva@cobalt.example"), "Eva holds a seat of the license")
}

// Offline, a flipped switch shows at once as pending.
func TestIntegrationsPendingWhileOffline(t *testing.T) {
	r := newRig(t, "carlos@cobalt.example")
	sols := r.app.Solutions
	test.Tap(sols.IntegrBtn)
	var id string
	for k := range sols.Integr.Controller {
		id = k
	}
	require.NotEmpty(t, id)
	r.portal.Stop()
	test.Tap(sols.Integr.Controller[id])
	v := sols.Integr
	assert.False(t, v.Controller[id].Checked)
	assert.Contains(t, v.Pending[id].Text, "pending")
	assert.Equal(t, "off", v.State[id+"/eva@cobalt.example"].Text)
	assert.False(t, v.Users[id+"/eva@cobalt.example"].Disabled())
}
