package ui

import (
	"reflect"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/licdesk/licdesk/i18n"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFilterList_SelectionFollowsTheItemNotTheRowPosition(t *testing.T) {
	test.NewTempApp(t)
	f := newList[string](i18n.English(), "names", []column{{"Name", 200}}, func(s string, c []string) { c[0] = s })
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
		assert.Equal(t, c.want, (&App{l: i18n.English()}).supportLine(c.status, c.end), c.status)
	}
}

func TestFilterList_SelectionSurvivesAShorterList(t *testing.T) {
	a := test.NewTempApp(t)
	f := newList[string](i18n.English(), "seats", []column{{"A", 100}, {"B", 100}}, func(s string, c []string) { c[0], c[1] = s, s })
	w := a.NewWindow("list")
	w.SetContent(f.view())
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
		for id := range f.list.Rows() {
			require.Less(t, f.shown[id], len(f.rows.items))
		}
	}
}

// seatTable is a table of e-mails and states shown in a window.
func seatTable(t *testing.T) (*filterList[[2]string], fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	f := newList(i18n.English(), "seats", []column{{"Holder", 200}, {"State", 120}}, func(s [2]string, c []string) { c[0], c[1] = s[0], s[1] })
	w := a.NewWindow("table")
	w.SetContent(f.view())
	w.Resize(fyne.NewSize(500, 400))
	w.Show()
	f.set(prepareRows([][2]string{
		{"seat10@x.example", "assigned"}, {"seat9@x.example", "available"}, {"seat2@x.example", "assigned"}, {"b@x.example", "available"},
	}, func(s [2]string) string { return s[0] + " " + s[1] }), nil)
	return f, w
}

func shownFirstColumn(f *filterList[[2]string]) []string {
	var out []string
	for _, i := range f.shown {
		out = append(out, f.rows.items[i][0])
	}
	return out
}

func TestTable_SortedByTheFirstColumn_AHeaderClickSortsAndAgainReverses_TiesGoByTheNextColumns(t *testing.T) {
	f, _ := seatTable(t)
	assert.Equal(t, []string{"b@x.example", "seat2@x.example", "seat9@x.example", "seat10@x.example"}, shownFirstColumn(f),
		"a stable order from the start; numbers in names sort by value")
	f.sortBy(0)
	assert.Equal(t, []string{"seat10@x.example", "seat9@x.example", "seat2@x.example", "b@x.example"}, shownFirstColumn(f),
		"the same header again reverses")
	f.sortBy(1)
	assert.Equal(t, []string{"seat2@x.example", "seat10@x.example", "b@x.example", "seat9@x.example"}, shownFirstColumn(f),
		"by state; rows of one state in the order of the other columns")

	// Clicking the header button does the same as sortBy.
	hdr, ok := f.headers[0].(*widget.Button)
	require.True(t, ok, "headers are buttons")
	test.Tap(hdr)
	assert.Equal(t, 0, f.sortCol)
	assert.NotNil(t, hdr.Icon, "the sorted column shows an arrow")
	assert.Equal(t, "b@x.example", shownFirstColumn(f)[0])
}

func TestTable_KeysMoveTheSelectionAndEnterOpens(t *testing.T) {
	f, _ := seatTable(t)
	var opened string
	f.onOpen = func(s [2]string) { opened = s[0] }
	press := func(k fyne.KeyName) { f.list.TypedKey(&fyne.KeyEvent{Name: k}) }
	press(fyne.KeyDown)
	cur, _ := f.current()
	assert.Equal(t, "b@x.example", cur[0], "Down with nothing selected selects the first row")
	press(fyne.KeyDown)
	cur, _ = f.current()
	assert.Equal(t, "seat2@x.example", cur[0])
	press(fyne.KeyEnd)
	cur, _ = f.current()
	assert.Equal(t, "seat10@x.example", cur[0])
	press(fyne.KeyDown)
	cur, _ = f.current()
	assert.Equal(t, "seat10@x.example", cur[0], "the last row stays")
	press(fyne.KeyHome)
	cur, _ = f.current()
	assert.Equal(t, "b@x.example", cur[0])
	press(fyne.KeyReturn)
	assert.Equal(t, "b@x.example", opened)
}

func TestTable_ColumnWidthsAreRemembered(t *testing.T) {
	f, _ := seatTable(t)
	f.list.SetColumnWidth(0, 333)
	f.list.Refresh()
	f.list.DragEnd()
	again := newList(i18n.English(), "seats", []column{{"Holder", 200}, {"State", 120}}, func(s [2]string, c []string) { c[0], c[1] = s[0], s[1] })
	assert.InDelta(t, 333, again.width(0, 200), 0.5, "the next table of seats starts at the width the user gave")
	assert.InDelta(t, 120, again.width(1, 120), 0.5)
}

func TestTable_CountsSayOneLicenseAndTwoLicenses(t *testing.T) {
	test.NewTempApp(t)
	f := newList(i18n.English(), "licenses", []column{{"Name", 100}}, func(s string, c []string) { c[0] = s })
	f.set(prepareRows([]string{"a"}, func(s string) string { return s }), nil)
	assert.Equal(t, "1 license", f.count.Text)
	f.set(prepareRows([]string{"a", "b"}, func(s string) string { return s }), nil)
	assert.Equal(t, "2 licenses", f.count.Text)
	test.Type(f.filter, "a")
	assert.Equal(t, "1 license of 2", f.count.Text)
}

func TestTable_EmptyCellsGoLastInEitherDirection(t *testing.T) {
	a := test.NewTempApp(t)
	f := newList(i18n.English(), "seats", []column{{"Holder", 200}, {"State", 120}}, func(s [2]string, c []string) { c[0], c[1] = s[0], s[1] })
	w := a.NewWindow("table")
	w.SetContent(f.view())
	f.set(prepareRows([][2]string{{"-", "available"}, {"zoe@x.example", "assigned"}, {"-", "available"}, {"ana@x.example", "pending"}},
		func(s [2]string) string { return s[0] }), nil)
	assert.Equal(t, []string{"ana@x.example", "zoe@x.example", "-", "-"}, shownFirstColumn(f), "the free seats after the holders")
	f.sortBy(0)
	assert.Equal(t, []string{"zoe@x.example", "ana@x.example", "-", "-"}, shownFirstColumn(f), "and still after them reversed")
}

func TestTable_ATableSelectedBeforeItsTabIsShownStartsAtTheTop(t *testing.T) {
	// Keys is a hidden tab when its rows arrive and its first row is
	// selected; shown later, its rows must be in view, not scrolled off.
	r := newRig(t, "ana@acme.example")
	r.app.win.Resize(fyne.NewSize(1024, 700))
	r.app.tabs.SelectIndex(2)
	keys := r.app.Keys.List
	require.NotEmpty(t, keys.shown)
	_, ok := keys.current()
	require.True(t, ok, "the first key is selected")
	assert.Equal(t, fyne.NewPos(0, 0), scrollOffset(t, keys.list), "the rows start at the top")
}

// scrollOffset is how far a table's cells are scrolled. Fyne keeps it in
// the table's unexported offset field, which is what the cells are drawn
// from (the scroller's own Offset is clamped on layout while it stays).
func scrollOffset(t *testing.T, tbl *rowTable) fyne.Position {
	t.Helper()
	f := reflect.ValueOf(&tbl.Table).Elem().FieldByName("offset")
	require.True(t, f.IsValid(), "widget.Table has an offset field")
	return fyne.NewPos(float32(f.FieldByName("X").Float()), float32(f.FieldByName("Y").Float()))
}

func TestTable_DatesSortAsDatesInEveryLanguage(t *testing.T) {
	a := test.NewTempApp(t)
	days := []time.Time{time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 28, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	for _, tag := range i18n.Supported {
		l := i18n.New(tag)
		f := newList(l, "news items", []column{{"Published", 150}}, func(d time.Time, c []string) { c[0] = l.Date(d) })
		w := a.NewWindow("news")
		w.SetContent(f.view())
		f.set(prepareRows(days, func(d time.Time) string { return l.Date(d) }), nil)
		var got []time.Time
		for _, i := range f.shown {
			got = append(got, f.rows.items[i])
		}
		assert.Equal(t, []time.Time{days[2], days[0], days[1], days[3]}, got, "%s: oldest first", tag)
	}
}
