// Package words is how License Desk words counts and times for people, so
// that the command line and the window say "3 seats" and "2 hours ago" the
// same way, in the user's language (the catalogs of package i18n).
package words

import (
	"strconv"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// Plural writes a count with its noun in l's language: "1 seat", "3
// seats", "2 licenças". The noun is English and names the catalog's plural
// message "words.<noun>" (spaces as underscores: "new finding" reads
// "words.new_finding"); a noun the catalogs lack is written the English
// way ("1 widget", "3 widgets"; a noun already ending in s is kept), so
// that a new noun shows in English until it is translated.
func Plural(l *i18n.Lang, n int, noun string) string {
	key := "words." + strings.ReplaceAll(noun, " ", "_")
	if l.Has(key) {
		return l.N(key, n)
	}
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return strconv.Itoa(n) + " " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Ago says how long before now t was: "just now", "5 minutes ago", "há 2
// dias", "never" for the zero time, and the date and minute for a time in
// the future (a clock that moved).
func Ago(l *i18n.Lang, t, now time.Time) string { return l.Ago(t, now) }

// Size writes a byte count for people: "512 B", "1.5 MiB", "1,5 MiB"; "?"
// when it is not known (negative).
func Size(l *i18n.Lang, n int64) string { return l.Size(n) }

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
