package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFilterList_SelectionFollowsTheItemNotTheRowPosition(t *testing.T) {
	test.NewTempApp(t)
	f := newFilterList[string]("names", 1, func(s string, l []*widget.Label) { l[0].SetText(s) })
	f.set(prepareRows([]string{"alpha", "beta", "gamma"}, func(s string) string { return s }), nil)

	f.list.Select(0)
	got, ok := f.current()
	require.True(t, ok)
	assert.Equal(t, "alpha", got)

	// Filtering hides the selected row: nothing stays selected, and picking
	// the first shown row selects it (not the hidden one).
	test.Type(f.filter, "gam")
	_, ok = f.current()
	assert.False(t, ok, "a hidden row is not the selection")
	f.list.Select(0)
	got, ok = f.current()
	require.True(t, ok)
	assert.Equal(t, "gamma", got)

	// Clearing the filter keeps gamma selected, now at another position.
	f.filter.SetText("")
	got, ok = f.current()
	require.True(t, ok)
	assert.Equal(t, "gamma", got)
}

func TestSupportLine_SaysExpiredOnAndActiveUntil(t *testing.T) {
	d := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status string
		end    time.Time
		want   string
	}{
		{"expired", d, "Expired on 2026-11-03"},
		{"active", d, "Active until 2026-11-03"},
		{"expiring soon", d, "Ends soon, on 2026-11-03"},
		{"none", time.Time{}, "No maintenance contract"},
	} {
		assert.Equal(t, c.want, supportLine(c.status, c.end), c.status)
	}
}
