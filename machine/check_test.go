package machine_test

import (
	"context"
	"encoding/json"
	"fmt"
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

func TestCheck_ValidFilesPass(t *testing.T) {
	tests := []struct {
		name    string
		payload licensefile.Payload
		fp      core.Fingerprint
		module  string
	}{
		{"node-locked activation on its machine", nodeLocked(), here(), "render"},
		{"node-locked with one part replaced", nodeLocked(), changed(1), ""},
		{"node-locked with exactly half the parts replaced", nodeLocked(), changed(3), "cam"},
		{"node-locked with unreadable components", nodeLocked(), core.Fingerprint{"machine_id": "a1", "cpu": "c1"}, ""},
		{"cloud-login lease", lease(), here(), "render"},
		{"perpetual license", func() licensefile.Payload {
			p := lease()
			p.Kind, p.Expiry, p.LeaseEnd = licensefile.KindLicense, time.Time{}, time.Time{}
			return p
		}(), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _ := installed(t, tt.payload)
			res := check(t, st, t0, tt.fp, machine.CheckOptions{Module: tt.module})
			assert.True(t, res.OK, "%v", res.Reasons)
			assert.Empty(t, res.Reasons)
			assert.Empty(t, res.Warnings)
			assert.NoError(t, res.Err())
			require.NotNil(t, res.License)
			assert.Equal(t, tt.payload.LicenseID, res.License.LicenseID)
			path, _ := st.LicensePath(product)
			assert.Equal(t, path, res.Path)
		})
	}
}

func TestCheck_EveryRefusalHasItsCodeAndActionAndChangesOnlyWhatIsDocumented(t *testing.T) {
	type setup struct {
		st  *machine.Store
		now time.Time
		fp  core.Fingerprint
		opt machine.CheckOptions
	}
	tests := []struct {
		name       string
		setup      func(t *testing.T) setup
		want       []machine.Code
		action     machine.Action
		mayChange  []string // files a refusal may write (the clock mark, the grace start)
		wantInText string
	}{
		{
			name:   "no license file: not activated",
			setup:  func(t *testing.T) setup { st, _ := newStore(t); return setup{st: st, now: t0, fp: here()} },
			want:   []machine.Code{machine.CodeNotActivated},
			action: machine.ActionActivate, wantInText: "licdesk activate",
		},
		{
			name: "a byte changed: signature",
			setup: func(t *testing.T) setup {
				st, _, file := installed(t, nodeLocked())
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, flipByte(file), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeSignature}, action: machine.ActionReactivate, wantInText: "altered",
		},
		{
			name: "truncated file: signature",
			setup: func(t *testing.T) setup {
				st, _, file := installed(t, nodeLocked())
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, file[:len(file)/2], 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeSignature}, action: machine.ActionReactivate,
		},
		{
			name: "oversized file: signature",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, make([]byte, 1<<20), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeSignature}, wantInText: "too large",
		},
		{
			name: "signed by a key this machine does not trust: signature",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, sign(t, signer(t, "mallory"), nodeLocked()), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeSignature}, action: machine.ActionTrust, wantInText: "does not trust",
		},
		{
			name: "a profile that trusts no key: signature",
			setup: func(t *testing.T) setup {
				st, err := openStore(t, t.TempDir()), error(nil)
				require.NoError(t, err)
				path, _ := st.LicensePath(product)
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
				require.NoError(t, os.WriteFile(path, sign(t, signer(t, "portal"), nodeLocked()), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeSignature}, action: machine.ActionTrust, wantInText: "trust add",
		},
		{
			name: "a file for another product: not activated",
			setup: func(t *testing.T) setup {
				st, portal, _ := installed(t, nodeLocked())
				p := nodeLocked()
				p.Product = "Other Product"
				other := filepath.Join(t.TempDir(), "other.lic")
				require.NoError(t, os.WriteFile(other, sign(t, portal, p), 0o600))
				return setup{st: st, now: t0, fp: here(), opt: machine.CheckOptions{File: other}}
			},
			want: []machine.Code{machine.CodeNotActivated}, wantInText: "Other Product",
		},
		{
			name: "expired",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				return setup{st: st, now: t0.AddDate(1, 0, core.WarnDays), fp: here()}
			},
			want:      []machine.Code{machine.CodeExpired},
			action:    machine.ActionRenew,
			mayChange: []string{"state.json"}, wantInText: "expired",
		},
		{
			name: "offline lease ended",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, lease())
				return setup{st: st, now: t0.AddDate(0, 0, 31), fp: here()}
			},
			want:      []machine.Code{machine.CodeLeaseEnded},
			action:    machine.ActionRenew,
			mayChange: []string{"state.json"}, wantInText: "licdesk sync",
		},
		{
			name: "module missing from a cloud-login lease: adopt another",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, lease())
				return setup{st: st, now: t0, fp: here(), opt: machine.CheckOptions{Module: "export-dwg"}}
			},
			want: []machine.Code{machine.CodeModuleMissing}, action: machine.ActionAdopt,
			mayChange: []string{"state.json"}, wantInText: "licdesk adopt",
		},
		{
			name: "module missing from an activation: activate another key",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				return setup{st: st, now: t0, fp: here(), opt: machine.CheckOptions{Module: "export-dwg"}}
			},
			want: []machine.Code{machine.CodeModuleMissing}, action: machine.ActionActivate,
			mayChange: []string{"state.json"}, wantInText: "export-dwg",
		},
		{
			name: "hardware changed, beyond grace: hardware changed",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				// The first check after the change starts the grace...
				check(t, st, t0, changed(4), machine.CheckOptions{})
				// ...which is over a week later.
				return setup{st: st, now: t0.Add(core.GraceDays * core.Day), fp: changed(4)}
			},
			want: []machine.Code{machine.CodeHardwareChanged}, action: machine.ActionReactivate,
			mayChange: []string{"state.json"}, wantInText: "hardware changed and grace over",
		},
		{
			// Issue 11: another machine's file was accepted for 7 days, as
			// if the hardware had changed.
			name: "another machine's file: refused at once, no grace",
			setup: func(t *testing.T) setup {
				st, portal, _ := installed(t, nodeLocked())
				p := nodeLocked()
				p.Fingerprint = elsewhere()
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, sign(t, portal, p), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeOtherMachine}, action: machine.ActionActivate,
			mayChange: []string{"state.json"}, wantInText: "belongs to another machine",
		},
		{
			// Issue 11: a twin with the same CPU model and memory size
			// matched 2 of 2 "known" components.
			name: "a twin machine sharing only CPU and memory: refused at once",
			setup: func(t *testing.T) setup {
				st, portal, _ := installed(t, nodeLocked())
				p := nodeLocked()
				p.Fingerprint = core.Fingerprint{"machine_id": "a9", "board": "b9", "cpu": "c1", "memory": "d1", "mac": "e9", "disk": "f9"}
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, sign(t, portal, p), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeOtherMachine}, action: machine.ActionActivate,
			mayChange: []string{"state.json"}, wantInText: "belongs to another machine",
		},
		{
			name: "clock set back before the latest time seen",
			setup: func(t *testing.T) setup {
				st, _, _ := installed(t, nodeLocked())
				check(t, st, t0.AddDate(0, 0, 10), here(), machine.CheckOptions{})
				return setup{st: st, now: t0.AddDate(0, 0, 2), fp: here()}
			},
			want: []machine.Code{machine.CodeClockSetBack}, action: machine.ActionFixClock,
			wantInText: "the system clock was set back to 2026-03-03T12:00:00Z; the latest trusted time seen is 2026-03-11T12:00:00Z",
		},
		{
			name: "file issued 6 minutes in the future: not yet valid",
			setup: func(t *testing.T) setup {
				st, portal, _ := installed(t, nodeLocked())
				p := nodeLocked()
				p.Issued = t0.Add(6 * time.Minute)
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, sign(t, portal, p), 0o600))
				return setup{st: st, now: t0, fp: here()}
			},
			want: []machine.Code{machine.CodeNotYetValid}, action: machine.ActionFixClock, wantInText: "correct the clock",
		},
		{
			name: "several failures at once: one reason each",
			setup: func(t *testing.T) setup {
				st, portal, _ := installed(t, nodeLocked())
				p := nodeLocked()
				p.Fingerprint = elsewhere()
				path, _ := st.LicensePath(product)
				require.NoError(t, os.WriteFile(path, sign(t, portal, p), 0o600))
				return setup{st: st, now: t0.AddDate(1, 0, core.WarnDays), fp: here(), opt: machine.CheckOptions{Module: "export-dwg"}}
			},
			want:      []machine.Code{machine.CodeExpired, machine.CodeModuleMissing, machine.CodeOtherMachine},
			mayChange: []string{"state.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.setup(t)
			before := snapshot(t, s.st.Dir())
			res := check(t, s.st, s.now, s.fp, s.opt)
			assert.False(t, res.OK)
			assert.Equal(t, tt.want, codes(res.Reasons))
			if tt.action != "" {
				assert.Equal(t, tt.action, res.Reasons[0].Action)
			}
			if tt.wantInText != "" {
				assert.Contains(t, res.Reasons[0].Message, tt.wantInText)
			}
			var refusal *machine.Refusal
			require.ErrorAs(t, res.Err(), &refusal)
			assert.True(t, refusal.Has(tt.want[0]))

			after := snapshot(t, s.st.Dir())
			for _, f := range tt.mayChange {
				delete(before, f)
				delete(after, f)
			}
			assert.Equal(t, before, after, "a refusal changes nothing but %v", tt.mayChange)

			// The same check again gives the same answer: refusals are stable.
			again := check(t, s.st, s.now, s.fp, s.opt)
			assert.Equal(t, codes(res.Reasons), codes(again.Reasons))
		})
	}
}

func TestCheck_HardwareChangeGivesSevenDaysOfGraceCountedFromTheFirstMismatch(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	moved := changed(4) // 2 of 6 components still match: a weak match
	first := t0.Add(2 * time.Hour)

	steps := []struct {
		at       time.Time
		ok       bool
		daysLeft int
	}{
		{first, true, 7},
		{first.Add(12 * time.Hour), true, 7},
		{first.Add(3 * core.Day), true, 4},
		{first.Add(6*core.Day + 23*time.Hour), true, 1},
		{first.Add(7 * core.Day), false, 0},
		{first.Add(30 * core.Day), false, 0},
	}
	for _, s := range steps {
		res := check(t, st, s.at, moved, machine.CheckOptions{})
		assert.Equal(t, s.ok, res.OK, "at %s", s.at)
		assert.Equal(t, s.daysLeft, res.GraceDaysLeft, "at %s", s.at)
		require.NotNil(t, res.Match)
		assert.Equal(t, core.Match{Matched: 2, Known: 6, StrongMatched: 1}, *res.Match)
		if s.ok {
			require.Equal(t, []machine.Code{machine.CodeHardwareChanged}, codes(res.Warnings))
			assert.Equal(t, machine.ActionReactivate, res.Warnings[0].Action)
			assert.Contains(t, res.Warnings[0].Message, fmt.Sprintf("keeps working %d more day", s.daysLeft))
			assert.Contains(t, res.Warnings[0].Message, "until 2026-03-08T14:00:00Z")
			assert.Equal(t, first.Add(7*core.Day), res.GraceEnds)
		} else {
			assert.Equal(t, []machine.Code{machine.CodeHardwareChanged}, codes(res.Reasons))
		}
	}
}

func TestCheck_PuttingThePartBackEndsTheGrace(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	res := check(t, st, t0.Add(time.Hour), changed(4), machine.CheckOptions{})
	require.Equal(t, 7, res.GraceDaysLeft)

	res = check(t, st, t0.Add(2*core.Day), here(), machine.CheckOptions{})
	assert.True(t, res.OK)
	assert.Empty(t, res.Warnings)
	assert.NotContains(t, readFile(t, filepath.Join(st.Dir(), "state.json")), `"grace"`)

	// A later change starts a fresh grace.
	res = check(t, st, t0.Add(5*core.Day), changed(4), machine.CheckOptions{})
	assert.Equal(t, 7, res.GraceDaysLeft)
}

func TestCheck_ReactivatingEndsTheGrace(t *testing.T) {
	st, portal, _ := installed(t, nodeLocked())
	check(t, st, t0, elsewhere(), machine.CheckOptions{})
	res := check(t, st, t0.Add(8*core.Day), elsewhere(), machine.CheckOptions{})
	require.False(t, res.OK)

	p := nodeLocked()
	p.Fingerprint, p.Issued, p.ActivationID = elsewhere(), t0.Add(8*core.Day), "ACT-2"
	_, err := st.Install(context.Background(), sign(t, portal, p), t0.Add(8*core.Day), elsewhere())
	require.NoError(t, err)
	res = check(t, st, t0.Add(8*core.Day+time.Hour), elsewhere(), machine.CheckOptions{})
	assert.True(t, res.OK)
	assert.Empty(t, res.Warnings)
}

func TestCheck_ClockSetBackWithinTheSkewIsTolerated(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	check(t, st, t0.AddDate(0, 0, 1), here(), machine.CheckOptions{})
	res := check(t, st, t0.AddDate(0, 0, 1).Add(-4*time.Minute), here(), machine.CheckOptions{})
	assert.True(t, res.OK, "%v", res.Reasons)
	res = check(t, st, t0.AddDate(0, 0, 1).Add(-6*time.Minute), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeClockSetBack}, codes(res.Reasons))
}

func TestInstall_ClockSetBackBeforeTheFilesIssueTimeIsRefusedWithNoMarkYet(t *testing.T) {
	st, portal := newStore(t)
	p := nodeLocked()
	p.Issued = t0
	file := sign(t, portal, p)
	_, err := st.Install(context.Background(), file, t0.Add(-time.Hour), here())
	var r *machine.Reason
	require.ErrorAs(t, err, &r)
	assert.Equal(t, machine.CodeNotYetValid, r.Code)
	_, err = st.Install(context.Background(), file, t0.Add(4*time.Minute-5*time.Minute), here())
	require.NoError(t, err, "issued up to 5 minutes ahead of the clock is tolerated")
	res := check(t, st, t0.Add(-time.Minute), here(), machine.CheckOptions{})
	assert.True(t, res.OK, "%v", res.Reasons)
}

func TestCheck_MarkNeverMovesBackAndFollowsChecksAndIssueTimes(t *testing.T) {
	ctx := context.Background()
	st, _, _ := installed(t, nodeLocked())
	hwm, err := st.HighWater(ctx)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(-30*time.Minute), hwm, "raised by the install")

	check(t, st, t0.AddDate(0, 0, 3), here(), machine.CheckOptions{})
	hwm, _ = st.HighWater(ctx)
	assert.Equal(t, t0.AddDate(0, 0, 3), hwm, "raised by a check")

	check(t, st, t0.AddDate(0, 0, 1), here(), machine.CheckOptions{}) // refused: clock set back
	require.NoError(t, st.Observe(ctx, t0))
	hwm, _ = st.HighWater(ctx)
	assert.Equal(t, t0.AddDate(0, 0, 3), hwm, "never back")

	check(t, st, t0.AddDate(0, 0, 3).Add(30*time.Second), here(), machine.CheckOptions{})
	hwm, _ = st.HighWater(ctx)
	assert.Equal(t, t0.AddDate(0, 0, 3), hwm, "within a minute: not rewritten")
}

func TestCheck_ClockSetBackDoesNotRecordAGraceStart(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	check(t, st, t0.AddDate(0, 0, 10), here(), machine.CheckOptions{})
	res := check(t, st, t0.AddDate(0, 0, 1), changed(4), machine.CheckOptions{})
	assert.Contains(t, codes(res.Reasons), machine.CodeClockSetBack)
	assert.NotContains(t, readFile(t, filepath.Join(st.Dir(), "state.json")), `"grace"`)
	res = check(t, st, t0.AddDate(0, 0, 10).Add(time.Hour), changed(4), machine.CheckOptions{})
	assert.Equal(t, 7, res.GraceDaysLeft, "the grace starts at the first check with a believable clock")
}

func TestCheck_ExpiryWithinTenDaysWarns(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	res := check(t, st, nodeLocked().Expiry.Add(-3*core.Day), here(), machine.CheckOptions{})
	assert.True(t, res.OK)
	assert.Equal(t, []machine.Code{machine.CodeExpiringSoon}, codes(res.Warnings))
	assert.Contains(t, res.Warnings[0].Message, "expires in 3 days")
}

func TestCheck_PinnedKeysReplaceTheProfilesTrust(t *testing.T) {
	st, portal, _ := installed(t, nodeLocked())
	// A user who added their own key to trust.json and signed their own
	// license does not fool a program that pins its vendor's key.
	mallory := signer(t, "mallory")
	_, err := st.Trust(context.Background(), keysOf(mallory))
	require.NoError(t, err)
	forged := nodeLocked()
	forged.Modules = []string{"everything"}
	path, _ := st.LicensePath(product)
	require.NoError(t, os.WriteFile(path, sign(t, mallory, forged), 0o600))

	res := check(t, st, t0, here(), machine.CheckOptions{})
	assert.True(t, res.OK, "the profile trusts mallory now")
	res = check(t, st, t0, here(), machine.CheckOptions{Trusted: keysOf(portal)})
	assert.Equal(t, []machine.Code{machine.CodeSignature}, codes(res.Reasons))
}

func TestCheck_ADamagedStateCopyIsHealedFromTheOtherAndBothDamagedIsTampering(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	check(t, st, t0.AddDate(0, 0, 10), here(), machine.CheckOptions{})
	path := filepath.Join(st.Dir(), "state.json")
	require.NoError(t, os.WriteFile(path, []byte("{}"), 0o600))
	res := check(t, st, t0.AddDate(0, 0, 2), here(), machine.CheckOptions{})
	assert.Equal(t, []machine.Code{machine.CodeClockSetBack}, codes(res.Reasons), "the second copy keeps the mark")
	res = check(t, st, t0.AddDate(0, 0, 11), here(), machine.CheckOptions{})
	assert.True(t, res.OK, "%v", res.Reasons)
	assert.Contains(t, readFile(t, path), `"mac"`, "the damaged copy is written again")
}

func TestCheck_ResultJSONCarriesCodesAndActions(t *testing.T) {
	st, _, _ := installed(t, lease())
	res := check(t, st, t0, here(), machine.CheckOptions{Module: "export-dwg"})
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"ok":false`)
	assert.Contains(t, string(b), `"code":"module_missing","action":"adopt"`)
}

func TestCheckFunction_UsesTheProfileFolder(t *testing.T) {
	st, _, _ := installed(t, nodeLocked())
	res, err := machine.Check(context.Background(), st.Dir(), product, "render", t0, here())
	require.NoError(t, err)
	assert.True(t, res.OK)
	res, err = machine.Check(context.Background(), filepath.Join(t.TempDir(), "missing"), product, "", t0, here())
	require.NoError(t, err)
	assert.Equal(t, []machine.Code{machine.CodeNotActivated}, codes(res.Reasons))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestCheck_AnExpiredSubscriptionRunsOfflineUntilTenDaysAfterItsExpiry(t *testing.T) {
	expiry := nodeLocked().Expiry
	st, _, _ := installed(t, nodeLocked())
	steps := []struct {
		at   time.Time
		ok   bool
		days int
	}{
		{expiry.Add(-time.Second), true, 0},
		{expiry, true, 10},
		{expiry.Add(9*core.Day + time.Hour), true, 1},
		{expiry.Add(10*core.Day - time.Second), true, 1},
		{expiry.Add(10 * core.Day), false, 0},
	}
	for _, s := range steps {
		res := check(t, st, s.at, here(), machine.CheckOptions{})
		assert.Equal(t, s.ok, res.OK, "at %s: %v", s.at, res.Reasons)
		if s.days > 0 {
			require.Contains(t, codes(res.Warnings), machine.CodeOfflineCountdown, "at %s", s.at)
			assert.Contains(t, res.Warnings[len(res.Warnings)-1].Message, fmt.Sprintf("stops in %d day", s.days))
			assert.Contains(t, res.Warnings[len(res.Warnings)-1].Message, stampOf(expiry.Add(10*core.Day)))
		}
		if !s.ok {
			assert.Equal(t, []machine.Code{machine.CodeExpired}, codes(res.Reasons))
		}
	}
}

func stampOf(t time.Time) string { return t.UTC().Format(time.RFC3339) }
