package machine_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

func TestInstall_StoresOneFilePerProductPrivately(t *testing.T) {
	st, _, file := installed(t, nodeLocked())
	path, err := st.LicensePath(product)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(st.Dir(), "licenses", machine.Slug(product)+".lic"), path)
	got, err := st.ReadLicense(context.Background(), product)
	require.NoError(t, err)
	assert.Equal(t, file, got)
	if runtime.GOOS != "windows" {
		for _, f := range []string{path, filepath.Join(st.Dir(), "trust.json"), filepath.Join(st.Dir(), "state.json")} {
			fi, err := os.Stat(f)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		}
	}
	for rel := range snapshot(t, st.Dir()) {
		assert.NotContains(t, rel, ".tmp", "no temporary file left behind")
	}
}

func TestInstall_RefusalsChangeNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		file func(t *testing.T, portal licensefile.Signer, current []byte) []byte
		now  time.Time
		want machine.Code
	}{
		{"a byte changed", func(t *testing.T, _ licensefile.Signer, cur []byte) []byte { return flipByte(cur) }, t0, machine.CodeSignature},
		{"signed by another key", func(t *testing.T, _ licensefile.Signer, _ []byte) []byte {
			return sign(t, signer(t, "mallory"), nodeLocked())
		}, t0, machine.CodeSignature},
		{"truncated", func(t *testing.T, _ licensefile.Signer, cur []byte) []byte { return cur[:100] }, t0, machine.CodeSignature},
		{"a deactivation receipt", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			return sign(t, portal, licensefile.Payload{Kind: licensefile.KindDeactivationReceipt, LicenseID: "LIC-0001", Product: product,
				Issued: t0, ActivationID: "ACT-1", Nonce: "00112233445566778899aabbccddeeff"})
		}, t0.Add(time.Hour), machine.CodeNotActivated},
		{"expired", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Issued, p.Expiry = t0, t0.Add(time.Hour)
			return sign(t, portal, p)
		}, t0.Add(2 * time.Hour), machine.CodeExpired},
		{"issued 6 minutes in the future", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Issued = t0.Add(6 * time.Minute)
			return sign(t, portal, p)
		}, t0, machine.CodeNotYetValid},
		{"the clock set back", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Issued = t0.Add(-2 * day)
			return sign(t, portal, p)
		}, t0.Add(-day), machine.CodeClockSetBack},
		{"bound to another machine", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Fingerprint, p.Issued = elsewhere(), t0
			return sign(t, portal, p)
		}, t0.Add(time.Hour), machine.CodeOtherMachine},
		{"bound to this machine before a big change", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Fingerprint, p.Issued = changed(4), t0
			return sign(t, portal, p)
		}, t0.Add(time.Hour), machine.CodeHardwareChanged},
		{"older than the installed one (a replay)", func(t *testing.T, portal licensefile.Signer, _ []byte) []byte {
			p := nodeLocked()
			p.Issued, p.ActivationID = t0.Add(-2*time.Hour), "ACT-0"
			return sign(t, portal, p)
		}, t0, machine.CodeOutdated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, portal, cur := installed(t, nodeLocked())
			before := snapshot(t, st.Dir())
			_, err := st.Install(ctx, tt.file(t, portal, cur), tt.now, here())
			var r *machine.Reason
			require.ErrorAs(t, err, &r)
			assert.Equal(t, tt.want, r.Code, r.Message)
			assert.Equal(t, before, snapshot(t, st.Dir()))
		})
	}
}

const day = 24 * time.Hour

func TestInstall_SameFileTwiceIsHarmlessAndANewerOneReplaces(t *testing.T) {
	ctx := context.Background()
	st, portal, file := installed(t, nodeLocked())
	_, err := st.Install(ctx, file, t0, here())
	require.NoError(t, err)
	newer := nodeLocked()
	newer.Issued, newer.Modules = t0, []string{"render", "cam", "export-dwg"}
	_, err = st.Install(ctx, sign(t, portal, newer), t0, here())
	require.NoError(t, err)
	res := check(t, st, t0, here(), machine.CheckOptions{Module: "export-dwg"})
	assert.True(t, res.OK)
}

func TestInstall_WithoutFingerprintSkipsTheMachineMatch(t *testing.T) {
	st, portal := newStore(t)
	p := nodeLocked()
	p.Fingerprint = elsewhere()
	_, err := st.Install(context.Background(), sign(t, portal, p), t0, nil)
	assert.NoError(t, err, "a sync storing a file for later has no fingerprint to compare")
}

func TestStore_RemoveAndLicenses(t *testing.T) {
	ctx := context.Background()
	st, portal, _ := installed(t, nodeLocked())
	other := lease()
	other.Product = "Viewer"
	_, err := st.Install(ctx, sign(t, portal, other), t0, here())
	require.NoError(t, err)

	list, err := st.Licenses(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	var products []string
	for _, in := range list {
		require.NoError(t, in.Err)
		products = append(products, in.Payload.Product)
	}
	assert.ElementsMatch(t, []string{product, "Viewer"}, products)

	require.NoError(t, st.Remove(ctx, product))
	require.NoError(t, st.Remove(ctx, product), "removing twice is fine")
	_, err = st.ReadLicense(ctx, product)
	assert.ErrorIs(t, err, machine.ErrNotInstalled)
	list, err = st.Licenses(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestTrust_AddsListsAndRefusesAKeyIDWithOtherBytes(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(t, t.TempDir()), error(nil)
	require.NoError(t, err)
	empty, err := st.Trusted(ctx)
	require.NoError(t, err)
	assert.Empty(t, empty)

	a, b := signer(t, "a"), signer(t, "b")
	added, err := st.Trust(ctx, keysOf(a))
	require.NoError(t, err)
	assert.Equal(t, []string{a.KeyID}, added)
	added, err = st.Trust(ctx, keysOf(a, b))
	require.NoError(t, err)
	assert.Equal(t, []string{b.KeyID}, added, "only the new key is reported")
	got, err := st.Trusted(ctx)
	require.NoError(t, err)
	assert.Equal(t, keysOf(a, b), got)

	forged := licensefile.TrustedKeys{a.KeyID: b.Public()}
	_, err = st.Trust(ctx, forged)
	assert.ErrorContains(t, err, "different key")
	got, _ = st.Trusted(ctx)
	assert.Equal(t, keysOf(a, b), got, "unchanged")
}

func TestTrust_DamagedTrustFileIsReported(t *testing.T) {
	st, _ := newStore(t)
	require.NoError(t, os.WriteFile(filepath.Join(st.Dir(), "trust.json"), []byte(`{"keys":[]}`), 0o600))
	_, err := st.Trusted(context.Background())
	assert.ErrorIs(t, err, machine.ErrDamaged)
}

func TestSlug_ReadableAndDistinct(t *testing.T) {
	assert.True(t, strings.HasPrefix(machine.Slug("CAD Studio"), "cad-studio-"))
	assert.True(t, strings.HasPrefix(machine.Slug("MyQ Print Server 11"), "myq-print-server-11-"))
	assert.NotEqual(t, machine.Slug("CAD Studio"), machine.Slug("cad studio"))
	assert.NotEqual(t, machine.Slug("CAD Studio"), machine.Slug("CAD-Studio"))
	assert.Equal(t, machine.Slug("CAD Studio"), machine.Slug("CAD Studio"))
	assert.Regexp(t, `^product-[0-9a-f]{8}$`, machine.Slug("../../"))
	assert.LessOrEqual(t, len(machine.Slug(strings.Repeat("x", 500))), 48+9)
}

func TestHomeDir_FollowsLICDESK_HOME(t *testing.T) {
	dir := t.TempDir()
	got, err := machine.HomeDir(func(k string) string {
		if k == machine.EnvHome {
			return dir
		}
		return ""
	})
	require.NoError(t, err)
	assert.Equal(t, dir, got)
	got, err = machine.HomeDir(func(string) string { return "" })
	if err == nil {
		assert.Equal(t, "licdesk", filepath.Base(got))
	}
}
