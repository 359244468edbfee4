package desk

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// The trust policy: a profile trusts the portal's signing keys on first use
// (pinned at the first login or activation, over the login's connection);
// once it trusts keys, the portal never adds more by itself. A later key (a
// rotation) is only reported, to be added on purpose from the portal's key
// document, so that a portal impersonated later cannot slip its own key in.
// A response or license file never brings its own trust.

// TrustResult is what pinning the portal's keys did.
type TrustResult struct {
	// Added are the key IDs trusted now (first use).
	Added []string
	// Unknown are keys the portal signs with that the profile does not
	// trust (announced rotations to add on purpose).
	Unknown []string
	// Err is why the keys were not pinned (the login still holds).
	Err error
}

// portalKeys fetches and parses the portal's key set: its keys, their
// validity windows and the keys it revoked.
func portalKeys(ctx context.Context, cl *lsync.Client) (licensefile.KeySet, error) {
	raw, err := cl.KeySet(ctx)
	if err != nil {
		return licensefile.KeySet{}, i18n.Wrap(err, "desk.trust.fetch")
	}
	ks, err := licensefile.ParseKeySet(raw)
	if err != nil {
		return licensefile.KeySet{}, i18n.Wrap(err, "desk.trust.bad")
	}
	return ks, nil
}

// known is the part of a fetched key set about keys the profile already
// trusts, with every revocation: what the profile learns from a portal
// once it trusts keys (a new key is never added this way).
func known(ks licensefile.KeySet, have licensefile.TrustedKeys) licensefile.KeySet {
	out := licensefile.KeySet{Keys: licensefile.TrustedKeys{}, Windows: map[string]licensefile.KeyWindow{}, Revoked: ks.Revoked}
	for kid, pub := range ks.Keys {
		if _, ok := have[kid]; ok {
			out.Keys[kid] = pub
			if w, ok := ks.Windows[kid]; ok {
				out.Windows[kid] = w
			}
		}
	}
	return out
}

// PinPortalKeys applies the trust policy with the login's portal.
func (d *Desk) PinPortalKeys(ctx context.Context) TrustResult {
	var r TrustResult
	st, err := d.Machine()
	if err != nil {
		r.Err = err
		return r
	}
	have, err := st.Trusted(ctx)
	if err != nil {
		r.Err = err
		return r
	}
	cl, err := d.Client(ctx, lsync.DefaultRetry())
	if err != nil {
		r.Err = err
		return r
	}
	ks, err := portalKeys(ctx, cl)
	if err != nil {
		r.Err = err
		return r
	}
	if len(have) > 0 {
		for kid := range ks.Trusted() {
			if _, ok := have[kid]; !ok {
				r.Unknown = append(r.Unknown, kid)
			}
		}
		slices.Sort(r.Unknown)
		// Revocations and narrowed windows of the keys it trusts are
		// learned each time, and kept for good.
		_, r.Err = st.LearnKeySet(ctx, known(ks, have))
		return r
	}
	r.Added, r.Err = st.LearnKeySet(ctx, ks)
	return r
}

// EnsureTrust pins the portal's keys when the profile trusts none yet (a
// profile that logged in before keys were pinned, or whose first pin
// failed); it needs the portal only then.
func (d *Desk) EnsureTrust(ctx context.Context) error {
	st, err := d.Machine()
	if err != nil {
		return err
	}
	have, err := st.Trusted(ctx)
	if err != nil || len(have) > 0 {
		return err
	}
	if s, err := d.Session(ctx); err != nil || !s.HasToken {
		return err // nothing to pin from: the check says "trust the portal's key"
	}
	return d.PinPortalKeys(ctx).Err
}

// TrustFile adds the keys of a portal's key document (its
// /.well-known/licdesk-keys.json, carried by hand to a machine that never
// logs in) and returns the key IDs added.
func (d *Desk) TrustFile(ctx context.Context, path string) ([]string, error) {
	doc, err := readSmallFile(path, licensefile.MaxFileSize)
	if err != nil {
		return nil, err
	}
	ks, err := licensefile.ParseKeySet(doc)
	if err != nil {
		return nil, err
	}
	if len(ks.Trusted()) == 0 {
		return nil, i18n.Errorf("desk.trust.none_valid", "Path", path)
	}
	st, err := d.Machine()
	if err != nil {
		return nil, err
	}
	return st.LearnKeySet(ctx, ks)
}

// TrustedKey is one key the profile trusts.
type TrustedKey struct {
	KeyID     string `json:"kid"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
	// SHA256 is the hex SHA-256 of the key, to compare by eye or phone.
	SHA256 string `json:"sha256"`
}

// Trusted lists the keys the profile trusts, by key ID.
func (d *Desk) Trusted(ctx context.Context) ([]TrustedKey, error) {
	st, err := d.Machine()
	if err != nil {
		return nil, err
	}
	keys, err := st.Trusted(ctx)
	if err != nil {
		return nil, err
	}
	out := []TrustedKey{}
	for kid, pub := range keys {
		sum := sha256.Sum256(pub)
		out = append(out, TrustedKey{kid, "Ed25519", base64.StdEncoding.EncodeToString(pub), hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(out, func(x, y TrustedKey) int { return strings.Compare(x.KeyID, y.KeyID) })
	return out, nil
}
