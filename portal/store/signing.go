package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/core/licensefile"
)

// SigningKey is one of the portal's signing keys, as published: its public
// half. Retired keys stay published so that license files they signed keep
// verifying until they lapse.
type SigningKey struct {
	KeyID     string
	Public    ed25519.PublicKey
	Active    bool
	CreatedAt time.Time
	RetiredAt time.Time // zero while active
}

// SigningKeys lists every signing key, the active one first, then the
// newest retired. The first call on an empty database generates the first
// key, so a fresh portal signs without any set-up.
func (s *Store) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	if _, err := s.activeSigner(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kid, public_key, active, created_at, retired_at FROM signing_keys
		ORDER BY active DESC, created_at DESC, kid`)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	defer rows.Close()
	var out []SigningKey
	for rows.Next() {
		var k SigningKey
		var pub []byte
		var created, retired int64
		if err := rows.Scan(&k.KeyID, &pub, &k.Active, &created, &retired); err != nil {
			return nil, fmt.Errorf("signing keys: %w", err)
		}
		k.Public, k.CreatedAt, k.RetiredAt = ed25519.PublicKey(pub), fromMS(created), fromMS(retired)
		out = append(out, k)
	}
	return out, rows.Err()
}

// TrustedKeys returns every published public key by key ID, as a verifier
// trusts them.
func (s *Store) TrustedKeys(ctx context.Context) (licensefile.TrustedKeys, error) {
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	t := make(licensefile.TrustedKeys, len(keys))
	for _, k := range keys {
		t[k.KeyID] = k.Public
	}
	return t, nil
}

// RotateSigningKey generates a new signing key, makes it the active one
// and retires the previous one, which stays published. Files are signed
// with the new key from the next signature on, on every portal instance,
// since each reads the active key from the database when it signs.
func (s *Store) RotateSigningKey(ctx context.Context) (SigningKey, error) {
	var out SigningKey
	err := s.inTx(ctx, func(t *tx) error {
		if err := t.lockSigningKeys(ctx); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE signing_keys SET active = ?, retired_at = ? WHERE active`, false, ms(t.now)); err != nil {
			return err
		}
		sg, err := t.newSigningKey(ctx)
		if err != nil {
			return err
		}
		out = SigningKey{KeyID: sg.KeyID, Public: sg.Public(), Active: true, CreatedAt: t.now}
		return nil
	})
	if err != nil {
		return SigningKey{}, fmt.Errorf("rotate signing key: %w", err)
	}
	return out, nil
}

// activeSigner returns the signer of the active key, generating the first
// key when there is none.
func (s *Store) activeSigner(ctx context.Context) (licensefile.Signer, error) {
	sg, found, err := readSigner(ctx, s.db, s.d)
	if err != nil || found {
		return sg, err
	}
	err = s.inTx(ctx, func(t *tx) error {
		sg, err = t.signer(ctx)
		return err
	})
	return sg, err
}

// signer returns the signer of the active key within the transaction,
// generating the first key when there is none.
func (t *tx) signer(ctx context.Context) (licensefile.Signer, error) {
	sg, found, err := readSigner(ctx, t, t.d)
	if err != nil || found {
		return sg, err
	}
	// Several instances starting on an empty database: one generates the
	// key, the others wait on the lock and then find it.
	if err := t.lockSigningKeys(ctx); err != nil {
		return licensefile.Signer{}, err
	}
	if sg, found, err = readSigner(ctx, t, t.d); err != nil || found {
		return sg, err
	}
	return t.newSigningKey(ctx)
}

// lockSigningKeys serialises key generation and rotation across portal
// instances on PostgreSQL (SQLite's write transactions are serial anyway).
// It is taken before the change feed lock, never after.
func (t *tx) lockSigningKeys(ctx context.Context) error {
	if t.d != dialectPostgres {
		return nil
	}
	if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7303)`); err != nil {
		return fmt.Errorf("lock signing keys: %w", err)
	}
	return nil
}

func (t *tx) newSigningKey(ctx context.Context) (licensefile.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return licensefile.Signer{}, fmt.Errorf("generate signing key: %w", err)
	}
	sg, err := licensefile.NewSigner(priv)
	if err != nil {
		return licensefile.Signer{}, fmt.Errorf("generate signing key: %w", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO signing_keys (kid, private_key, public_key, active, created_at) VALUES (?, ?, ?, ?, ?)`,
		sg.KeyID, []byte(priv), []byte(sg.Public()), true, ms(t.now)); err != nil {
		return licensefile.Signer{}, fmt.Errorf("store signing key: %w", err)
	}
	return sg, nil
}

func readSigner(ctx context.Context, q rowQuerier, d dialect) (licensefile.Signer, bool, error) {
	var priv []byte
	err := q.QueryRowContext(ctx, d.rebind(`SELECT private_key FROM signing_keys WHERE active`)).Scan(&priv)
	if errors.Is(err, sql.ErrNoRows) {
		return licensefile.Signer{}, false, nil
	}
	if err != nil {
		return licensefile.Signer{}, false, fmt.Errorf("read signing key: %w", err)
	}
	sg, err := licensefile.NewSigner(ed25519.PrivateKey(priv))
	if err != nil {
		return licensefile.Signer{}, false, fmt.Errorf("stored signing key: %w", err)
	}
	return sg, true, nil
}
