package activation

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/licdesk/licdesk/core"
)

// RequestType is the armor type of an activation request file.
const RequestType = "ACTIVATION REQUEST"

// Limits on what a request carries. They bound the file well under
// MaxFileSize and keep it small enough for one QR code.
const (
	MaxMachineName   = 100 // runes
	MaxComponents    = 16
	MaxComponentName = 32  // bytes of [a-z0-9_.-]
	MaxComponentHash = 128 // bytes of [A-Za-z0-9+/=_.:-]
	NonceBytes       = 16
	nonceHexLen      = 2 * NonceBytes
)

// Request is what a disconnected machine asks the portal: activate Key on
// this machine, identified by Fingerprint (hashed components, as
// core.Fingerprint), under a human name. Nonce makes the request usable
// once; the response echoes it, so the machine accepts only the answer to
// the request it wrote.
type Request struct {
	Version     int // CurrentVersion; Encode fills it in when 0
	Key         core.Key
	Machine     string
	Fingerprint core.Fingerprint
	Nonce       string // NonceBytes random bytes in lower-case hex (NewNonce)
	Created     time.Time
}

// NewNonce formats random bytes (supplied by the caller: this package
// reads no randomness) as a request nonce.
func NewNonce(random [NonceBytes]byte) string { return hex.EncodeToString(random[:]) }

// wireRequest is the JSON shape; field order is the canonical key order.
type wireRequest struct {
	Version     *int              `json:"version"` // pointer: tells "missing" from 0
	Key         string            `json:"key"`
	Machine     string            `json:"machine"`
	Fingerprint map[string]string `json:"fingerprint"`
	Nonce       string            `json:"nonce"`
	Created     string            `json:"created"`
}

// Normalize returns the request in canonical form: version filled in, the
// key in canonical spelling, the machine name trimmed, unreadable (empty)
// fingerprint components dropped (an absent component and an unreadable one
// mean the same to core.MatchFingerprint), the time in UTC whole seconds.
func (r Request) Normalize() Request {
	if r.Version == 0 {
		r.Version = CurrentVersion
	}
	if k, err := core.ParseKey(string(r.Key)); err == nil {
		r.Key = k
	}
	r.Machine = trimSpace(r.Machine)
	fp := make(core.Fingerprint, len(r.Fingerprint))
	for c, h := range r.Fingerprint {
		if h != "" {
			fp[c] = h
		}
	}
	r.Fingerprint = fp
	r.Created = truncTime(r.Created)
	return r
}

// Validate checks a normalized request against the rules every request
// obeys and names the first field that breaks one.
func (r Request) Validate() error {
	bad := func(msg string) error { return core.E(core.Invalid, CodeRequestInvalid, "activation request: "+msg) }
	if r.Version != CurrentVersion {
		return unsupported(r.Version, requestCodes)
	}
	if k, err := core.ParseKey(string(r.Key)); err != nil || k != r.Key {
		return bad("the key " + strconv.Quote(short(string(r.Key))) + " is not a key in canonical form (INS- or LIC- and five groups of five)")
	}
	if err := checkMachine(r.Machine); err != nil {
		return bad(err.Error())
	}
	if err := checkFingerprint(r.Fingerprint); err != nil {
		return bad(err.Error())
	}
	if !validNonce(r.Nonce) {
		return bad("the nonce must be " + strconv.Itoa(nonceHexLen) + " lower-case hexadecimal digits")
	}
	if !validTime(r.Created) || !r.Created.Equal(truncTime(r.Created)) {
		return bad("the creation time is missing or not in whole seconds between 1970 and 9999")
	}
	return nil
}

// Encode normalizes and validates the request and returns the request file.
func (r Request) Encode() ([]byte, error) {
	r = r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	body, err := r.body()
	if err != nil {
		return nil, err
	}
	return encodeArmor(RequestType, body), nil
}

func (r Request) body() ([]byte, error) {
	v := r.Version
	b, err := json.Marshal(wireRequest{Version: &v, Key: string(r.Key), Machine: r.Machine,
		Fingerprint: r.Fingerprint, Nonce: r.Nonce, Created: formatTime(r.Created)})
	if err != nil {
		return nil, core.E(core.Invalid, CodeRequestInvalid, "activation request: "+err.Error())
	}
	return b, nil
}

// ParseRequest reads a request file strictly (see the package doc): size,
// armor, checksum, version, fields, and canonical form, in that order, so
// that a file cut short is reported as cut short rather than as a bad
// field.
func ParseRequest(file []byte) (Request, error) {
	body, err := decodeArmor(file, RequestType, requestCodes)
	if err != nil {
		return Request{}, err
	}
	var w wireRequest
	if err := decodeStrict(body, &w, func() *int { return w.Version }, requestCodes); err != nil {
		return Request{}, err
	}
	created, ok := parseTime(w.Created)
	if !ok {
		return Request{}, core.E(core.Invalid, CodeRequestInvalid, "activation request: created "+strconv.Quote(short(w.Created))+
			" is not an RFC 3339 UTC time in whole seconds")
	}
	r := Request{Version: *w.Version, Key: core.Key(w.Key), Machine: w.Machine, Fingerprint: w.Fingerprint,
		Nonce: w.Nonce, Created: created}
	if err := r.Validate(); err != nil {
		return Request{}, err
	}
	canon, err := r.body()
	if err != nil || !bytes.Equal(canon, body) {
		return Request{}, requestCodes.malformedf("content is not in canonical form (edited by hand?)")
	}
	return r, nil
}

func checkMachine(name string) error {
	switch {
	case name == "":
		return errorString("the machine name is empty")
	case !utf8.ValidString(name):
		return errorString("the machine name is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxMachineName:
		return errorString("the machine name is too long (at most " + strconv.Itoa(MaxMachineName) + " characters)")
	case name != trimSpace(name):
		return errorString("the machine name has surrounding spaces")
	}
	for _, c := range name {
		if core.IsUnsafeTextRune(c) {
			return errorString("the machine name contains control characters")
		}
	}
	return nil
}

// CheckFingerprint applies a request's fingerprint rules (at most
// MaxComponents components, names and hashes of the allowed shape, one
// readable at least) to a fingerprint sent elsewhere, such as a lease
// request: a refusal is Invalid with core.CodeActivationFingerprint.
func CheckFingerprint(fp core.Fingerprint) error {
	if err := checkFingerprint(fp); err != nil {
		return core.E(core.Invalid, core.CodeActivationFingerprint, "fingerprint: "+err.Error())
	}
	return nil
}

func checkFingerprint(fp core.Fingerprint) error {
	if fp.Known() == 0 {
		return errorString("the fingerprint has no readable hardware component")
	}
	if len(fp) > MaxComponents {
		return errorString("the fingerprint has " + strconv.Itoa(len(fp)) + " components, at most " + strconv.Itoa(MaxComponents))
	}
	for name, hash := range fp {
		if !validToken(name, MaxComponentName, "abcdefghijklmnopqrstuvwxyz0123456789_.-") {
			return errorString("fingerprint component name " + strconv.Quote(short(name)) + " must be 1 to " +
				strconv.Itoa(MaxComponentName) + " characters of a-z 0-9 _ . -")
		}
		if !validToken(hash, MaxComponentHash, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.:-") {
			return errorString("fingerprint component " + strconv.Quote(name) + " must hold a hash of 1 to " +
				strconv.Itoa(MaxComponentHash) + " characters (hex or base64)")
		}
	}
	return nil
}

func validToken(s string, max int, alphabet string) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(alphabet, rune(s[i])) || s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func validNonce(n string) bool {
	return len(n) == nonceHexLen && validToken(n, nonceHexLen, "0123456789abcdef")
}

// errorString is a message without a code, wrapped into a coded refusal by
// the caller.
type errorString string

func (e errorString) Error() string { return string(e) }

// trimSpace trims Unicode white space.
func trimSpace(s string) string {
	return strings.TrimFunc(s, unicode.IsSpace)
}

// short quotes at most 40 bytes of untrusted input in a message.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
