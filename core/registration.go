package core

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Registration is the product and support registration asked for when a
// serial number is turned into a key (seeds 001, 002).
type Registration struct {
	Company string
	Person  string
	Address string
	Country string // ISO 3166-1 alpha-2 code, stored upper case
	Email   string
	Phone   string // optional
}

// maxRegistrationField bounds every registration text, so a pasted document
// is refused instead of stored.
const maxRegistrationField = 300

// Validate returns the registration normalised (trimmed, e-mail canonical,
// country upper case) or the first problem found, naming the field.
//
// Country is a two-letter ISO 3166-1 code rather than a free name: the seed
// picks it from a list, and a code is the one spelling that stays
// comparable across languages ("Brasil", "Brazil", "Brésil" are all "BR").
// Phone is optional and checked loosely, because numbers are written in
// many national styles: digits, spaces, dashes, parentheses and one leading
// plus, with 6 to 20 digits.
func (r Registration) Validate() (Registration, error) {
	fields := []struct {
		name      string
		v         *string
		required  bool
		multiline bool
	}{
		{"company", &r.Company, true, false},
		{"person", &r.Person, true, false},
		{"address", &r.Address, true, true},
		{"country", &r.Country, true, false},
		{"e-mail", &r.Email, true, false},
		{"phone", &r.Phone, false, false},
	}
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			if f.required {
				return r, E(Invalid, CodeRegistrationMissing, "registration: "+f.name+" is required")
			}
			continue
		}
		if utf8.RuneCountInString(*f.v) > maxRegistrationField {
			return r, E(Invalid, CodeRegistrationField, "registration: "+f.name+" is longer than "+strconv.Itoa(maxRegistrationField)+" characters")
		}
		if !utf8.ValidString(*f.v) || hasControl(*f.v, f.multiline) {
			return r, E(Invalid, CodeRegistrationField, "registration: "+f.name+" contains control characters")
		}
	}
	e, err := NormalizeEmail(r.Email)
	if err != nil {
		return r, err
	}
	r.Email = string(e)
	r.Country = strings.ToUpper(r.Country)
	if !IsCountryCode(r.Country) {
		return r, E(Invalid, CodeRegistrationCountry, "registration: country must be a two-letter ISO code such as BR or FR, not "+quoteShort(r.Country))
	}
	if r.Phone != "" && !validPhone(r.Phone) {
		return r, E(Invalid, CodeRegistrationPhone, "registration: phone must have 6 to 20 digits and only spaces, dashes, parentheses or a leading +")
	}
	return r, nil
}

// hasControl reports control characters; line breaks are allowed where a
// field may span lines (a postal address).
func hasControl(s string, multiline bool) bool {
	for _, c := range s {
		if multiline && (c == '\n' || c == '\r') {
			continue
		}
		if unsafeRune(c) {
			return true
		}
	}
	return false
}

func validPhone(p string) bool {
	digits := 0
	for i, c := range p {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

// countryCodes lists the officially assigned ISO 3166-1 alpha-2 codes, two
// letters each. A constant string keeps the list immutable.
const countryCodes = "" +
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZ" +
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ" +
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ" +
	"DEDJDKDMDODZ" +
	"ECEEEGEHERESET" +
	"FIFJFKFMFOFR" +
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY" +
	"HKHMHNHRHTHU" +
	"IDIEILIMINIOIQIRISIT" +
	"JEJMJOJP" +
	"KEKGKHKIKMKNKPKRKWKYKZ" +
	"LALBLCLILKLRLSLTLULVLY" +
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ" +
	"NANCNENFNGNINLNONPNRNUNZ" +
	"OM" +
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY" +
	"QA" +
	"RERORSRURW" +
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ" +
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ" +
	"UAUGUMUSUYUZ" +
	"VAVCVEVGVIVNVU" +
	"WFWS" +
	"YEYT" +
	"ZAZMZW"

// IsCountryCode reports whether c is an assigned ISO 3166-1 alpha-2 code in
// upper case.
func IsCountryCode(c string) bool {
	if len(c) != 2 {
		return false
	}
	for i := 0; i+2 <= len(countryCodes); i += 2 {
		if countryCodes[i:i+2] == c {
			return true
		}
	}
	return false
}
