package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// KEKSize is the size of a key-encryption key: AES-256.
const KEKSize = 32

// EnvKeyFile names the environment variable that may give the key file
// instead of --key-file.
const EnvKeyFile = "LICPORTAL_KEY_FILE"

// sealedMagic starts every encrypted private key in signing_keys, so that
// a plain key (64 bytes of Ed25519) is never mistaken for one.
var sealedMagic = []byte("LDKEK1")

// WithKeyEncryptionKey makes the store keep signing private keys encrypted
// (AES-256-GCM) under kek, which lives outside the database (a 0600 key
// file, see ReadKeyFile). Plain keys left by an older portal are encrypted
// when the store opens. kek must be KEKSize bytes.
func WithKeyEncryptionKey(kek []byte) Option {
	return func(s *Store) { s.kek = bytes.Clone(kek) }
}

// WithPlainSigningKeys lets the store keep signing keys unencrypted: for
// development only (licportal serve --dev-plain-keys). Without it or a
// key-encryption key, Open refuses.
func WithPlainSigningKeys() Option { return func(s *Store) { s.plainKeys = true } }

// GenerateKEK returns a fresh random key-encryption key.
func GenerateKEK() ([]byte, error) {
	k := make([]byte, KEKSize)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		return nil, fmt.Errorf("generate key-encryption key: %w", err)
	}
	return k, nil
}

// WriteKeyFile writes a fresh key-encryption key to path, readable by its
// owner only (0600), refusing to overwrite an existing file: replacing the
// key would make every stored signing key unreadable.
func WriteKeyFile(path string) error {
	k, err := GenerateKEK()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	return f.Close()
}

// ReadKeyFile reads a key file written by WriteKeyFile. It refuses a file
// that others may read (on systems with Unix permissions), since the key
// it holds unlocks every signing key, and anything but base64 of KEKSize
// bytes.
func ReadKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != KEKSize {
		return nil, fmt.Errorf("key file %s: want base64 of %d bytes (make one with licportal keys init)", path, KEKSize)
	}
	return k, nil
}

// checkKeyMode refuses a store opened with neither a key-encryption key
// nor the development flag, or with both.
func (s *Store) checkKeyMode() error {
	switch {
	case s.kek != nil && s.plainKeys:
		return errors.New("signing keys: give a key-encryption key or allow plain keys, not both")
	case s.kek == nil && !s.plainKeys:
		return errors.New("signing keys need a key-encryption key kept outside the database: give --key-file FILE or " +
			EnvKeyFile + " (make one with licportal keys init), or --dev-plain-keys for development")
	case s.kek != nil && len(s.kek) != KEKSize:
		return fmt.Errorf("key-encryption key is %d bytes, want %d", len(s.kek), KEKSize)
	}
	return nil
}

// keyAAD binds a sealed key to its key ID, so that swapping two rows'
// private keys fails to decrypt rather than signing under the wrong ID.
func keyAAD(kid string) []byte { return []byte("licdesk signing key\x00" + kid) }

func (s *Store) gcm() (cipher.AEAD, error) {
	b, err := aes.NewCipher(s.kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// sealKey is what signing_keys.private_key holds for priv: encrypted under
// the key-encryption key, or plain in development mode.
func (s *Store) sealKey(kid string, priv ed25519.PrivateKey) ([]byte, error) {
	if s.kek == nil {
		return bytes.Clone(priv), nil
	}
	g, err := s.gcm()
	if err != nil {
		return nil, fmt.Errorf("seal signing key: %w", err)
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, fmt.Errorf("seal signing key: %w", err)
	}
	out := append(bytes.Clone(sealedMagic), nonce...)
	return g.Seal(out, nonce, priv, keyAAD(kid)), nil
}

// openKey reverses sealKey. A plain key under a key-encryption key is
// refused (it should have been sealed when the store opened), and so is a
// sealed key without one.
func (s *Store) openKey(kid string, blob []byte) (ed25519.PrivateKey, error) {
	sealed := bytes.HasPrefix(blob, sealedMagic)
	switch {
	case len(blob) == 0:
		return nil, fmt.Errorf("signing key %s has no private half (retired or revoked)", kid)
	case s.kek == nil && sealed:
		return nil, fmt.Errorf("signing key %s is encrypted: start the portal with its key file (--key-file or %s)", kid, EnvKeyFile)
	case s.kek == nil:
		return ed25519.PrivateKey(bytes.Clone(blob)), nil
	case !sealed:
		return nil, fmt.Errorf("signing key %s is stored in plain form: refusing it", kid)
	}
	g, err := s.gcm()
	if err != nil {
		return nil, fmt.Errorf("open signing key %s: %w", kid, err)
	}
	rest := blob[len(sealedMagic):]
	if len(rest) < g.NonceSize() {
		return nil, fmt.Errorf("open signing key %s: truncated", kid)
	}
	priv, err := g.Open(nil, rest[:g.NonceSize()], rest[g.NonceSize():], keyAAD(kid))
	if err != nil {
		return nil, fmt.Errorf("open signing key %s: wrong key file, or the key was altered", kid)
	}
	return ed25519.PrivateKey(priv), nil
}

// sealPlainKeys encrypts the private keys an older portal (or a
// development run) left in plain form, once a key-encryption key is given.
func (s *Store) sealPlainKeys(ctx context.Context) error {
	if s.kek == nil {
		return nil
	}
	return s.inTx(ctx, func(t *tx) error {
		if err := t.lockSigningKeys(ctx); err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT kid, private_key FROM signing_keys`)
		if err != nil {
			return fmt.Errorf("seal plain signing keys: %w", err)
		}
		plain := map[string][]byte{}
		for rows.Next() {
			var kid string
			var blob []byte
			if err := rows.Scan(&kid, &blob); err != nil {
				rows.Close()
				return fmt.Errorf("seal plain signing keys: %w", err)
			}
			if len(blob) > 0 && !bytes.HasPrefix(blob, sealedMagic) {
				plain[kid] = blob
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("seal plain signing keys: %w", err)
		}
		for kid, blob := range plain {
			sealed, err := s.sealKey(kid, ed25519.PrivateKey(blob))
			if err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE signing_keys SET private_key = ? WHERE kid = ?`, sealed, kid); err != nil {
				return fmt.Errorf("seal signing key %s: %w", kid, err)
			}
		}
		return nil
	})
}
