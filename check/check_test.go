package check_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/check"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/machine/machinetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func portalSigner(t *testing.T, name string) licensefile.Signer {
	t.Helper()
	seed := sha256.Sum256([]byte("check test " + name))
	s, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(t, err)
	return s
}

// profile is a profile folder trusting "portal" with a CAD Studio lease
// installed; it returns the folder and the lease file's path.
func profile(t *testing.T, edit func(*licensefile.Payload)) (string, licensefile.Signer, string) {
	t.Helper()
	home := t.TempDir()
	portal := portalSigner(t, "portal")
	st, err := machine.OpenStore(home)
	require.NoError(t, err)
	_, err = st.Trust(context.Background(), licensefile.TrustedKeys{portal.KeyID: portal.Public()})
	require.NoError(t, err)
	p := licensefile.Payload{Kind: licensefile.KindLease, LicenseID: "L-1", Product: "CAD Studio", Edition: "Standard",
		Modules: []string{"render"}, Owner: "Acme Ltd", Assignee: "ana@acme.example",
		Issued: t0.Add(-time.Hour), Expiry: t0.AddDate(0, 6, 0), LeaseEnd: t0.AddDate(0, 0, 30)}
	if edit != nil {
		edit(&p)
	}
	file, err := portal.Sign(p)
	require.NoError(t, err)
	_, err = st.Install(context.Background(), file, t0.Add(-time.Hour), nil)
	require.NoError(t, err)
	path, err := st.LicensePath("CAD Studio")
	require.NoError(t, err)
	return home, portal, path
}

func at(t time.Time) check.Option { return check.Clock(func() time.Time { return t }) }

func env(m map[string]string) check.Option {
	return check.Getenv(func(k string) string { return m[k] })
}

func TestProduct_ValidLicenseIsReturned(t *testing.T) {
	home, _, path := profile(t, nil)
	lic, err := check.Product(context.Background(), "CAD Studio", check.Home(home), check.Module("render"), at(t0))
	require.NoError(t, err)
	assert.Equal(t, "L-1", lic.LicenseID)
	assert.Equal(t, "Acme Ltd", lic.Owner)
	assert.True(t, lic.HasModule("render"))
	assert.Equal(t, path, lic.Path)
	assert.Empty(t, lic.Warning)
}

func TestProduct_RefusalsCarryCodes(t *testing.T) {
	tests := []struct {
		name string
		opts func(home string, portal licensefile.Signer) []check.Option
		want check.Code
	}{
		{"expired", func(string, licensefile.Signer) []check.Option { return []check.Option{at(t0.AddDate(0, 7, 0))} }, check.Expired},
		{"lease ended", func(string, licensefile.Signer) []check.Option { return []check.Option{at(t0.AddDate(0, 1, 1))} }, check.LeaseEnded},
		{"module missing", func(string, licensefile.Signer) []check.Option { return []check.Option{at(t0), check.Module("cam")} }, check.ModuleMissing},
		{"another product", func(string, licensefile.Signer) []check.Option { return []check.Option{at(t0)} }, check.NotActivated},
		{"pinned keys that did not sign it", func(string, licensefile.Signer) []check.Option {
			other := portalSigner(t, "other")
			return []check.Option{at(t0), check.Keys(licensefile.TrustedKeys{other.KeyID: other.Public()})}
		}, check.Signature},
		{"clock set back", func(home string, _ licensefile.Signer) []check.Option {
			_, _ = check.Product(context.Background(), "CAD Studio", check.Home(home), at(t0.AddDate(0, 0, 5)))
			return []check.Option{at(t0.AddDate(0, 0, 1))}
		}, check.ClockSetBack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, portal, _ := profile(t, nil)
			product := "CAD Studio"
			if tt.want == check.NotActivated {
				product = "Viewer"
			}
			lic, err := check.Product(context.Background(), product, append(tt.opts(home, portal), check.Home(home))...)
			assert.Nil(t, lic)
			var refused *check.Error
			require.ErrorAs(t, err, &refused)
			assert.True(t, refused.Has(tt.want), "%v", err)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestProduct_FollowsLICDESK_HOMEAndLICDESK_LICENSE_FILE(t *testing.T) {
	home, portal, _ := profile(t, nil)
	lic, err := check.Product(context.Background(), "CAD Studio", env(map[string]string{machine.EnvHome: home}), at(t0))
	require.NoError(t, err)
	assert.Equal(t, "L-1", lic.LicenseID)

	// licdesk launch names the file it checked; the program checks that one.
	other, err := portal.Sign(licensefile.Payload{Kind: licensefile.KindLicense, LicenseID: "L-2", Product: "CAD Studio",
		Issued: t0.Add(-time.Minute)})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "launched.lic")
	require.NoError(t, os.WriteFile(path, other, 0o600))
	lic, err = check.Product(context.Background(), "CAD Studio",
		env(map[string]string{machine.EnvHome: home, machine.EnvLicenseFile: path}), at(t0))
	require.NoError(t, err)
	assert.Equal(t, "L-2", lic.LicenseID)
	assert.Equal(t, path, lic.Path)
}

func TestProduct_BadPinnedKeysAreAnError(t *testing.T) {
	home, _, _ := profile(t, nil)
	_, err := check.Product(context.Background(), "CAD Studio", check.Home(home), check.KeysJSON([]byte("{")))
	require.Error(t, err)
	var refused *check.Error
	assert.False(t, errors.As(err, &refused))
}

func TestProduct_ExpiringSoonIsAWarning(t *testing.T) {
	home, _, _ := profile(t, func(p *licensefile.Payload) { p.Expiry = t0.AddDate(0, 0, 5) })
	lic, err := check.Product(context.Background(), "CAD Studio", check.Home(home), at(t0))
	require.NoError(t, err)
	assert.Contains(t, lic.Warning, "expires in 5 days")
}

// TestPackage_PullsNoSyncSQLiteOrFyne keeps the package small for the
// programs that link it.
func TestPackage_PullsNoSyncSQLiteOrFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"modernc.org/sqlite", "fyne.io/", "github.com/licdesk/licdesk/sync",
			"github.com/licdesk/licdesk/profile", "github.com/licdesk/licdesk/portal", "github.com/zalando/go-keyring", "net/http"} {
			assert.False(t, strings.HasPrefix(dep, bad), "check depends on %s", dep)
		}
	}
}

// Issue 11: a license forged with a retired key taken from a database copy
// passed with the portal's current key set pinned.
func TestProduct_AFileForgedWithARetiredKeyFailsAgainstThePinnedKeySet(t *testing.T) {
	home, old, path := profile(t, nil)
	cur := portalSigner(t, "current")
	rotated := t0.Add(-30 * time.Minute)
	doc, err := licensefile.MarshalKeySet(licensefile.KeySet{
		Keys: licensefile.TrustedKeys{old.KeyID: old.Public(), cur.KeyID: cur.Public()},
		Windows: map[string]licensefile.KeyWindow{old.KeyID: {NotBefore: t0.AddDate(-1, 0, 0), NotAfter: rotated},
			cur.KeyID: {NotBefore: rotated}}})
	require.NoError(t, err)
	forged, err := old.Sign(licensefile.Payload{Kind: licensefile.KindLicense, LicenseID: "FORGED", Product: "CAD Studio",
		Edition: "Ultimate", Owner: "Mallory", Issued: t0})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, forged, 0o600))

	_, err = check.Product(context.Background(), "CAD Studio", check.Home(home), at(t0.Add(time.Hour)), check.KeysJSON(doc))
	var refused *check.Error
	require.ErrorAs(t, err, &refused)
	assert.True(t, refused.Has(check.Signature), "%v", err)

	legacy, err := licensefile.MarshalPublicKeys(licensefile.TrustedKeys{old.KeyID: old.Public(), cur.KeyID: cur.Public()})
	require.NoError(t, err)
	_, err = check.Product(context.Background(), "CAD Studio", check.Home(home), at(t0.Add(time.Hour)), check.KeysJSON(legacy))
	require.NoError(t, err, "a pinned set without windows still parses (and cannot tell)")
}

// TestMain keeps the second copy of the offline state of every profile the
// tests open out of the user's config folder.
func TestMain(m *testing.M) { machinetest.Main(m) }
