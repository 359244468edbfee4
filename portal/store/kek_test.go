package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// testKEK is a fresh key-encryption key: every test store makes its own.
func testKEK(t testing.TB) []byte {
	t.Helper()
	k, err := store.GenerateKEK()
	require.NoError(t, err)
	return k
}

// privateKeys reads signing_keys.private_key straight from the database, as
// whoever copies the database file would.
func privateKeys(t *testing.T, dsn string) map[string][]byte {
	t.Helper()
	driver, src := "pgx", dsn
	if p, ok := bytes.CutPrefix([]byte(dsn), []byte("sqlite:")); ok {
		driver, src = "sqlite", string(p)
	}
	db, err := sql.Open(driver, src)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT kid, private_key FROM signing_keys`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var kid string
		var b []byte
		require.NoError(t, rows.Scan(&kid, &b))
		out[kid] = b
	}
	return out
}

func TestSigningKeys_EncryptedAtRestUnderAKeyOutsideTheDatabase(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			_, err := store.Open(ctx, b.DSN)
			require.ErrorContains(t, err, "key-encryption key", "no plain keys without the development flag")

			kek := testKEK(t)
			s, err := store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(kek))
			require.NoError(t, err)
			keys, err := s.SigningKeys(ctx)
			require.NoError(t, err)
			require.NoError(t, s.Close())
			kid := keys[0].KeyID

			stored := privateKeys(t, b.DSN)[kid]
			assert.NotEqual(t, 64, len(stored), "not a plain Ed25519 key")
			assert.NotContains(t, string(stored), string(keys[0].Public), "the public half does not show either")

			_, err = store.Open(ctx, b.DSN, store.WithPlainSigningKeys(), store.WithKeyEncryptionKey(kek))
			require.Error(t, err, "both at once is refused")

			_, err = store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.ErrorContains(t, err, "wrong key file", "refused at start, not at the first signature")

			_, err = store.Open(ctx, b.DSN, store.WithPlainSigningKeys())
			require.ErrorContains(t, err, "is encrypted", "an encrypted key needs its key file")
		})
	}
}

func TestSigningKeys_PlainKeysOfADevelopmentRunAreEncryptedOnceAKeyIsGiven(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dev, err := store.Open(ctx, b.DSN, store.WithPlainSigningKeys())
			require.NoError(t, err)
			keys, err := dev.SigningKeys(ctx)
			require.NoError(t, err)
			require.NoError(t, dev.Close())
			kid := keys[0].KeyID
			require.Len(t, privateKeys(t, b.DSN)[kid], 64, "development mode keeps it plain")

			s, err := store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			defer s.Close()
			assert.NotEqual(t, 64, len(privateKeys(t, b.DSN)[kid]), "sealed as the store opened")
			again, err := s.SigningKeys(ctx)
			require.NoError(t, err)
			assert.Equal(t, kid, again[0].KeyID, "and still signs with it")
		})
	}
}

func TestRotateAndRevoke_EraseThePrivateHalfAndPublishWindowsAndRevocations(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		first, err := w.s.SigningKeys(w.ctx)
		require.NoError(t, err)
		oldKID := first[0].KeyID
		w.advance(time.Hour)
		cur, err := w.s.RotateSigningKey(w.ctx)
		require.NoError(t, err)

		ks, err := w.s.KeySet(w.ctx)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KeyWindow{NotBefore: w.now.Add(-time.Hour), NotAfter: w.now}, ks.Windows[oldKID])
		assert.Equal(t, licensefile.KeyWindow{NotBefore: w.now}, ks.Windows[cur.KeyID])
		assert.Empty(t, ks.Revoked)

		_, err = w.s.RevokeSigningKey(w.ctx, cur.KeyID)
		requireCode(t, err, "signing_key.active")
		_, err = w.s.RevokeSigningKey(w.ctx, "nope")
		requireCode(t, err, "signing_key.not_found")
		w.advance(time.Minute)
		_, err = w.s.RevokeSigningKey(w.ctx, oldKID)
		require.NoError(t, err)
		_, err = w.s.RevokeSigningKey(w.ctx, oldKID)
		requireCode(t, err, "signing_key.revoked")

		ks, err = w.s.KeySet(w.ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]time.Time{oldKID: w.now}, ks.Revoked)
		assert.NotContains(t, ks.Keys, oldKID)
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{cur.KeyID}, keysOf(trusted))
		keys, err := w.s.SigningKeys(w.ctx)
		require.NoError(t, err)
		assert.Equal(t, "active", keys[0].State())
		assert.Equal(t, "revoked", keys[1].State())
	})
}

func keysOf(t licensefile.TrustedKeys) []string {
	var out []string
	for k := range t {
		out = append(out, k)
	}
	return out
}

func TestRotateSigningKey_ErasesTheRetiredPrivateHalf(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			defer s.Close()
			first, err := s.SigningKeys(ctx)
			require.NoError(t, err)
			_, err = s.RotateSigningKey(ctx)
			require.NoError(t, err)
			priv := privateKeys(t, b.DSN)
			assert.Empty(t, priv[first[0].KeyID], "a retired key cannot sign again, from this database or a copy of it")
			assert.Len(t, priv, 2)
		})
	}
}

func TestKeyFile_WrittenOwnerOnlyNeverOverwrittenAndRefusedWhenOthersMayRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.key")
	require.NoError(t, store.WriteKeyFile(path))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	k, err := store.ReadKeyFile(path)
	require.NoError(t, err)
	assert.Len(t, k, store.KEKSize)
	require.Error(t, store.WriteKeyFile(path), "an existing key is never replaced")

	require.NoError(t, os.Chmod(path, 0o644))
	_, err = store.ReadKeyFile(path)
	require.ErrorContains(t, err, "readable by others")

	bad := filepath.Join(t.TempDir(), "bad.key")
	require.NoError(t, os.WriteFile(bad, []byte("not a key\n"), 0o600))
	_, err = store.ReadKeyFile(bad)
	require.ErrorContains(t, err, "base64")
}
