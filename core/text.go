package core

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length limits of the single-line texts users give, in characters.
const (
	MaxPersonName  = 100
	MaxAccountName = 100
	MaxMachineName = 100
	MaxOrderField  = 100
)

// Codes of the text refusals.
const (
	CodeTextEmpty   = "text.empty"
	CodeTextTooLong = "text.too_long"
	CodeTextInvalid = "text.invalid"
)

// IsBidiControl reports whether r is one of the invisible characters that
// reorder text (embeddings, overrides, isolates, marks): in a name they
// make what a reader sees differ from what is stored.
func IsBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// unsafeRune reports a character no single-line text may hold: control
// characters (C0, DEL, C1), bidi controls, line and paragraph separators,
// and the byte-order mark.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || IsBidiControl(r) || r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == utf8.RuneError
}

// CleanLine is the one check of every single-line text a user gives (names
// of people, accounts, products, machines, order fields): trimmed, valid
// UTF-8 in Unicode NFC (so two spellings of "é" are one name), no control
// or bidi characters, 1..max characters. what names the field for the
// message ("the account name"); code is the refusal's stable code, or
// CodeTextInvalid etc. when empty.
func CleanLine(s string, max int, code, what string) (string, error) {
	pick := func(c string) string {
		if code != "" {
			return code
		}
		return c
	}
	if !utf8.ValidString(s) {
		return "", E(Invalid, pick(CodeTextInvalid), what+" is not valid UTF-8")
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", E(Invalid, pick(CodeTextEmpty), what+" is empty")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", E(Invalid, pick(CodeTextTooLong), what+" is longer than "+strconv.Itoa(max)+" characters")
	}
	for _, r := range s {
		if unsafeRune(r) {
			return "", E(Invalid, pick(CodeTextInvalid), what+" contains a control or text-direction character")
		}
	}
	return s, nil
}

// CleanOptionalLine is CleanLine for a field that may be left empty.
func CleanOptionalLine(s string, max int, code, what string) (string, error) {
	if strings.TrimSpace(s) == "" && utf8.ValidString(s) {
		return "", nil
	}
	return CleanLine(s, max, code, what)
}

// CleanPersonName checks a person's display name.
func CleanPersonName(s string) (string, error) {
	return CleanLine(s, MaxPersonName, "account.name", "the name")
}

// CleanAccountName checks an account's name.
func CleanAccountName(s string) (string, error) {
	return CleanLine(s, MaxAccountName, "account.name", "the account name")
}

// CleanMachineName checks the name a user gives a machine.
func CleanMachineName(s string) (string, error) {
	return CleanLine(s, MaxMachineName, "activation.machine", "the machine name")
}

// NeutralizeText makes other people's text safe to print on a terminal or
// show in one line: every control, bidi or separator character becomes
// U+FFFD, so an escape sequence or a reordering cannot reach the screen.
// Line breaks and tabs are kept when multiline is set.
func NeutralizeText(s string, multiline bool) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) && !(multiline && (r == '\n' || r == '\t')) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unsafeRune(r) && !(multiline && (r == '\n' || r == '\t')) {
			b.WriteRune(utf8.RuneError)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsUnsafeTextRune reports a character that no single-line text may hold
// (the rule CleanLine applies), for validators of wire formats that check
// their own fields.
func IsUnsafeTextRune(r rune) bool { return unsafeRune(r) }
