package licensefile

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
)

// KeyID derives the recommended key ID of a public key: the first 16 hex
// digits (8 bytes) of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Signer signs license files and envelopes with Key under KeyID. KeyID is
// 1 to 64 characters of [A-Za-z0-9._-]; NewSigner sets it to KeyID(public
// key). Key must come from ed25519.GenerateKey or ed25519.NewKeyFromSeed
// (NewSigner checks that its halves match; Sign only checks its length).
type Signer struct {
	KeyID string
	Key   ed25519.PrivateKey
}

// NewSigner returns a Signer for priv whose KeyID is KeyID(public key).
func NewSigner(priv ed25519.PrivateKey) (Signer, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Signer{}, fmt.Errorf("%w: private key is %d bytes, want %d", ErrInvalidKey, len(priv), ed25519.PrivateKeySize)
	}
	pub := ed25519.NewKeyFromSeed(priv.Seed()).Public().(ed25519.PublicKey)
	if !bytes.Equal(pub, priv[ed25519.SeedSize:]) {
		return Signer{}, fmt.Errorf("%w: private key's public half does not match its seed", ErrInvalidKey)
	}
	return Signer{KeyID: KeyID(pub), Key: priv}, nil
}

// Public returns the signer's public key.
func (s Signer) Public() ed25519.PublicKey {
	if len(s.Key) != ed25519.PrivateKeySize {
		return nil
	}
	return s.Key.Public().(ed25519.PublicKey)
}

func (s Signer) check() error {
	if err := checkKeyID(s.KeyID); err != nil {
		return err
	}
	if len(s.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: private key is %d bytes, want %d", ErrInvalidKey, len(s.Key), ed25519.PrivateKeySize)
	}
	return nil
}

// TrustedKeys maps key IDs to the public keys a verifier trusts. Files are
// only ever verified against a TrustedKeys the caller built (configured,
// pinned at first login, or imported with ParsePublicKeys); several keys may
// be trusted at once for key rotation.
type TrustedKeys map[string]ed25519.PublicKey

// Add trusts pub under KeyID(pub) and returns that key ID. t must not be nil.
func (t TrustedKeys) Add(pub ed25519.PublicKey) (string, error) {
	if t == nil {
		return "", fmt.Errorf("%w: nil TrustedKeys", ErrInvalidKey)
	}
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("%w: public key is %d bytes, want %d", ErrInvalidKey, len(pub), ed25519.PublicKeySize)
	}
	kid := KeyID(pub)
	t[kid] = bytes.Clone(pub)
	return kid, nil
}

// publicKeyAlg is the only "alg" value of the public-key document.
const publicKeyAlg = "Ed25519"

type publicKeysDoc struct {
	Keys []publicKeyEntry `json:"keys"`
}

type publicKeyEntry struct {
	KID       string `json:"kid"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
}

// MarshalPublicKeys encodes t as the public-key JSON document (keys sorted by
// key ID, indented, newline-terminated). It refuses an empty set, invalid key
// IDs and keys that are not 32 bytes.
func MarshalPublicKeys(t TrustedKeys) ([]byte, error) {
	if len(t) == 0 {
		return nil, fmt.Errorf("%w: no public keys to publish", ErrInvalidKey)
	}
	kids := make([]string, 0, len(t))
	for kid := range t {
		kids = append(kids, kid)
	}
	sort.Strings(kids)
	doc := publicKeysDoc{Keys: make([]publicKeyEntry, 0, len(kids))}
	for _, kid := range kids {
		if err := checkKeyID(kid); err != nil {
			return nil, err
		}
		pub := t[kid]
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: public key %q is %d bytes, want %d", ErrInvalidKey, kid, len(pub), ed25519.PublicKeySize)
		}
		doc.Keys = append(doc.Keys, publicKeyEntry{KID: kid, Alg: publicKeyAlg, PublicKey: b64.EncodeToString(pub)})
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

// ParsePublicKeys decodes a public-key JSON document (as written by
// MarshalPublicKeys or MarshalKeySet; any JSON whitespace is accepted) into
// the keys it trusts: revoked keys are left out, windows are dropped (use
// ParseKeySet to keep them). It refuses what ParseKeySet refuses, and a
// document whose every key is revoked.
func ParsePublicKeys(data []byte) (TrustedKeys, error) {
	ks, err := ParseKeySet(data)
	if err != nil {
		return nil, err
	}
	t := ks.Trusted()
	if len(t) == 0 {
		return nil, malformed("public-key document: every key is revoked")
	}
	return t, nil
}
