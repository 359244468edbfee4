package ui

import (
	"fmt"
	"github.com/licdesk/licdesk/i18n"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/licdesk/licdesk/api"
)

// BenchmarkFilterKeystroke100kSeats is one keystroke in the filter of a
// list of 100k seats shown in a window of the test driver: the scan of the
// prepared keys and the list's refresh and render ("keystroke"), against
// the same list's refresh and render with the filter unchanged
// ("refresh_only"), in the same run.
func BenchmarkFilterKeystroke100kSeats(b *testing.B) {
	test.NewTempApp(b)
	seats := make([]api.Seat, 100_000)
	for i := range seats {
		seats[i] = api.Seat{ID: fmt.Sprint("seat-", i), State: "assigned", Email: fmt.Sprintf("user%06d@scale%03d.example", i, i%500)}
	}
	l := newList(i18n.English(), "seats", []column{{"Seat holder", 300}, {"State", 120}}, func(s api.Seat, c []string) {
		c[0], c[1] = s.Email, s.State
	})
	l.set(prepareRows(seats, func(s api.Seat) string { return s.Email + " " + s.State }), nil)
	w := test.NewWindow(l.view())
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))
	queries := []string{"user0", "user01", "user012", "user01", "scale04", "scale0"}
	b.Run("keystroke", func(b *testing.B) {
		i := 0
		for b.Loop() {
			l.setQuery(queries[i%len(queries)])
			test.WidgetRenderer(l.list).Layout(l.list.Size())
			i++
		}
	})
	b.Run("refresh_only", func(b *testing.B) {
		l.setQuery("scale0")
		for b.Loop() {
			l.list.Refresh()
			test.WidgetRenderer(l.list).Layout(l.list.Size())
		}
	})
}

// BenchmarkTableLoad100kSeats is a list of 100k seats handed to the table:
// the sort of every row (by holder, ties by state) and the first filter.
func BenchmarkTableLoad100kSeats(b *testing.B) {
	test.NewTempApp(b)
	seats := make([]api.Seat, 100_000)
	for i := range seats {
		seats[i] = api.Seat{ID: fmt.Sprint("seat-", i), State: "assigned", Email: fmt.Sprintf("user%06d@scale%03d.example", (i*7919)%100_000, i%500)}
	}
	r := prepareRows(seats, func(s api.Seat) string { return s.Email + " " + s.State })
	l := newList(i18n.English(), "seats", []column{{"Seat holder", 300}, {"State", 120}}, func(s api.Seat, c []string) {
		c[0], c[1] = s.Email, s.State
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.set(r, nil)
	}
}
