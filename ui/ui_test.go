package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/portal/portaltest"
)

// rig is a window logged in as a demo user against a real portal on
// loopback, driven by fyne's test driver with background work inline.
type rig struct {
	t      *testing.T
	portal *portaltest.Portal
	app    *App
	hw     *machine.Identifiers // the machine's fake hardware: change it in place
}

func newRig(t *testing.T, email string, opts ...func(*Config)) *rig {
	t.Helper()
	p := portaltest.Start(t)
	logins := p.Seed()
	var login Login
	for _, l := range logins {
		if l.Email == email {
			login = Login{Portal: p.URL, Email: l.Email, Password: l.Password, Name: l.Name}
		}
	}
	require.NotEmpty(t, login.Email, "demo login %s", email)
	fa := test.NewTempApp(t)
	hw := laptop()
	cfg := Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, allTabs: true, SignIn: &login,
		hardware: fakeHardware(hw)}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := New(fa, cfg)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	require.NotNil(t, a.Solutions, "the tabs show after the sign-in")
	return &rig{t: t, portal: p, app: a, hw: hw}
}

// solution returns the listed license with a contract number.
func (r *rig) solution(contract string) api.Solution {
	r.t.Helper()
	for _, s := range r.app.Solutions.List.rows.items {
		if s.ContractNumber == contract {
			return s
		}
	}
	r.t.Fatalf("no license %s in Active solutions", contract)
	return api.Solution{}
}

// seatState is the state the license's seats show for an e-mail, "" if none.
func (r *rig) seatState(contract, email string) string {
	seats, err := r.app.Solutions.seatsOf(r.solution(contract))
	require.NoError(r.t, err)
	for _, s := range seats {
		if s.Email == email {
			return s.State
		}
	}
	return ""
}

func TestSeatStory(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sols := r.app.Solutions
	require.NotEmpty(t, sols.List.shown, "ana sees her licenses")

	// The filter narrows the list as one types.
	test.Type(sols.List.filter, "ACME-EB")
	require.Len(t, sols.List.shown, 1)
	sols.List.list.Select(0)
	eb, ok := sols.List.current()
	require.True(t, ok)
	assert.Equal(t, "ACME-EB-2026", eb.ContractNumber)
	assert.True(t, sols.AssignBtn.Disabled() == false, "a selected license can be assigned")

	// Assign: the portal accepts, the seat shows Pending (no account yet).
	sols.Assign(eb.LicenseID, "newcomer@acme.example")
	assert.Equal(t, "pending", r.seatState("ACME-EB-2026", "newcomer@acme.example"))
	assert.NotContains(t, r.app.Status(), "pending", "the write was sent")

	// Remove: the seat is free again.
	sols.Remove(eb.LicenseID, "newcomer@acme.example")
	assert.Equal(t, "", r.seatState("ACME-EB-2026", "newcomer@acme.example"))

	// A refused write (the same e-mail twice) shows as failed with its reason.
	holder := ""
	ebSeats, err := sols.seatsOf(eb)
	require.NoError(t, err)
	for _, s := range ebSeats {
		if s.Email != "" {
			holder = s.Email
		}
	}
	require.NotEmpty(t, holder)
	sols.Assign(eb.LicenseID, holder)
	assert.False(t, r.app.failedBtn.Hidden, "the failed-write button shows")
	assert.Contains(t, r.app.failedBtn.Text, "1 failed write")
}

func TestAdoption(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	as := r.app.Assigned
	var other int = -1
	for i, row := range as.List.rows.items {
		if row.Product == "Eberick" && !row.Adopted && !row.Default {
			other = i
		}
	}
	require.GreaterOrEqual(t, other, 0, "ana holds a non-default Eberick license: %+v", as.List.rows.items)
	target := as.List.rows.items[other]
	require.True(t, as.List.selectWhere(func(r assignedRow) bool { return r.LicenseID == target.LicenseID }))
	require.False(t, as.AdoptBtn.Disabled())
	test.Tap(as.AdoptBtn)
	for _, row := range as.List.rows.items {
		if row.LicenseID == target.LicenseID {
			assert.True(t, row.Adopted, "the adopted license is marked")
		}
	}
	assert.True(t, as.AdoptBtn.Disabled(), "an adopted license cannot be adopted again")
}

func TestSupportRequest(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sp := r.app.Support
	before := len(sp.List.rows.items)
	sp.Open("Eberick", "Slab design crashes", "Opening the slab window crashes the program.")
	require.Len(t, sp.List.rows.items, before+1)
	var got api.ServiceRequest
	for _, q := range sp.List.rows.items {
		if q.Title == "Slab design crashes" {
			got = q
		}
	}
	assert.True(t, strings.HasPrefix(got.ID, "SR-"), "the portal's ID replaced the local one: %q", got.ID)
	assert.Equal(t, api.RequestOpen, got.State)
}

func TestDownload(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	dl := r.app.Downloads
	require.NotEmpty(t, dl.List.rows.items, "ana's products have files")
	f := dl.List.rows.items[0]
	dl.Download(f)
	assert.Contains(t, dl.Message.Text, "SHA-256 verified")
	st, err := os.Stat(filepath.Join(dl.Dir, filepath.Base(f.Name)))
	require.NoError(t, err)
	assert.Equal(t, f.Size, st.Size())
	assert.Equal(t, 1.0, dl.Progress.Value)
}

func TestOfflineStory(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	a := r.app
	r.portal.Stop()

	// Every tab still reads from the cache.
	a.SyncNow()
	assert.Contains(t, a.Status(), "Offline")
	assert.NotEmpty(t, a.Solutions.List.shown)
	assert.NotEmpty(t, a.Assigned.List.shown)
	assert.NotEmpty(t, a.Keys.List.shown)
	assert.NotEmpty(t, a.Downloads.List.shown)

	// A write queues, shows its effect at once and counts as pending.
	eb := r.solution("ACME-EB-2026")
	a.Solutions.Assign(eb.LicenseID, "offline@acme.example")
	assert.NotEmpty(t, r.seatState("ACME-EB-2026", "offline@acme.example"), "the seat shows taken before the portal answers")
	assert.Contains(t, a.Status(), "1 write pending")

	// Back online, Sync now sends it.
	r.portal.Start()
	a.SyncNow()
	assert.NotContains(t, a.Status(), "pending")
	assert.Equal(t, "pending", r.seatState("ACME-EB-2026", "offline@acme.example"), "the portal kept it")
}

func TestSignInScreenWithoutProfile(t *testing.T) {
	fa := test.NewTempApp(t)
	a, err := New(fa, Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, allTabs: true})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	s := a.SignInScreen()
	require.NotNil(t, s)
	assert.True(t, s.OfflineBtn.Hidden, "no saved copy, no Work offline")

	// A wrong portal address is reported on the screen, not in a crash.
	s.Portal.SetText("not a url")
	test.Type(s.Email, "x@example.com")
	test.Type(s.Password, "secret")
	test.Tap(s.SignInBtn)
	assert.NotEqual(t, "Signing in…", s.Message.Text)
	assert.NotEmpty(t, s.Message.Text)
}
