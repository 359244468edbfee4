package ui

import (
	"strconv"
	"strings"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// day formats a date, "-" for none.
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

// dayp formats an optional date.
func dayp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return day(*t)
}

// title capitalises a state word ("pending" -> "Pending").
func title(s string) string {
	if s == "" {
		return "-"
	}
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
