package machine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// Issue 11: offline state that deleting a file cannot reset.

// stateCopies lists the two copies of a store's offline state.
func stateCopies(t *testing.T, st *machine.Store, stateDir string) []string {
	t.Helper()
	second, err := filepath.Glob(filepath.Join(stateDir, "*.json"))
	require.NoError(t, err)
	require.Len(t, second, 1, "the second copy lives in the per-user state folder")
	return []string{filepath.Join(st.Dir(), "state.json"), second[0]}
}

// installedWithStateDir is installed() with the second state folder known.
func installedWithStateDir(t *testing.T, p licensefile.Payload) (*machine.Store, licensefile.Signer, []byte, string) {
	t.Helper()
	stateDir := t.TempDir()
	st, err := machine.OpenStoreWith(t.TempDir(), machine.StoreOptions{StateDir: stateDir, Fingerprint: fixedFP(here())})
	require.NoError(t, err)
	portal := signer(t, "portal")
	_, err = st.Trust(context.Background(), keysOf(portal))
	require.NoError(t, err)
	file := sign(t, portal, p)
	_, err = st.Install(context.Background(), file, t0.Add(-30*time.Minute), here())
	require.NoError(t, err)
	return st, portal, file, stateDir
}

func TestState_DeletingTheGraceRecordAfterTheGraceEndedGivesNoMoreDays(t *testing.T) {
	st, _, _, stateDir := installedWithStateDir(t, nodeLocked())
	check(t, st, t0, changed(4), machine.CheckOptions{})
	res := check(t, st, t0.Add(8*core.Day), changed(4), machine.CheckOptions{})
	require.Equal(t, []machine.Code{machine.CodeHardwareChanged}, codes(res.Reasons))
	copies := stateCopies(t, st, stateDir)

	// The profile's copy deleted: the second copy still has the grace start.
	require.NoError(t, os.Remove(copies[0]))
	res = check(t, st, t0.Add(8*core.Day+time.Hour), changed(4), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeHardwareChanged}, codes(res.Reasons))
	assert.Zero(t, res.GraceDaysLeft)

	// Both deleted: tampering, refused until the portal sets the state up.
	require.NoError(t, os.Remove(copies[0]))
	require.NoError(t, os.Remove(copies[1]))
	res = check(t, st, t0.Add(8*core.Day+2*time.Hour), changed(4), machine.CheckOptions{})
	assert.False(t, res.OK)
	assert.Contains(t, codes(res.Reasons), machine.CodeStateMissing)
	assert.Equal(t, machine.ActionSync, res.Reasons[0].Action)
	assert.NoFileExists(t, copies[0], "a check does not set up a missing state")
}

func TestState_DeletingTheClockMarkDoesNotLiftTheClockSetBackRefusal(t *testing.T) {
	st, _, _, stateDir := installedWithStateDir(t, nodeLocked())
	check(t, st, t0.AddDate(0, 0, 10), here(), machine.CheckOptions{})
	copies := stateCopies(t, st, stateDir)
	for _, c := range copies {
		require.NoError(t, os.Remove(c))
		res := check(t, st, t0.AddDate(0, 0, 2), here(), machine.CheckOptions{})
		assert.False(t, res.OK, "after deleting %s", c)
	}
	res := check(t, st, t0.AddDate(0, 0, 2), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeStateMissing}, codes(res.Reasons))

	// A state copied from another machine does not count either.
	other, err := machine.OpenStoreWith(t.TempDir(), machine.StoreOptions{StateDir: t.TempDir(), Fingerprint: fixedFP(elsewhere())})
	require.NoError(t, err)
	portal := signer(t, "portal")
	_, err = other.Trust(context.Background(), keysOf(portal))
	require.NoError(t, err)
	_, err = other.Install(context.Background(), sign(t, portal, lease()), t0.Add(-time.Minute), elsewhere())
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(other.Dir(), "state.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(copies[0], b, 0o600))
	res = check(t, st, t0.AddDate(0, 0, 2), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeStateMissing}, codes(res.Reasons))

	// An edited copy fails its MAC.
	require.NoError(t, os.WriteFile(copies[0], []byte(`{"state":{"latest":"2026-03-01T00:00:00Z"},"fingerprint":{},"mac":"00"}`), 0o600))
	res = check(t, st, t0.AddDate(0, 0, 2), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeStateMissing}, codes(res.Reasons))
}

func TestState_GoingOnlineOnceRestoresItAndAMismatchCountsFromTheFilesIssueTime(t *testing.T) {
	ctx := context.Background()
	st, portal, file, stateDir := installedWithStateDir(t, nodeLocked())
	for _, c := range stateCopies(t, st, stateDir) {
		require.NoError(t, os.Remove(c))
	}
	now := t0.Add(20 * core.Day)
	// A kept file cannot set the state up again...
	_, err := st.Install(ctx, file, now, here())
	var r *machine.Reason
	require.ErrorAs(t, err, &r)
	assert.Equal(t, machine.CodeStateMissing, r.Code)

	// ...a file fresh from the portal (another product's lease) does.
	other := lease()
	other.Product, other.Issued, other.LeaseEnd = "Other Product", now, now.AddDate(0, 0, 7)
	_, err = st.Install(ctx, sign(t, portal, other), now, here())
	require.NoError(t, err)
	hwm, err := st.HighWater(ctx)
	require.NoError(t, err)
	assert.Equal(t, now, hwm)

	// The grace of a changed machine does not restart from now.
	res := check(t, st, now.Add(time.Hour), changed(4), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeHardwareChanged}, codes(res.Reasons), "the mismatch may be as old as the file")
}

func TestState_ARestoredLicenseFileOfADeactivatedActivationIsRefused(t *testing.T) {
	ctx := context.Background()
	st, portal := newStore(t)
	reqFile := writeRequest(t, st, licenseKey(t, 1), t0)
	_, err := st.ImportResponse(ctx, fulfil(t, portal, reqFile, t0.Add(time.Hour), "ACT-7"), t0.Add(2*time.Hour), here())
	require.NoError(t, err)
	path, err := st.LicensePath(product)
	require.NoError(t, err)
	kept, err := os.ReadFile(path)
	require.NoError(t, err)

	_, copyPath, err := st.Deactivate(ctx, product, t0.Add(3*time.Hour))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, kept, 0o600))
	res := check(t, st, t0.Add(4*time.Hour), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeDeactivated}, codes(res.Reasons))
	assert.Equal(t, machine.ActionActivate, res.Reasons[0].Action)

	require.NoError(t, os.Remove(copyPath))
	res = check(t, st, t0.Add(5*time.Hour), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeDeactivated}, codes(res.Reasons), "the receipt's copy gone, the state remembers")

	_, err = st.Install(ctx, kept, t0.Add(6*time.Hour), here())
	require.ErrorAs(t, err, new(*machine.Reason))
	assert.Equal(t, string(machine.CodeDeactivated), string(err.(*machine.Reason).Code), "nor can it be installed again")
}

func TestState_DeactivationsTheSyncLayerReportsAreRefusedToo(t *testing.T) {
	ctx := context.Background()
	st, _, _ := installed(t, nodeLocked())
	require.NoError(t, st.RecordDeactivated(ctx, "ACT-1"))
	res := check(t, st, t0, here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeDeactivated}, codes(res.Reasons))
}

// Issue 11: a license forged with a retired key (from a database copy)
// passed the check even with the portal's current key set pinned.
func TestCheck_AFileForgedWithARetiredOrRevokedKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	st, old, _ := installed(t, nodeLocked())
	cur := signer(t, "current")
	rotated := t0.Add(time.Hour)
	pinned := licensefile.KeySet{Keys: keysOf(old, cur), Windows: map[string]licensefile.KeyWindow{
		old.KeyID: {NotBefore: t0.AddDate(-1, 0, 0), NotAfter: rotated}, cur.KeyID: {NotBefore: rotated}}}

	forged := nodeLocked()
	forged.Issued, forged.Modules = t0.Add(2*time.Hour), []string{"everything"}
	path, _ := st.LicensePath(product)
	require.NoError(t, os.WriteFile(path, sign(t, old, forged), 0o600))
	res := check(t, st, t0.Add(3*time.Hour), here(), machine.CheckOptions{KeySet: pinned})
	assert.Equal(t, []machine.Code{machine.CodeSignature}, codes(res.Reasons))
	assert.Contains(t, res.Reasons[0].Message, "window")

	// Back-dated into the old key's window, it passes until the key is
	// revoked; then the client learns the revocation online and keeps it,
	// even for a program that pins a set without it.
	forged.Issued = t0.Add(-time.Minute)
	require.NoError(t, os.WriteFile(path, sign(t, old, forged), 0o600))
	res = check(t, st, t0.Add(3*time.Hour), here(), machine.CheckOptions{KeySet: pinned})
	require.True(t, res.OK, "%v", res.Reasons)

	fetched := licensefile.KeySet{Keys: keysOf(cur), Windows: map[string]licensefile.KeyWindow{cur.KeyID: {NotBefore: rotated}},
		Revoked: map[string]time.Time{old.KeyID: t0.Add(2 * time.Hour)}}
	added, err := st.LearnKeySet(ctx, fetched)
	require.NoError(t, err)
	assert.Equal(t, []string{cur.KeyID}, added)
	res = check(t, st, t0.Add(3*time.Hour), here(), machine.CheckOptions{KeySet: pinned})
	assert.Equal(t, []machine.Code{machine.CodeSignature}, codes(res.Reasons))
	assert.Contains(t, res.Reasons[0].Message, "revoked")

	// Deleting trust.json forgets no revocation: the offline state has it.
	require.NoError(t, os.Remove(filepath.Join(st.Dir(), "trust.json")))
	res = check(t, st, t0.Add(3*time.Hour), here(), machine.CheckOptions{Trusted: keysOf(old, cur)})
	assert.Equal(t, []machine.Code{machine.CodeSignature}, codes(res.Reasons))
	trusted, err := st.Trusted(ctx)
	require.NoError(t, err)
	assert.Empty(t, trusted)
}

// Issue 11: a cloud-login lease copied to another machine verified there.
func TestCheck_ALeaseCopiedToAnotherMachineIsRefused(t *testing.T) {
	bound := lease()
	bound.Fingerprint = here()
	st, _, file := installed(t, bound)
	res := check(t, st, t0, here(), machine.CheckOptions{})
	require.True(t, res.OK, "%v", res.Reasons)

	// The same file in a profile of another machine.
	other, err := machine.OpenStoreWith(t.TempDir(), machine.StoreOptions{StateDir: t.TempDir(), Fingerprint: fixedFP(elsewhere())})
	require.NoError(t, err)
	_, err = other.Trust(context.Background(), keysOf(signer(t, "portal")))
	require.NoError(t, err)
	_, err = other.Install(context.Background(), file, t0, elsewhere())
	var r *machine.Reason
	require.ErrorAs(t, err, &r)
	assert.Equal(t, machine.CodeOtherMachine, r.Code)

	_, err = other.Install(context.Background(), file, t0, nil) // installed without a fingerprint, as a sync may
	require.NoError(t, err)
	res = check(t, other, t0, elsewhere(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeOtherMachine}, codes(res.Reasons))
}

func TestState_AFreshAnswerForTheSameActivationAfterAnOfflineDeactivationStaysValid(t *testing.T) {
	// The receipt is still on its way when the machine activates again
	// online: the portal answers with the same activation ID and a new
	// nonce. Only the copy of the given-up file is refused.
	ctx := context.Background()
	st, portal := newStore(t)
	reqFile := writeRequest(t, st, licenseKey(t, 1), t0)
	_, err := st.ImportResponse(ctx, fulfil(t, portal, reqFile, t0.Add(time.Hour), "ACT-7"), t0.Add(2*time.Hour), here())
	require.NoError(t, err)
	_, _, err = st.Deactivate(ctx, product, t0.Add(3*time.Hour))
	require.NoError(t, err)

	again := writeRequest(t, st, licenseKey(t, 1), t0.Add(4*time.Hour))
	_, err = st.ImportResponse(ctx, fulfil(t, portal, again, t0.Add(5*time.Hour), "ACT-7"), t0.Add(5*time.Hour), here())
	require.NoError(t, err)
	res := check(t, st, t0.Add(6*time.Hour), here(), machine.CheckOptions{})
	assert.True(t, res.OK, "%v", res.Reasons)
}
