package licensefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
	"unicode/utf8"
)

// CurrentVersion is the payload version this package writes and reads.
const CurrentVersion = 1

// Kind says what a signed file stands for.
type Kind string

const (
	// KindLicense is a license (seat) for a product; node-locked when it has
	// a fingerprint.
	KindLicense Kind = "license"
	// KindLease is a time-limited offline lease of a license; LeaseEnd is
	// required.
	KindLease Kind = "lease"
	// KindActivation binds a license to one machine (offline activation
	// response); ActivationID and Fingerprint are required.
	KindActivation Kind = "activation"
	// KindDeactivationReceipt proves that the seat held by ActivationID was
	// freed on a disconnected machine; ActivationID and Nonce (from the
	// deactivation request) are required.
	KindDeactivationReceipt Kind = "deactivation_receipt"
)

func (k Kind) valid() bool {
	switch k {
	case KindLicense, KindLease, KindActivation, KindDeactivationReceipt:
		return true
	}
	return false
}

// Payload is the signed content of a license file. JSON names (in
// parentheses) are stable; optional fields are omitted when empty.
//
// Times are UTC with one-second precision; Sign converts to UTC and
// truncates to the second. A zero Expiry means no expiry, a zero LeaseEnd no
// offline lease limit.
type Payload struct {
	Version   int    // (version) CurrentVersion; Sign fills it in when 0
	Kind      Kind   // (kind)
	LicenseID string // (license_id) required
	Product   string // (product) required
	Edition   string // (edition)
	// Modules (modules) is a set: Sign sorts a copy; duplicates and empty
	// names are refused; Verify returns it sorted, nil when empty.
	Modules  []string
	Owner    string // (owner) owner account name or e-mail
	Assignee string // (assignee) e-mail holding the seat
	// Fingerprint (fingerprint) maps a hardware component to its hash for a
	// node-locked file; nil or empty means not node-locked (Verify returns nil).
	Fingerprint  map[string]string
	Issued       time.Time // (issued) required
	Expiry       time.Time // (expiry) zero: no expiry
	LeaseEnd     time.Time // (lease_end) zero: no offline lease limit
	ActivationID string    // (activation_id)
	Nonce        string    // (nonce) echoes the request nonce (activation, receipt)
	KeyID        string    // (key_id) set by Sign; Verify checks it equals the header
}

// NodeLocked reports whether the payload is bound to a machine fingerprint.
func (p Payload) NodeLocked() bool { return len(p.Fingerprint) > 0 }

// HasModule reports whether m is among p.Modules.
func (p Payload) HasModule(m string) bool { return slices.Contains(p.Modules, m) }

// wirePayload is the JSON shape; field order is the canonical key order.
type wirePayload struct {
	Version      *int              `json:"version"` // pointer: tells "missing" from 0
	Kind         Kind              `json:"kind"`
	LicenseID    string            `json:"license_id"`
	Product      string            `json:"product"`
	Edition      string            `json:"edition,omitempty"`
	Modules      []string          `json:"modules,omitempty"`
	Owner        string            `json:"owner,omitempty"`
	Assignee     string            `json:"assignee,omitempty"`
	Fingerprint  map[string]string `json:"fingerprint,omitempty"`
	Issued       string            `json:"issued"`
	Expiry       string            `json:"expiry,omitempty"`
	LeaseEnd     string            `json:"lease_end,omitempty"`
	ActivationID string            `json:"activation_id,omitempty"`
	Nonce        string            `json:"nonce,omitempty"`
	KeyID        string            `json:"key_id"`
}

// timeLayout is RFC 3339 in UTC with whole seconds.
const timeLayout = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil || t.Format(timeLayout) != s {
		return time.Time{}, malformed("payload: %s %q is not an RFC 3339 UTC time with whole seconds", field, s)
	}
	return t, nil
}

// normalize returns a copy of p in canonical form, ready for validate and
// encodePayload: version filled in, UTC whole-second times, sorted module
// copy, nil empty collections.
func normalize(p Payload) Payload {
	if p.Version == 0 {
		p.Version = CurrentVersion
	}
	p.Issued = truncTime(p.Issued)
	p.Expiry = truncTime(p.Expiry)
	p.LeaseEnd = truncTime(p.LeaseEnd)
	if len(p.Modules) == 0 {
		p.Modules = nil
	} else {
		p.Modules = slices.Clone(p.Modules)
		slices.Sort(p.Modules)
	}
	if len(p.Fingerprint) == 0 {
		p.Fingerprint = nil
	} else {
		p.Fingerprint = maps.Clone(p.Fingerprint)
	}
	return p
}

func truncTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC().Truncate(time.Second)
	if t.IsZero() {
		return time.Time{}
	}
	return t
}

func unsupportedVersion(v int) error {
	return fmt.Errorf("%w: version %d (this build reads version %d; update License Desk)", ErrUnsupportedVersion, v, CurrentVersion)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidPayload}, args...)...)
}

// validate checks the rules every signed payload obeys. p is normalized.
func validate(p Payload) error {
	if p.Version != CurrentVersion {
		return unsupportedVersion(p.Version)
	}
	if !p.Kind.valid() {
		return invalid("kind %q, want license, lease, activation or deactivation_receipt", p.Kind)
	}
	for _, f := range []struct{ name, v string }{
		{"license_id", p.LicenseID}, {"product", p.Product}, {"edition", p.Edition},
		{"owner", p.Owner}, {"assignee", p.Assignee}, {"activation_id", p.ActivationID},
		{"nonce", p.Nonce}, {"key_id", p.KeyID},
	} {
		if !utf8.ValidString(f.v) {
			return invalid("%s is not valid UTF-8", f.name)
		}
	}
	if p.LicenseID == "" {
		return invalid("license_id is empty")
	}
	if p.Product == "" {
		return invalid("product is empty")
	}
	if !validKeyID(p.KeyID) {
		return invalid("key_id %q must be 1 to %d characters of A-Z a-z 0-9 . _ -", p.KeyID, maxKeyIDLen)
	}
	for i, m := range p.Modules {
		if m == "" || !utf8.ValidString(m) {
			return invalid("module %d is empty or not valid UTF-8", i+1)
		}
		if i > 0 && p.Modules[i-1] >= m {
			if p.Modules[i-1] == m {
				return invalid("module %q listed twice", m)
			}
			return invalid("modules not sorted")
		}
	}
	for c, h := range p.Fingerprint {
		if c == "" || h == "" || !utf8.ValidString(c) || !utf8.ValidString(h) {
			return invalid("fingerprint component %q: empty or not valid UTF-8 name or hash", c)
		}
	}
	if p.Issued.IsZero() {
		return invalid("issued is not set")
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"issued", p.Issued}, {"expiry", p.Expiry}, {"lease_end", p.LeaseEnd}} {
		if !f.t.IsZero() && (f.t.Year() < 1 || f.t.Year() > 9999) {
			return invalid("%s year %d is outside 1 to 9999", f.name, f.t.Year())
		}
	}
	if !p.Expiry.IsZero() && !p.Expiry.After(p.Issued) {
		return invalid("expiry %s is not after issued %s", formatTime(p.Expiry), formatTime(p.Issued))
	}
	if !p.LeaseEnd.IsZero() && !p.LeaseEnd.After(p.Issued) {
		return invalid("lease_end %s is not after issued %s", formatTime(p.LeaseEnd), formatTime(p.Issued))
	}
	switch p.Kind {
	case KindLease:
		if p.LeaseEnd.IsZero() {
			return invalid("a lease needs lease_end")
		}
	case KindActivation:
		if p.ActivationID == "" || len(p.Fingerprint) == 0 {
			return invalid("an activation needs activation_id and fingerprint")
		}
	case KindDeactivationReceipt:
		if p.ActivationID == "" || p.Nonce == "" {
			return invalid("a deactivation receipt needs activation_id and nonce")
		}
	}
	return nil
}

// encodePayload returns the canonical JSON of a normalized, valid payload.
func encodePayload(p Payload) ([]byte, error) {
	w := wirePayload{
		Version: &p.Version, Kind: p.Kind, LicenseID: p.LicenseID, Product: p.Product,
		Edition: p.Edition, Modules: p.Modules, Owner: p.Owner, Assignee: p.Assignee,
		Fingerprint: p.Fingerprint, Issued: formatTime(p.Issued), Expiry: formatTime(p.Expiry),
		LeaseEnd: formatTime(p.LeaseEnd), ActivationID: p.ActivationID, Nonce: p.Nonce, KeyID: p.KeyID,
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, invalid("%v", err)
	}
	return b, nil
}

// decodePayload parses signed payload bytes strictly: known version, no
// unknown fields, valid, and byte-for-byte canonical.
func decodePayload(body []byte) (Payload, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var w wirePayload
	err := dec.Decode(&w)
	if err == nil {
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		// A newer version may add fields: report the version, not the field.
		var probe struct {
			Version *int `json:"version"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Version != nil && *probe.Version != CurrentVersion {
			return Payload{}, unsupportedVersion(*probe.Version)
		}
		return Payload{}, malformed("payload: %v", err)
	}
	if w.Version == nil {
		return Payload{}, malformed("payload has no version")
	}
	if *w.Version != CurrentVersion {
		return Payload{}, unsupportedVersion(*w.Version)
	}
	p := Payload{
		Version: *w.Version, Kind: w.Kind, LicenseID: w.LicenseID, Product: w.Product,
		Edition: w.Edition, Modules: w.Modules, Owner: w.Owner, Assignee: w.Assignee,
		Fingerprint: w.Fingerprint, ActivationID: w.ActivationID, Nonce: w.Nonce, KeyID: w.KeyID,
	}
	if p.Issued, err = parseTime("issued", w.Issued); err != nil {
		return Payload{}, err
	}
	if p.Expiry, err = parseTime("expiry", w.Expiry); err != nil {
		return Payload{}, err
	}
	if p.LeaseEnd, err = parseTime("lease_end", w.LeaseEnd); err != nil {
		return Payload{}, err
	}
	if err := validate(p); err != nil {
		return Payload{}, err
	}
	canon, err := encodePayload(p)
	if err != nil || !bytes.Equal(canon, body) {
		return Payload{}, malformed("payload is not in canonical JSON form")
	}
	return p, nil
}
