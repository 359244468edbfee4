package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/portal/store"
)

// fakeHardware is a fingerprint source with fixed identifiers: tests inject
// it through Config.hardware, which the binary cannot set.
func fakeHardware(id *machine.Identifiers) machine.Source {
	return machine.SourceFunc(func(context.Context) (machine.Identifiers, error) { return *id, nil })
}

func laptop() *machine.Identifiers {
	return &machine.Identifiers{MachineID: "aa11bb22cc33dd44ee55ff6600778899", BoardUUID: "4c4c4544-0042-3510-8052-b2c04f4b3732",
		CPUVendor: "GenuineIntel", CPUFamily: "6", CPUModel: "140", MemoryBytes: 16 << 30,
		MACs: []string{"3c:7c:3f:12:34:56"}, DiskSerial: "S4EWNX0R123456"}
}

// fakeProgram writes a script that records the license file it was given.
func fakeProgram(t *testing.T) (prog, out string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake program is a shell script")
	}
	dir := t.TempDir()
	prog, out = filepath.Join(dir, "eberick"), filepath.Join(dir, "ran.txt")
	require.NoError(t, os.WriteFile(prog, []byte("#!/bin/sh\necho \"$LICDESK_LICENSE_FILE\" > "+out+"\n"), 0o755))
	return prog, out
}

func TestAssignedLocalStateAndLaunch(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	as := r.app.Assigned
	require.NotEmpty(t, as.List.rows.items)
	product := "Eberick"
	assert.Contains(t, as.State(product), "Valid", "signing in installed the lease of every product assigned")
	as.List.list.Select(0)
	require.False(t, as.LaunchBtn.Disabled())

	// No program yet: Launch says how to set one.
	as.Launch(product)
	assert.Contains(t, as.Message.Text, "Set program")

	// A file that is not executable is refused.
	plain := filepath.Join(t.TempDir(), "readme.txt")
	require.NoError(t, os.WriteFile(plain, []byte("x"), 0o644))
	as.SetProgram(product, plain)
	assert.Contains(t, as.Message.Text, "not an executable")

	// Launch renews the lease, checks it and starts the program with
	// LICDESK_LICENSE_FILE set.
	prog, out := fakeProgram(t)
	as.SetProgram(product, prog)
	assert.Contains(t, as.Message.Text, "now launches")
	stored, err := r.app.sess.d.Program(context.Background(), product)
	require.NoError(t, err)
	assert.Equal(t, prog, stored, "stored like licdesk launch --set-program")
	as.Launch(product)
	assert.Contains(t, as.Message.Text, "Started eberick")
	got, err := os.ReadFile(out)
	require.NoError(t, err, "the program ran")
	st, err := r.app.licenseStore()
	require.NoError(t, err)
	path, err := st.LicensePath(product)
	require.NoError(t, err)
	assert.Equal(t, path+"\n", string(got))
	assert.Contains(t, as.State(product), "Valid", "the tab shows the local state")

	// The license gone from this machine and the portal gone: no start,
	// and the message says what to do.
	r.portal.Stop()
	require.NoError(t, st.Remove(context.Background(), product))
	require.NoError(t, os.Remove(out))
	as.Launch(product)
	assert.Contains(t, as.Message.Text, "cannot start on this machine")
	assert.Contains(t, as.Message.Text, "What to do")
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err), "the program did not run")
	assert.Equal(t, "Needs activation", as.State(product))
}

// issueKey gives ana's account a one-machine CAD Studio key and syncs it in.
func (r *rig) issueKey() core.Key {
	r.t.Helper()
	acct := r.app.sess.accountID(context.Background())
	require.NotEmpty(r.t, acct)
	key, err := r.portal.Store.IssueKey(context.Background(), acct, store.KeySpec{Product: "CAD Studio",
		Edition: core.EditionProfessional, Modules: []string{"render"}, Capacity: 1, Months: 12})
	require.NoError(r.t, err)
	r.app.SyncNow()
	return key
}

func TestOfflineActivationStory(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	ks := r.app.Keys
	key := r.issueKey()
	dir := t.TempDir()
	req, resp, receipt := filepath.Join(dir, "req.txt"), filepath.Join(dir, "resp.txt"), filepath.Join(dir, "receipt.txt")
	assert.Contains(t, ks.Machine.Text, "no key activated here")
	assert.NotContains(t, ks.Machine.Text, "none yet", "the portal's keys are pinned at sign-in")

	// 1. The request: a file, its QR code on screen and as a PNG beside it.
	ks.WriteRequest(string(key), req)
	assert.Contains(t, ks.FlowStep.Text, "Request written to "+req)
	require.NotNil(t, ks.QR.Image, "the QR code shows")
	assert.True(t, ks.QR.Visible())
	assert.Greater(t, ks.QR.Image.Bounds().Dx(), 20)
	png, err := os.ReadFile(filepath.Join(dir, "req.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	assert.Contains(t, ks.Machine.Text, "waiting for its response")

	// A response that is not one: a clear refusal, nothing installed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.txt"), []byte("hello"), 0o644))
	ks.ImportResponse(filepath.Join(dir, "junk.txt"))
	assert.Contains(t, ks.FlowResult.Text, "Not activated")

	// 2. A logged-in machine answers it (here the same login).
	ks.Fulfil(req, resp)
	assert.Contains(t, ks.Message.Text, "Response written to "+resp, ks.Message.Text)

	// 3. The response imported: activated, bound to this machine.
	ks.ImportResponse(resp)
	assert.Contains(t, ks.FlowResult.Text, "CAD Studio Professional (render) is activated on this machine (offline)")
	assert.Contains(t, ks.Machine.Text, "CAD Studio, key "+string(key))
	assert.Contains(t, ks.Machine.Text, "bound to this machine")
	res, err := r.app.sess.d.Check(context.Background(), "CAD Studio", "")
	require.NoError(t, err)
	assert.True(t, res.OK, "%+v", res.Reasons)

	// The hardware changes, the system disk kept (a strong component still
	// matches, so it is this machine changed, not another one): the grace
	// countdown shows.
	r.hw.MachineID, r.hw.BoardUUID = "ffffffffffffffffffffffffffffffff", ""
	r.hw.MACs = []string{"02:00:00:00:00:01"}
	r.hw.CPUModel, r.hw.MemoryBytes = "99", 8<<30
	r.app.Refresh()
	assert.Contains(t, ks.Machine.Text, "hardware changed")
	assert.Contains(t, ks.Machine.Text, "7 days")
	*r.hw = *laptop()

	// Deactivate with a receipt: the license is gone here.
	ks.Deactivate("CAD Studio", receipt)
	assert.Contains(t, ks.Message.Text, "deactivated on this machine")
	b, err := os.ReadFile(receipt)
	require.NoError(t, err)
	assert.NotEmpty(t, b)
	assert.Contains(t, ks.Machine.Text, "no key activated here")
}

func TestActivateOnlineAndDeactivate(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	ks := r.app.Keys
	key := r.issueKey()
	ks.ActivateOnline(string(key), "ana-laptop")
	assert.Contains(t, ks.Message.Text, "CAD Studio Professional (render) is activated on this machine (online)", ks.Message.Text)
	assert.Contains(t, ks.Machine.Text, "bound to this machine")
	var got api.Key
	for _, k := range ks.List.rows.items {
		if k.Key == string(key) {
			got = k
		}
	}
	assert.Equal(t, 1, got.ActiveActivations, "the key list shows the activation after the sync")

	// Offline, online deactivation is refused with what to do instead.
	r.app.offline = true
	ks.Deactivate("CAD Studio", "")
	assert.Contains(t, ks.Message.Text, "write a receipt instead")
	r.app.offline = false
	ks.Deactivate("CAD Studio", "")
	assert.Contains(t, ks.Message.Text, "its key may be activated elsewhere", ks.Message.Text)
	assert.Contains(t, ks.Machine.Text, "no key activated here")
}

func TestAssigned_LaunchOnAnotherOwnersRowAdoptsItFirst(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	as := r.app.Assigned
	prog, out := fakeProgram(t)
	as.SetProgram("Eberick", prog)
	var other assignedRow
	for _, row := range as.List.rows.items {
		if row.Product == "Eberick" && !row.Effective {
			other = row
		}
	}
	require.NotEmpty(t, other.LicenseID, "ana holds Eberick from a second owner")
	require.True(t, as.List.selectWhere(func(x assignedRow) bool { return x.LicenseID == other.LicenseID }))
	assert.Equal(t, "Adopt and launch", as.LaunchBtn.Text, "the button says what it will do")

	test.Tap(as.LaunchBtn)
	_, err := os.ReadFile(out)
	require.NoError(t, err, "the program ran")
	res, err := r.app.sess.d.Check(context.Background(), "Eberick", "")
	require.NoError(t, err)
	require.NotNil(t, res.License)
	assert.Equal(t, other.LicenseID, res.License.LicenseID, "it runs with the row's license")
	require.True(t, as.List.selectWhere(func(x assignedRow) bool { return x.LicenseID == other.LicenseID }))
	cur, _ := as.List.current()
	assert.True(t, cur.Adopted)
	assert.Equal(t, "Launch", as.LaunchBtn.Text)
	assert.Contains(t, as.Message.Text, "Started ")
	assert.Contains(t, as.Message.Text, "the license of "+other.OwnerName, "the message names the owner")
	for _, text := range []string{as.Message.Text, as.details.Text} {
		assert.NotContains(t, text, other.LicenseID, "no license ID on screen")
		assert.NotContains(t, text, "lic_")
	}
}

func TestReasonText_WordsTheCheckWithoutTheLicenseID(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	lic := &licensefile.Payload{LicenseID: "lic_abc123", Product: "Eberick", Owner: "Beta Projetos",
		Expiry: now.Add(8 * 24 * time.Hour), LeaseEnd: now.Add(18 * 24 * time.Hour), Kind: licensefile.KindLease}
	a := &App{l: i18n.English()}
	for _, c := range []struct {
		code machine.Code
		want string
	}{
		{machine.CodeExpiringSoon, "The license expires in 8 days (" + a.day(lic.Expiry) + "): ask its owner to renew it."},
		{machine.CodeLeaseEnded, "Its offline lease ended on " + a.day(lic.LeaseEnd) + ": connect and sync to renew it."},
		{machine.CodeStateMissing, "connect and sync to rebuild them"},
	} {
		got := a.reasonWords(machine.Reason{Code: c.code, Message: "license lic_abc123 for Eberick ..."}, lic, now)
		assert.Contains(t, got, c.want, c.code)
		assert.NotContains(t, got, "lic_abc123", c.code)
	}
	assert.Equal(t, "the license of Beta Projetos (offline lease until "+a.day(lic.LeaseEnd)+")", a.licenseFrom(lic))
	pt := &App{l: i18n.New(language.BrazilianPortuguese)}
	assert.Equal(t, "A solução vence em 8 dias ("+pt.day(lic.Expiry)+"): peça ao proprietário que a renove.",
		pt.reasonWords(machine.Reason{Code: machine.CodeExpiringSoon}, lic, now))
}

func TestKeys_AnActivationOnAnotherMachineIsFreedFromTheWindow(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	ks := r.app.Keys
	var ac api.Activation
	require.True(t, ks.List.selectWhere(func(k api.Key) bool {
		for _, a := range k.Activations {
			if a.State == "active" && a.Machine == "print-srv-01" {
				ac = a
				return true
			}
		}
		return false
	}), "a key of ana's is active on print-srv-01")
	ks.FreeActivation(ac)
	assert.Contains(t, ks.Message.Text, `is freed`)
	require.True(t, ks.List.selectWhere(func(k api.Key) bool { return k.Key == ac.Key }))
	k, _ := ks.List.current()
	assert.Zero(t, k.ActiveActivations, "the portal freed it")
}
