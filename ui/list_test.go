package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
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

func TestFilterList_SelectionSurvivesAShorterList(t *testing.T) {
	a := test.NewTempApp(t)
	f := newFilterList[string]("seats", 2, func(s string, l []*widget.Label) { l[0].SetText(s); l[1].SetText(s) })
	w := a.NewWindow("list")
	w.SetContent(f.view("A", "B"))
	w.Resize(fyne.NewSize(400, 400))
	w.Show()
	key := func(s string) string { return s }
	for _, c := range []struct{ from, to []string }{
		{[]string{"a", "b", "c", "d", "e"}, []string{"x", "y", "z"}},
		{[]string{"a", "b", "c", "d"}, nil},
		{[]string{"a", "b", "c", "d"}, []string{"d"}},
	} {
		f.set(prepareRows(c.from, key), nil)
		f.list.Select(len(c.from) - 1)
		require.NotPanics(t, func() { f.set(prepareRows(c.to, key), func(a, b string) bool { return a == b }) })
		got, ok := f.current()
		if ok {
			assert.Contains(t, c.to, got, "the selection is an item of the new list")
		}
		// Every row the list can ask for is within the data.
		for id := range f.list.Length() {
			require.Less(t, f.shown[id], len(f.rows.items))
		}
	}
}
