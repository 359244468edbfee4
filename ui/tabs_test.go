package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/portaltest"
)

// lazyWindow is ana's window as the program opens it: each tab built at
// its first show.
func lazyWindow(t *testing.T) *App {
	t.Helper()
	p := portaltest.Start(t)
	var login Login
	for _, l := range p.Seed() {
		if l.Email == "ana@acme.example" {
			login = Login{Portal: p.URL, Email: l.Email, Password: l.Password, Name: l.Name}
		}
	}
	require.NotEmpty(t, login.Email)
	a, err := New(test.NewTempApp(t), Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, SignIn: &login,
		hardware: fakeHardware(laptop())})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

func TestWindow_BuildsOnlyTheShownTabUntilAnotherIsShown(t *testing.T) {
	a := lazyWindow(t)
	require.NotNil(t, a.Solutions, "the tab on show is built")
	assert.NotEmpty(t, a.Solutions.List.shown, "and loaded")
	assert.NotNil(t, a.SolutionsMail)
	assert.Nil(t, a.Assigned, "hidden tabs are not built")
	assert.Nil(t, a.Keys)
	assert.Nil(t, a.Downloads)
	assert.Nil(t, a.Support)
	assert.Nil(t, a.KeysMail)
	supportTitle := a.tabs.Items[4].Text

	a.tabs.SelectIndex(2)
	require.NotNil(t, a.Keys, "shown, a tab is built")
	require.NotNil(t, a.KeysMail, "with its e-mail strip")
	assert.NotEmpty(t, a.Keys.List.rows.items, "and loaded")
	assert.Same(t, a.tabs.Items[2].Content, a.tabs.Selected().Content)
	keys := a.Keys
	a.tabs.SelectIndex(0)
	a.tabs.SelectIndex(2)
	assert.Same(t, keys, a.Keys, "built once")
	assert.Nil(t, a.Downloads, "the others still wait")

	// The Support tab's title counts the new news before the tab is built
	// as after.
	a.tabs.SelectIndex(4)
	require.NotNil(t, a.Support)
	assert.Equal(t, a.tabs.Items[4].Text, supportTitle)
	assert.Contains(t, supportTitle, "new", "ana has news she has not read")
}

func TestSolutions_SeatsAreDecodedWhenALicenseIsOpened(t *testing.T) {
	a := lazyWindow(t)
	sols := a.Solutions
	require.NotEmpty(t, sols.List.rows.items)
	for _, s := range sols.List.rows.items {
		assert.Nil(t, s.Seats, "the list holds no decoded seats")
		at, ok := sols.seats.span[s.LicenseID]
		assert.True(t, ok && at.end > at.start, "its seats wait in their compact form")
	}
	sols.List.list.Select(1)
	cur, ok := sols.List.current()
	require.True(t, ok)
	want, err := sols.seatsOf(cur)
	require.NoError(t, err)
	require.NotEmpty(t, want)
	assert.Equal(t, want, sols.Seats.rows.items, "the opened license's seats are listed")
	assert.Len(t, want, cur.Contracted, "one row per contracted seat")
}
