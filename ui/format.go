package ui

import (
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// day formats a date the same way in every language, "-" for none: for
// keys kept in the settings, not for people.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02")
}

// day is a date in the window's language (26/11/2026 in pt-BR), "-" for
// none.
func (a *App) day(t time.Time) string { return a.l.Date(t.Local()) }

// dayp is an optional date in the window's language.
func (a *App) dayp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return a.day(*t)
}

// minute is a date and time in the window's language, "-" for none.
func (a *App) minute(t time.Time) string { return a.l.DateTime(t.Local()) }
