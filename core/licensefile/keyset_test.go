package licensefile_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
)

// rotatedSet is a portal's key set after one rotation at t0 (old retired,
// cur active) and, when revoke is set, the old key revoked.
func rotatedSet(t testing.TB, revoke bool) (old, cur licensefile.Signer, ks licensefile.KeySet) {
	old, cur = testSigner(t, "old"), testSigner(t, "cur")
	ks = licensefile.KeySet{Keys: trust(t, old, cur), Windows: map[string]licensefile.KeyWindow{
		old.KeyID: {NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0},
		cur.KeyID: {NotBefore: t0},
	}}
	if revoke {
		ks.Revoked = map[string]time.Time{old.KeyID: t0.Add(time.Hour)}
	}
	return old, cur, ks
}

func TestKeySetVerify_RefusesFilesSignedOutsideTheKeyWindowOrByARevokedKey(t *testing.T) {
	old, cur, ks := rotatedSet(t, false)
	issued := func(s licensefile.Signer, at time.Time) []byte {
		p := samplePayload()
		p.Issued, p.Expiry, p.LeaseEnd = at, at.AddDate(1, 0, 0), time.Time{}
		return sign(t, s, p)
	}
	_, err := ks.Verify(issued(old, t0.Add(-time.Hour)))
	assert.NoError(t, err, "a file the retired key signed while active stays valid")
	_, err = ks.Verify(issued(cur, t0.Add(time.Hour)))
	assert.NoError(t, err)

	// Issue 11: a license forged with the retired key (taken from a copy of
	// the database) passed with the current key set pinned.
	_, err = ks.Verify(issued(old, t0.Add(time.Minute)))
	assert.ErrorIs(t, err, licensefile.ErrOutsideKeyWindow)
	_, err = ks.Verify(issued(cur, t0.Add(-time.Minute)))
	assert.ErrorIs(t, err, licensefile.ErrOutsideKeyWindow, "before the key existed")

	_, _, revoked := rotatedSet(t, true)
	_, err = revoked.Verify(issued(old, t0.Add(-time.Hour)))
	assert.ErrorIs(t, err, licensefile.ErrKeyRevoked, "every file of a revoked key is refused, back-dated or not")
	_, err = revoked.Verify(issued(cur, t0.Add(time.Hour)))
	assert.NoError(t, err)
}

func TestKeySet_RoundTripsAndOldDocumentsWithoutWindowsStillParse(t *testing.T) {
	old, cur, ks := rotatedSet(t, true)
	doc, err := licensefile.MarshalKeySet(ks)
	require.NoError(t, err)
	assert.NotContains(t, string(doc), `"public_key": "`+b64(old.Public())+`"`, "a revoked key is not published as trusted")
	got, err := licensefile.ParseKeySet(doc)
	require.NoError(t, err)
	assert.Equal(t, trust(t, cur), got.Keys)
	assert.Equal(t, map[string]licensefile.KeyWindow{cur.KeyID: {NotBefore: t0}}, got.Windows)
	assert.Equal(t, map[string]time.Time{old.KeyID: t0.Add(time.Hour)}, got.Revoked)

	trusted, err := licensefile.ParsePublicKeys(doc)
	require.NoError(t, err)
	assert.Equal(t, trust(t, cur), trusted, "old readers see the trusted keys only")

	legacy, err := licensefile.MarshalPublicKeys(trust(t, old, cur))
	require.NoError(t, err)
	got, err = licensefile.ParseKeySet(legacy)
	require.NoError(t, err, "a pinned file from before windows still parses")
	assert.Equal(t, trust(t, old, cur), got.Keys)
	assert.Empty(t, got.Windows)
	assert.Empty(t, got.Revoked)
}

func TestKeySetMerge_KeepsEveryRevocationAndTheNarrowerWindow(t *testing.T) {
	old, cur, pinned := rotatedSet(t, false)
	pinned.Windows = nil // a set pinned before windows existed
	_, _, learned := rotatedSet(t, true)
	m, err := pinned.Merge(learned)
	require.NoError(t, err)
	assert.Contains(t, m.Revoked, old.KeyID)
	assert.Equal(t, t0, m.Windows[old.KeyID].NotAfter)

	// Merging a later set that no longer lists the revocation keeps it.
	m2, err := m.Merge(licensefile.KeySetOf(trust(t, cur)))
	require.NoError(t, err)
	assert.Contains(t, m2.Revoked, old.KeyID)

	forged := licensefile.KeySetOf(licensefile.TrustedKeys{cur.KeyID: old.Public()})
	_, err = m.Merge(forged)
	assert.ErrorIs(t, err, licensefile.ErrInvalidKey, "a key ID never changes its key")
}

func TestParseKeySet_RefusesBadWindowsAndRevocations(t *testing.T) {
	a := testSigner(t, "A")
	pub := b64(a.Public())
	key := func(extra string) string {
		return `{"kid":"` + a.KeyID + `","alg":"Ed25519","public_key":"` + pub + `"` + extra + `}`
	}
	for name, doc := range map[string]string{
		"window ends before it starts": `{"keys":[` + key(`,"not_before":"2026-03-02T00:00:00Z","not_after":"2026-03-01T00:00:00Z"`) + `]}`,
		"not a UTC time":               `{"keys":[` + key(`,"not_before":"2026-03-02T00:00:00+01:00"`) + `]}`,
		"revocation without a time":    `{"keys":[` + key(``) + `],"revoked":[{"kid":"x","revoked_at":""}]}`,
		"revocation with a bad kid":    `{"keys":[` + key(``) + `],"revoked":[{"kid":"a/b","revoked_at":"2026-03-02T00:00:00Z"}]}`,
		"revocation listed twice":      `{"keys":[` + key(``) + `],"revoked":[{"kid":"x","revoked_at":"2026-03-02T00:00:00Z"},{"kid":"x","revoked_at":"2026-03-02T00:00:00Z"}]}`,
	} {
		_, err := licensefile.ParseKeySet([]byte(doc))
		assert.True(t, errors.Is(err, licensefile.ErrMalformed), "%s: %v", name, err)
	}
	_, err := licensefile.ParsePublicKeys([]byte(`{"keys":[` + key(``) + `],"revoked":[{"kid":"` + a.KeyID + `","revoked_at":"2026-03-02T00:00:00Z"}]}`))
	assert.ErrorIs(t, err, licensefile.ErrMalformed, "every key revoked leaves nothing to trust")
}

// FuzzParseKeySet: never panics; a parsed set re-marshals and re-parses to
// the same keys, windows and revocations.
func FuzzParseKeySet(f *testing.F) {
	for _, seed := range keySetSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := licensefile.ParseKeySet(data)
		if err != nil {
			if !errors.Is(err, licensefile.ErrMalformed) && !errors.Is(err, licensefile.ErrTooLarge) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if len(ks.Trusted()) == 0 {
			return
		}
		doc, err := licensefile.MarshalKeySet(ks)
		if err != nil {
			t.Fatalf("parsed set does not marshal: %v", err)
		}
		again, err := licensefile.ParseKeySet(doc)
		if err != nil {
			t.Fatalf("marshalled set does not parse: %v", err)
		}
		if len(again.Keys) != len(ks.Trusted()) || len(again.Revoked) != len(ks.Revoked) {
			t.Fatalf("set changed")
		}
		for kid, w := range again.Windows {
			if ks.Windows[kid] != w {
				t.Fatalf("window of %q changed", kid)
			}
		}
	})
}

func keySetSeeds(tb testing.TB) map[string][]byte {
	_, _, ks := rotatedSet(tb, true)
	doc, err := licensefile.MarshalKeySet(ks)
	require.NoError(tb, err)
	_, _, open := rotatedSet(tb, false)
	doc2, err := licensefile.MarshalKeySet(open)
	require.NoError(tb, err)
	return map[string][]byte{"rotated_and_revoked": doc, "rotated": doc2}
}
