package core

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// KeyKind is how a key is activated (source 002).
type KeyKind int

// Key kinds. The zero value is no kind, so a forgotten field is not mistaken
// for either.
const (
	InstallKey KeyKind = iota + 1 // added and activated online in one step
	LicenseKey                    // added first, activated separately, online or offline
)

// String names the kind.
func (k KeyKind) String() string {
	switch k {
	case InstallKey:
		return "install"
	case LicenseKey:
		return "license"
	}
	return "KeyKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKeyKind reads a kind name, ignoring case.
func ParseKeyKind(s string) (KeyKind, error) {
	return parseEnum(s, InstallKey, LicenseKey, CodeKeyKind, "key kind")
}

// ActivatesOnAdd reports whether adding the key also activates it, so the
// client knows whether to follow the add with an activation step.
func (k KeyKind) ActivatesOnAdd() bool { return k == InstallKey }

// CheckAdd refuses to add an install key while the portal is out of reach:
// an install key is activated online as it is added, and half of that step
// cannot be done. A license key can be added offline and activated later
// with an offline request.
func (k KeyKind) CheckAdd(online bool) error {
	if k == InstallKey && !online {
		return E(Offline, CodeKeyInstallOffline, "an install key is activated online as it is added: connect, or use a license key and activate it offline")
	}
	return nil
}

// prefix is the three letters a key of this kind starts with.
func (k KeyKind) prefix() string {
	switch k {
	case InstallKey:
		return "INS"
	case LicenseKey:
		return "LIC"
	}
	return ""
}

// crockford is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U, so that keys read aloud or copied from paper do not
// confuse 1/I/L and 0/O.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// symbolValue maps a character to its base32 value, reading the usual
// misreadings (O for 0, I and L for 1) as Crockford's decoding does; -1 when
// the character is not a symbol.
func symbolValue(c byte) int {
	switch c {
	case 'O':
		c = '0'
	case 'I', 'L':
		c = '1'
	}
	return strings.IndexByte(crockford, c)
}

// luhnCheck computes the Luhn mod 32 check symbol of vals. It catches every
// single mistyped character and every swap of two neighbours except one pair,
// offline, before anything is sent to the portal.
func luhnCheck(vals []int) int {
	const n = 32
	sum, factor := 0, 2
	for i := len(vals) - 1; i >= 0; i-- {
		a := factor * vals[i]
		factor = 3 - factor
		sum += a/n + a%n
	}
	return (n - sum%n) % n
}

// normalizeSymbols uppercases s, drops dashes and spaces and decodes it to
// base32 values; ok is false on any other character.
func normalizeSymbols(s string) (string, []int, bool) {
	s = strings.ToUpper(s)
	s = strings.NewReplacer("-", "", " ", "", "\t", "").Replace(s)
	vals := make([]int, len(s))
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		v := symbolValue(s[i])
		if v < 0 {
			return "", nil, false
		}
		vals[i] = v
		b.WriteByte(crockford[v])
	}
	return b.String(), vals, true
}

// group inserts a dash every n characters, for display.
func group(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

// Serial is a serial number in canonical form: 12 Crockford base32 symbols
// (11 of value and a Luhn mod 32 check symbol) in three dashed groups of
// four, e.g. "6SWB-NZ9Y-4HMV".
type Serial string

const serialSymbols = 12

// ParseSerial reads a serial as people type it (any case, with or without
// dashes and spaces, O for 0, I or L for 1) and returns its canonical form.
// A wrong check symbol is reported as a typo, not as an unknown serial, so
// the user looks at what they typed before asking support.
func ParseSerial(s string) (Serial, error) {
	norm, vals, ok := normalizeSymbols(strings.TrimSpace(s))
	if !ok || len(norm) != serialSymbols {
		return "", E(Invalid, CodeSerialFormat, "a serial number is 12 letters and digits like 6SWB-NZ9Y-4HMV, not "+quoteShort(s))
	}
	if luhnCheck(vals[:serialSymbols-1]) != vals[serialSymbols-1] {
		return "", E(Invalid, CodeSerialChecksum, "serial number "+quoteShort(s)+" has a typo: check it against the certificate")
	}
	return Serial(group(norm, 4)), nil
}

// NewSerial makes the serial whose value is the low 55 bits of n, for the
// portal to issue (it supplies the randomness, core stays pure).
func NewSerial(n uint64) Serial {
	vals := make([]int, serialSymbols)
	for i := serialSymbols - 2; i >= 0; i-- {
		vals[i] = int(n & 31)
		n >>= 5
	}
	vals[serialSymbols-1] = luhnCheck(vals[:serialSymbols-1])
	return Serial(group(encode(vals), 4))
}

func encode(vals []int) string {
	b := make([]byte, len(vals))
	for i, v := range vals {
		b[i] = crockford[v]
	}
	return string(b)
}

// Key is a license or install key in canonical form: the kind prefix INS or
// LIC, then 25 Crockford base32 symbols (24 of value, 120 bits, and a Luhn
// mod 32 check symbol) in five dashed groups of five, e.g.
// "LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RRP". The kind is part of the key so that a
// key alone tells whether adding it activates it.
type Key string

const keySymbols = 25

// Kind reports the key's kind from its prefix.
func (k Key) Kind() KeyKind {
	switch {
	case strings.HasPrefix(string(k), "INS-"):
		return InstallKey
	case strings.HasPrefix(string(k), "LIC-"):
		return LicenseKey
	}
	return 0
}

// ParseKey reads a key as people type or paste it (any case, with or
// without dashes and spaces, O for 0, I or L for 1 in the symbols) and
// returns its canonical form.
func ParseKey(s string) (Key, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.NewReplacer("-", "", " ", "", "\t", "").Replace(t)
	var kind KeyKind
	switch {
	case strings.HasPrefix(t, InstallKey.prefix()):
		kind = InstallKey
	case strings.HasPrefix(t, LicenseKey.prefix()):
		kind = LicenseKey
	default:
		return "", E(Invalid, CodeKeyKind, "a key starts with INS (install key) or LIC (license key), not "+quoteShort(s))
	}
	norm, vals, ok := normalizeSymbols(t[3:])
	if !ok || len(norm) != keySymbols {
		return "", E(Invalid, CodeKeyFormat, "a key is INS or LIC followed by 25 letters and digits, not "+quoteShort(s))
	}
	if luhnCheck(vals[:keySymbols-1]) != vals[keySymbols-1] {
		return "", E(Invalid, CodeKeyChecksum, "key "+quoteShort(s)+" has a typo: check it against the e-mail or certificate")
	}
	return Key(kind.prefix() + "-" + group(norm, 5)), nil
}

// NewKey makes the key of the given kind carrying entropy, for the portal to
// issue (it supplies the random bytes, core stays pure).
func NewKey(kind KeyKind, entropy [15]byte) (Key, error) {
	if kind.prefix() == "" {
		return "", E(Invalid, CodeKeyKind, "unknown key kind "+kind.String())
	}
	vals := make([]int, keySymbols)
	// 15 bytes are 120 bits, exactly 24 symbols of 5 bits, read big-endian.
	var acc, bits uint
	i := 0
	for _, b := range entropy {
		acc = acc<<8 | uint(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			vals[i] = int(acc>>bits) & 31
			i++
		}
	}
	vals[keySymbols-1] = luhnCheck(vals[:keySymbols-1])
	return Key(kind.prefix() + "-" + group(encode(vals), 5)), nil
}

// UpgradeRequest asks for a key for a version upgrade (source 001): the
// notification ID received, the product to upgrade to and how many.
type UpgradeRequest struct {
	NotificationID string
	Product        string
	Quantity       int
}

// Upgrade quantity bounds: at least one, and a ceiling that catches a typed
// extra zero long before it reaches an order.
const (
	MinUpgradeQuantity = 1
	MaxUpgradeQuantity = 10000
)

// Validate returns the request normalised or the first problem. A
// notification ID is 6 to 32 letters, digits and single inner dashes, stored
// upper case: vendors print them in several styles, and this accepts each
// of them while refusing anything that could not be an identifier.
func (u UpgradeRequest) Validate() (UpgradeRequest, error) {
	u.NotificationID = strings.ToUpper(strings.TrimSpace(u.NotificationID))
	u.Product = strings.TrimSpace(u.Product)
	if !validNotificationID(u.NotificationID) {
		return u, E(Invalid, CodeUpgradeNotification, "a notification ID is 6 to 32 letters and digits (dashes allowed between them), not "+quoteShort(u.NotificationID))
	}
	if u.Product == "" || utf8.RuneCountInString(u.Product) > maxRegistrationField {
		return u, E(Invalid, CodeUpgradeProduct, "choose the product to upgrade")
	}
	if u.Quantity < MinUpgradeQuantity || u.Quantity > MaxUpgradeQuantity {
		return u, E(Invalid, CodeUpgradeQuantity, "quantity must be between 1 and 10000, not "+strconv.Itoa(u.Quantity))
	}
	return u, nil
}

func validNotificationID(id string) bool {
	if len(id) < 6 || len(id) > 32 || id[0] == '-' || id[len(id)-1] == '-' || strings.Contains(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
