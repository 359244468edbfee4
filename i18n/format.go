package i18n

import (
	"time"

	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// The catalogs hold each language's date layouts (Go reference-time
// layouts), so that a translator sets them with the words:
// "format.date" is 26/11/2026 in pt-BR, es and fr and 2026-11-26 in English.

// Date writes t's day in the locale's way, in t's own location; "-" for the
// zero time (an empty table cell).
func (l *Lang) Date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(l.T("format.date"))
}

// DateTime writes t's day and minute in the locale's way; "-" for the zero
// time.
func (l *Lang) DateTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(l.T("format.datetime"))
}

func (l *Lang) printer() *message.Printer { return message.NewPrinter(l.tag) }

// Number writes an integer with the locale's grouping (1,234 / 1.234 /
// 1 234).
func (l *Lang) Number(n int) string { return l.printer().Sprint(number.Decimal(n)) }

// Decimal writes x with at most digits fraction digits and the locale's
// decimal mark (1.5 / 1,5).
func (l *Lang) Decimal(x float64, digits int) string {
	return l.printer().Sprint(number.Decimal(x, number.MaxFractionDigits(digits), number.MinFractionDigits(digits)))
}

// Size writes a byte count for people ("512 B", "1.5 MiB", "1,5 MiB");
// "?" when it is not known (negative).
func (l *Lang) Size(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 1<<10:
		return l.Number(int(n)) + " B"
	case n < 1<<20:
		return l.Decimal(float64(n)/(1<<10), 1) + " KiB"
	case n < 1<<30:
		return l.Decimal(float64(n)/(1<<20), 1) + " MiB"
	}
	return l.Decimal(float64(n)/(1<<30), 1) + " GiB"
}

// Ago says how long before now t was ("just now", "5 minutes ago", "há 2
// dias"), "never" for the zero time, and the date and minute for a time in
// the future (a clock that moved).
func (l *Lang) Ago(t, now time.Time) string {
	if t.IsZero() {
		return l.T("time.never")
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return l.DateTime(t.Local())
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return l.N("time.hours_ago", int(d.Hours()))
	}
	return l.N("time.days_ago", int(d.Hours()/24))
}
