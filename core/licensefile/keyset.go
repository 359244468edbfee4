package licensefile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"time"
)

// ErrKeyRevoked: the file is signed by a key the key set lists as revoked.
var ErrKeyRevoked = errors.New("licensefile: signing key revoked")

// ErrOutsideKeyWindow: the file's issue time is outside its key's validity
// window (before the key existed, or after it was retired).
var ErrOutsideKeyWindow = errors.New("licensefile: signed outside the key's validity window")

// KeyWindow is when a signing key signs: files it signed must be issued
// within [NotBefore, NotAfter]. A zero bound is open (a key still active
// has no NotAfter; a key set written before windows existed has neither).
type KeyWindow struct {
	NotBefore time.Time
	NotAfter  time.Time
}

// Contains reports whether t is within the window (bounds included).
func (w KeyWindow) Contains(t time.Time) bool {
	if !w.NotBefore.IsZero() && t.Before(w.NotBefore) {
		return false
	}
	if !w.NotAfter.IsZero() && t.After(w.NotAfter) {
		return false
	}
	return true
}

// KeySet is a portal's published key set: the trusted public keys, the
// validity window of each and the key IDs it revoked (with when). A file
// verifies under a KeySet only when its key is trusted and not revoked and
// its issue time lies within the key's window, so a license forged with a
// retired key (whose private half leaked from an old database copy) is
// refused once dated after the retirement, and every file of a revoked key
// is refused. A KeySet is a plain value: maps are copied by the functions
// that combine sets, never shared.
type KeySet struct {
	Keys    TrustedKeys
	Windows map[string]KeyWindow // by key ID; a key without an entry has an open window
	Revoked map[string]time.Time // key ID to when it was revoked
}

// KeySetOf wraps plain trusted keys (no windows, nothing revoked).
func KeySetOf(t TrustedKeys) KeySet { return KeySet{Keys: t} }

// Trusted returns the keys that are not revoked: what a verifier that
// knows nothing of windows may trust.
func (ks KeySet) Trusted() TrustedKeys {
	out := make(TrustedKeys, len(ks.Keys))
	for kid, pub := range ks.Keys {
		if _, revoked := ks.Revoked[kid]; !revoked {
			out[kid] = pub
		}
	}
	return out
}

// Verify checks a license file as Verify does against the set's keys, then
// refuses a file whose key is revoked (ErrKeyRevoked) or whose issue time
// is outside its key's window (ErrOutsideKeyWindow).
func (ks KeySet) Verify(file []byte) (Payload, error) {
	p, err := Verify(file, ks.Keys)
	if err != nil {
		return Payload{}, err
	}
	return p, ks.Allows(p)
}

// Allows applies the revocation list and the windows to a payload already
// verified against the set's keys.
func (ks KeySet) Allows(p Payload) error {
	if at, revoked := ks.Revoked[p.KeyID]; revoked {
		return fmt.Errorf("%w: key %q was revoked %s; get a fresh file from the portal", ErrKeyRevoked, p.KeyID, formatTime(at))
	}
	if w, ok := ks.Windows[p.KeyID]; ok && !w.Contains(p.Issued) {
		return fmt.Errorf("%w: issued %s, key %q signs from %s to %s", ErrOutsideKeyWindow, formatTime(p.Issued), p.KeyID,
			orOpen(w.NotBefore), orOpen(w.NotAfter))
	}
	return nil
}

func orOpen(t time.Time) string {
	if t.IsZero() {
		return "(open)"
	}
	return formatTime(t)
}

// Merge returns the union of two sets: every key of both (a key ID with
// different key bytes is refused: a forged or colliding document), the
// narrower of two windows of one key (a later bound from either side wins
// over an open one), and every revocation of both (with the earlier time).
// Revocations only accumulate: merging never un-revokes a key.
func (ks KeySet) Merge(other KeySet) (KeySet, error) {
	out := KeySet{Keys: maps.Clone(ks.Keys), Windows: maps.Clone(ks.Windows), Revoked: maps.Clone(ks.Revoked)}
	if out.Keys == nil {
		out.Keys = TrustedKeys{}
	}
	if out.Windows == nil {
		out.Windows = map[string]KeyWindow{}
	}
	if out.Revoked == nil {
		out.Revoked = map[string]time.Time{}
	}
	for kid, pub := range other.Keys {
		if old, ok := out.Keys[kid]; ok && !bytes.Equal(old, pub) {
			return KeySet{}, fmt.Errorf("%w: key ID %s is already trusted with a different key", ErrInvalidKey, kid)
		}
		out.Keys[kid] = bytes.Clone(pub)
	}
	for kid, w := range other.Windows {
		cur, ok := out.Windows[kid]
		if !ok {
			out.Windows[kid] = w
			continue
		}
		if w.NotBefore.After(cur.NotBefore) {
			cur.NotBefore = w.NotBefore
		}
		if !w.NotAfter.IsZero() && (cur.NotAfter.IsZero() || w.NotAfter.Before(cur.NotAfter)) {
			cur.NotAfter = w.NotAfter
		}
		out.Windows[kid] = cur
	}
	for kid, at := range other.Revoked {
		if cur, ok := out.Revoked[kid]; !ok || at.Before(cur) {
			out.Revoked[kid] = at
		}
	}
	return out, nil
}

// keySetDoc is the public-key document with windows and revocations. The
// fields added for them are optional, so a document written before them
// (keys with kid, alg and public_key only) still parses.
type keySetDoc struct {
	Keys    []keySetEntry `json:"keys"`
	Revoked []revokedKey  `json:"revoked,omitempty"`
}

type keySetEntry struct {
	KID       string `json:"kid"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
	NotBefore string `json:"not_before,omitempty"`
	NotAfter  string `json:"not_after,omitempty"`
}

type revokedKey struct {
	KID       string `json:"kid"`
	RevokedAt string `json:"revoked_at"`
}

// MaxRevoked bounds the revocation list of a key set document.
const MaxRevoked = 256

// MarshalKeySet encodes ks as the public-key document: its keys (revoked
// ones left out, so that a verifier reading only "keys" never trusts them)
// sorted by key ID with their windows, then the revoked key IDs. It
// refuses a set with no key left, invalid key IDs and keys that are not 32
// bytes.
func MarshalKeySet(ks KeySet) ([]byte, error) {
	trusted := ks.Trusted()
	if len(trusted) == 0 {
		return nil, fmt.Errorf("%w: no public keys to publish", ErrInvalidKey)
	}
	var doc keySetDoc
	for _, kid := range sortedKeys(trusted) {
		if err := checkKeyID(kid); err != nil {
			return nil, err
		}
		pub := trusted[kid]
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: public key %q is %d bytes, want %d", ErrInvalidKey, kid, len(pub), ed25519.PublicKeySize)
		}
		w := ks.Windows[kid]
		doc.Keys = append(doc.Keys, keySetEntry{KID: kid, Alg: publicKeyAlg, PublicKey: b64.EncodeToString(pub),
			NotBefore: formatTime(truncTime(w.NotBefore)), NotAfter: formatTime(truncTime(w.NotAfter))})
	}
	for _, kid := range sortedKeys(ks.Revoked) {
		if err := checkKeyID(kid); err != nil {
			return nil, err
		}
		at := ks.Revoked[kid]
		if at.IsZero() {
			return nil, fmt.Errorf("%w: revoked key %q has no revocation time", ErrInvalidKey, kid)
		}
		doc.Revoked = append(doc.Revoked, revokedKey{KID: kid, RevokedAt: formatTime(truncTime(at))})
	}
	if len(doc.Revoked) > MaxRevoked {
		return nil, fmt.Errorf("%w: %d revoked keys, at most %d", ErrInvalidKey, len(doc.Revoked), MaxRevoked)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	out = append(out, '\n')
	if len(out) > MaxFileSize {
		return nil, fmt.Errorf("%w: public-key document is %d bytes, limit %d", ErrTooLarge, len(out), MaxFileSize)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseKeySet decodes a public-key document, with or without windows and
// revocations. It refuses documents over MaxFileSize, unknown fields,
// trailing data, an empty key list, an "alg" other than "Ed25519", keys that
// are not base64 of 32 bytes, invalid and duplicate key IDs, times that are
// not RFC 3339 UTC whole seconds, a window that ends before it starts, and
// more than MaxRevoked revocations. A key both listed and revoked is kept
// in Keys and refused by Verify.
func ParseKeySet(data []byte) (KeySet, error) {
	if len(data) > MaxFileSize {
		return KeySet{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc keySetDoc
	if err := dec.Decode(&doc); err != nil {
		return KeySet{}, malformed("public-key document: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return KeySet{}, malformed("public-key document: data after the JSON object")
	}
	if len(doc.Keys) == 0 {
		return KeySet{}, malformed("public-key document: no keys")
	}
	if len(doc.Revoked) > MaxRevoked {
		return KeySet{}, malformed("public-key document: %d revoked keys, at most %d", len(doc.Revoked), MaxRevoked)
	}
	ks := KeySet{Keys: make(TrustedKeys, len(doc.Keys)), Windows: map[string]KeyWindow{}, Revoked: map[string]time.Time{}}
	for i, e := range doc.Keys {
		if !validKeyID(e.KID) {
			return KeySet{}, malformed("public-key document: key %d: key ID %q must be 1 to %d characters of A-Z a-z 0-9 . _ -", i+1, e.KID, maxKeyIDLen)
		}
		if e.Alg != publicKeyAlg {
			return KeySet{}, malformed("public-key document: key %q: alg %q, want %q", e.KID, e.Alg, publicKeyAlg)
		}
		pub, err := b64.DecodeString(e.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return KeySet{}, malformed("public-key document: key %q: public_key is not base64 of %d bytes", e.KID, ed25519.PublicKeySize)
		}
		if _, dup := ks.Keys[e.KID]; dup {
			return KeySet{}, malformed("public-key document: key ID %q appears twice", e.KID)
		}
		ks.Keys[e.KID] = ed25519.PublicKey(pub)
		var w KeyWindow
		if w.NotBefore, err = parseTime("not_before", e.NotBefore); err != nil {
			return KeySet{}, malformed("public-key document: key %q: %v", e.KID, err)
		}
		if w.NotAfter, err = parseTime("not_after", e.NotAfter); err != nil {
			return KeySet{}, malformed("public-key document: key %q: %v", e.KID, err)
		}
		if !w.NotBefore.IsZero() && !w.NotAfter.IsZero() && w.NotAfter.Before(w.NotBefore) {
			return KeySet{}, malformed("public-key document: key %q: not_after is before not_before", e.KID)
		}
		if w != (KeyWindow{}) {
			ks.Windows[e.KID] = w
		}
	}
	for _, r := range doc.Revoked {
		if !validKeyID(r.KID) {
			return KeySet{}, malformed("public-key document: revoked key ID %q must be 1 to %d characters of A-Z a-z 0-9 . _ -", r.KID, maxKeyIDLen)
		}
		at, err := parseTime("revoked_at", r.RevokedAt)
		if err != nil || at.IsZero() {
			return KeySet{}, malformed("public-key document: revoked key %q: revoked_at must be an RFC 3339 UTC time", r.KID)
		}
		if _, dup := ks.Revoked[r.KID]; dup {
			return KeySet{}, malformed("public-key document: revoked key ID %q appears twice", r.KID)
		}
		ks.Revoked[r.KID] = at
	}
	return ks, nil
}
