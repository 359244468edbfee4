package core

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Email is an e-mail address in the canonical form NormalizeEmail returns.
// Seats, roles and audit entries key on it, so two spellings of one address
// must become one value before they are compared.
type Email string

// Limits from RFC 5321 (path 256 minus the angle brackets; local part 64).
const (
	MaxEmailLen      = 254
	maxEmailLocalLen = 64
	maxDomainLabel   = 63
)

// String returns the address.
func (e Email) String() string { return string(e) }

// NormalizeEmail trims and lowercases s and accepts it only if it is a bare
// address: "Ana <ana@x.com>", quoted local parts and comments are refused,
// because an assignee is identified by the address alone and the same person
// must never get two seats through two spellings. The whole address is
// lowercased: mailbox providers treat the local part case-insensitively in
// practice, and a portal that did not would let "Ana@x.com" and "ana@x.com"
// hold two seats. The domain needs a dot, so "ana@localhost" (a typo far more
// often than an intent) is refused.
func NormalizeEmail(s string) (Email, error) {
	if !utf8.ValidString(s) {
		return "", E(Invalid, CodeEmailInvalid, "the e-mail address is not valid UTF-8")
	}
	s = strings.ToLower(strings.TrimSpace(norm.NFC.String(s)))
	for _, r := range s {
		if unsafeRune(r) {
			return "", E(Invalid, CodeEmailInvalid, "the e-mail address contains a control or text-direction character")
		}
	}
	// The domain goes through IDNA (UTS #46 lookup mapping: width, case,
	// compatibility forms) to its ASCII form, so that look-alike spellings
	// of one domain ("ｅｘａｍｐｌｅ.com", "bücher.example" and its
	// xn-- form) are one address.
	if at := strings.LastIndexByte(s, '@'); at > 0 && at < len(s)-1 {
		ascii, err := idna.Lookup.ToASCII(s[at+1:])
		if err != nil {
			return "", E(Invalid, CodeEmailInvalid, "the domain is not a valid host name: "+quoteShort(s[at+1:]))
		}
		s = s[:at+1] + strings.ToLower(ascii)
	}
	if s == "" {
		return "", E(Invalid, CodeEmailEmpty, "e-mail address is empty")
	}
	if len(s) > MaxEmailLen {
		return "", E(Invalid, CodeEmailTooLong, "e-mail address is longer than 254 characters")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", Wrap(err, Invalid, CodeEmailInvalid, "not an e-mail address: "+quoteShort(s))
	}
	// Anything net/mail had to interpret (a display name, angle brackets,
	// quotes, comments) makes the parsed address differ from the input.
	if addr.Name != "" || addr.Address != s {
		return "", E(Invalid, CodeEmailInvalid, "give the bare address, without a name or brackets: "+quoteShort(s))
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > maxEmailLocalLen {
		return "", E(Invalid, CodeEmailInvalid, "the part before @ is longer than 64 characters: "+quoteShort(s))
	}
	if !validDomain(domain) {
		return "", E(Invalid, CodeEmailInvalid, "the domain must be a name with a dot, like example.com: "+quoteShort(s))
	}
	return Email(s), nil
}

// validDomain accepts host names of dot-separated labels of letters, digits
// and inner hyphens (Unicode letters allowed, for internationalised domains).
// Address literals like [192.0.2.1] are refused: nobody is sent licenses at
// one, and they defeat the "one spelling per person" rule.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || utf8.RuneCountInString(l) > maxDomainLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// quoteShort quotes user input for a one-line message, cut so that a
// pasted paragraph does not flood the line.
func quoteShort(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}
