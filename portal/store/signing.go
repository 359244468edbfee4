package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
)

// SigningKey is one of the portal's signing keys, as published: its public
// half and its life. Retired keys stay published, with the end of their
// validity window, so that license files they signed keep verifying until
// they lapse; revoked keys are published as revoked, so that clients refuse
// every file they signed.
type SigningKey struct {
	KeyID     string
	Public    ed25519.PublicKey
	Active    bool
	CreatedAt time.Time // the start of its validity window
	RetiredAt time.Time // the end of its validity window; zero while active
	RevokedAt time.Time // zero unless revoked
}

// State names the key's state for listings: active, retired or revoked.
func (k SigningKey) State() string {
	switch {
	case !k.RevokedAt.IsZero():
		return "revoked"
	case k.Active:
		return "active"
	}
	return "retired"
}

// SigningKeys lists every signing key, the active one first, then the
// newest retired. The first call on an empty database generates the first
// key, so a fresh portal signs without any set-up.
func (s *Store) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	if _, err := s.activeSigner(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kid, public_key, active, created_at, retired_at, revoked_at FROM signing_keys
		ORDER BY active DESC, created_at DESC, kid`)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	defer rows.Close()
	var out []SigningKey
	for rows.Next() {
		var k SigningKey
		var pub []byte
		var created, retired, revoked int64
		if err := rows.Scan(&k.KeyID, &pub, &k.Active, &created, &retired, &revoked); err != nil {
			return nil, fmt.Errorf("signing keys: %w", err)
		}
		k.Public, k.CreatedAt, k.RetiredAt, k.RevokedAt = ed25519.PublicKey(pub), fromMS(created), fromMS(retired), fromMS(revoked)
		out = append(out, k)
	}
	return out, rows.Err()
}

// KeySet is the published key set: every key not revoked with its validity
// window (from creation to retirement, in whole seconds as files carry
// them), and the revoked keys.
func (s *Store) KeySet(ctx context.Context) (licensefile.KeySet, error) {
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		return licensefile.KeySet{}, err
	}
	ks := licensefile.KeySet{Keys: licensefile.TrustedKeys{}, Windows: map[string]licensefile.KeyWindow{}, Revoked: map[string]time.Time{}}
	for _, k := range keys {
		if !k.RevokedAt.IsZero() {
			ks.Revoked[k.KeyID] = k.RevokedAt.Truncate(time.Second)
			continue
		}
		ks.Keys[k.KeyID] = k.Public
		// Files carry whole seconds, truncated: so are the bounds, so that
		// a file signed in the key's first or last second is inside.
		w := licensefile.KeyWindow{NotBefore: k.CreatedAt.Truncate(time.Second)}
		if !k.RetiredAt.IsZero() {
			w.NotAfter = k.RetiredAt.Truncate(time.Second)
		}
		ks.Windows[k.KeyID] = w
	}
	return ks, nil
}

// TrustedKeys returns every published public key that is not revoked, by
// key ID, as a verifier without windows trusts them.
func (s *Store) TrustedKeys(ctx context.Context) (licensefile.TrustedKeys, error) {
	ks, err := s.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	return ks.Trusted(), nil
}

// RotateSigningKey generates a new signing key, makes it the active one
// and retires the previous one: it stays published (its window now ends)
// and its private half is erased, so that no later copy of the database
// can sign with it. Files are signed with the new key from the next
// signature on, on every portal instance, since each reads the active key
// from the database when it signs.
func (s *Store) RotateSigningKey(ctx context.Context) (SigningKey, error) {
	var out SigningKey
	err := s.inTx(ctx, func(t *tx) error {
		if err := t.lockSigningKeys(ctx); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE signing_keys SET active = ?, retired_at = ?, private_key = ? WHERE active`,
			false, ms(t.now), []byte{}); err != nil {
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

// RevokeSigningKey withdraws a retired key from trust: the key set lists it
// as revoked, and clients refuse every file it signed, whatever its date
// (use it when the key may have leaked). Its private half is erased too.
// The active key cannot be revoked: rotate first, so that the portal can
// still sign.
func (s *Store) RevokeSigningKey(ctx context.Context, kid string) (SigningKey, error) {
	var out SigningKey
	err := s.inTx(ctx, func(t *tx) error {
		if err := t.lockSigningKeys(ctx); err != nil {
			return err
		}
		var active bool
		var revoked int64
		err := t.queryRow(ctx, `SELECT active, revoked_at FROM signing_keys WHERE kid = ?`, kid).Scan(&active, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return core.WithArgs(core.E(core.NotFound, "signing_key.not_found", "no signing key "+kid+": see licportal keys list"), "Key", kid)
		}
		if err != nil {
			return err
		}
		if active {
			return core.WithArgs(core.E(core.Conflict, "signing_key.active", "key "+kid+" is the active signing key: rotate first (licportal keys rotate), then revoke it"), "Key", kid)
		}
		if revoked != 0 {
			return core.WithArgs(core.E(core.Conflict, "signing_key.revoked", "key "+kid+" is already revoked"), "Key", kid)
		}
		if _, err := t.exec(ctx, `UPDATE signing_keys SET revoked_at = ?, private_key = ? WHERE kid = ?`, ms(t.now), []byte{}, kid); err != nil {
			return err
		}
		out = SigningKey{KeyID: kid, RevokedAt: t.now}
		return nil
	})
	if err != nil {
		return SigningKey{}, fmt.Errorf("revoke signing key: %w", err)
	}
	return out, nil
}

// activeSigner returns the signer of the active key, generating the first
// key when there is none.
func (s *Store) activeSigner(ctx context.Context) (licensefile.Signer, error) {
	sg, found, err := s.readSigner(ctx, s.db, s.d)
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
	sg, found, err := t.s.readSigner(ctx, t, t.d)
	if err != nil || found {
		return sg, err
	}
	// Several instances starting on an empty database: one generates the
	// key, the others wait on the lock and then find it.
	if err := t.lockSigningKeys(ctx); err != nil {
		return licensefile.Signer{}, err
	}
	if sg, found, err = t.s.readSigner(ctx, t, t.d); err != nil || found {
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
	sealed, err := t.s.sealKey(sg.KeyID, priv)
	if err != nil {
		return licensefile.Signer{}, err
	}
	if _, err := t.exec(ctx, `INSERT INTO signing_keys (kid, private_key, public_key, active, created_at) VALUES (?, ?, ?, ?, ?)`,
		sg.KeyID, sealed, []byte(sg.Public()), true, ms(t.now)); err != nil {
		return licensefile.Signer{}, fmt.Errorf("store signing key: %w", err)
	}
	return sg, nil
}

func (s *Store) readSigner(ctx context.Context, q rowQuerier, d dialect) (licensefile.Signer, bool, error) {
	var kid string
	var blob []byte
	err := q.QueryRowContext(ctx, d.rebind(`SELECT kid, private_key FROM signing_keys WHERE active`)).Scan(&kid, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return licensefile.Signer{}, false, nil
	}
	if err != nil {
		return licensefile.Signer{}, false, fmt.Errorf("read signing key: %w", err)
	}
	priv, err := s.openKey(kid, blob)
	if err != nil {
		return licensefile.Signer{}, false, err
	}
	sg, err := licensefile.NewSigner(priv)
	if err != nil {
		return licensefile.Signer{}, false, fmt.Errorf("stored signing key: %w", err)
	}
	if sg.KeyID != kid {
		return licensefile.Signer{}, false, fmt.Errorf("stored signing key %s does not match its key ID", kid)
	}
	return sg, true, nil
}
