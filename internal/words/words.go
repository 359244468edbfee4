// Package words is how License Desk words counts and times for people, so
// that the command line and the window say "3 seats" and "2 hours ago" the
// same way.
package words

import (
	"strconv"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
)

// Plural writes "1 seat", "3 seats"; a noun already ending in s (a plural
// like "news items" or "licenses") is kept as it is.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return strconv.Itoa(n) + " " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Ago says how long before now t was: "just now", "5 minutes ago", "2 days
// ago", "never" for the zero time, and the date for a time in the future
// (a clock that moved).
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.Local().Format("2006-01-02 15:04")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return Plural(int(d.Minutes()), "minute") + " ago"
	case d < 48*time.Hour:
		return Plural(int(d.Hours()), "hour") + " ago"
	}
	return Plural(int(d.Hours()/24), "day") + " ago"
}

// Size writes a byte count for people: "512 B", "1.5 MiB"; "?" when it is
// not known (negative).
func Size(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	case n < 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
}

// OrDash shows an empty value as "-" (an empty table cell).
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Safe makes other people's text (names, titles, product names from the
// portal) safe to print on a terminal or in a one-line label: control
// characters (an escape sequence such as "\x1b[31m"), bidi overrides and
// line separators become U+FFFD, so that nobody's name can recolour,
// rewrite or reorder what the user sees.
func Safe(s string) string { return core.NeutralizeText(s, false) }

// SafeText is Safe for multi-line text (descriptions, comments, news):
// line breaks and tabs are kept.
func SafeText(s string) string { return core.NeutralizeText(s, true) }
