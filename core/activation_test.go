package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = Key("LIC-795NR-VBYHY-8A3CP-3TKJZ-C1RRP")

func machine() Fingerprint {
	return Fingerprint{"cpu": "c1", "board": "b1", "disk": "d1", "mac": "m1"}
}

func moved() Fingerprint {
	return Fingerprint{"cpu": "c9", "board": "b9", "disk": "d9", "mac": "m1"}
}

func at(d time.Duration) By { return By{Actor: owner, At: t0.Add(d)} }

func activated(t *testing.T) Activation {
	t.Helper()
	a, _, err := Activate(by(), "A1", testKey, machine())
	require.NoError(t, err)
	return a
}

func TestActivate_BindsTheKeyToTheFingerprint(t *testing.T) {
	fp := machine()
	a, ev, err := Activate(by(), "A1", "lic-795nr-vbyhy-8a3cp-3tkjz-c1rrp", fp)
	require.NoError(t, err)
	assert.Equal(t, Activation{ID: "A1", Key: testKey, Bound: machine(), ActivatedAt: t0}, a)
	assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditActivate, Subject: "A1", After: "active on " + string(testKey)}, ev)
	fp["cpu"] = "changed"
	assert.Equal(t, "c1", a.Bound["cpu"], "the activation keeps its own copy of the fingerprint")
}

func TestActivate_RefusesBadKeysIDsAndUnreadableMachines(t *testing.T) {
	_, _, err := Activate(by(), "A1", "LIC-nope", machine())
	assert.Equal(t, CodeKeyFormat, CodeOf(err))
	_, _, err = Activate(by(), "", testKey, machine())
	assert.Equal(t, CodeActivationInvalid, CodeOf(err))
	_, _, err = Activate(by(), "A1", testKey, Fingerprint{"cpu": ""})
	assert.Equal(t, CodeActivationFingerprint, CodeOf(err))
}

func TestCheck_MatchingMachineStaysActiveAndRecordsNothing(t *testing.T) {
	a := activated(t)
	got, st, events := a.Check(at(Day), machine())
	assert.Equal(t, a, got)
	assert.Equal(t, ActivationActive, st.State)
	assert.Equal(t, Match{Matched: 4, Known: 4, StrongMatched: 3, OK: true}, st.Match)
	assert.Empty(t, events)
	assert.NoError(t, st.Err())
}

func TestCheck_MismatchStartsSevenDaysOfGraceThenInvalid(t *testing.T) {
	a := activated(t)
	a, st, events := a.Check(at(time.Hour), moved())
	assert.Equal(t, t0.Add(time.Hour), a.GraceSince)
	assert.Equal(t, ActivationGrace, st.State)
	assert.Equal(t, 7, st.DaysLeft)
	assert.NoError(t, st.Err(), "the program runs during grace")
	require.Len(t, events, 1)
	assert.Equal(t, Event{At: t0.Add(time.Hour), Actor: owner, Action: AuditGraceStart, Subject: "A1", Before: "active", After: "grace: 1 of 4 components match"}, events[0])

	a2, st, events := a.Check(at(time.Hour+7*Day-ns), moved())
	assert.Equal(t, a, a2, "the grace period does not restart")
	assert.Equal(t, ActivationGrace, st.State)
	assert.Equal(t, 1, st.DaysLeft)
	assert.Empty(t, events)

	_, st, events = a.Check(at(time.Hour+7*Day), moved())
	assert.Equal(t, ActivationInvalid, st.State)
	assert.Equal(t, 0, st.DaysLeft)
	assert.Empty(t, events)
	assert.Equal(t, Expired, KindOf(st.Err()))
	assert.Equal(t, CodeActivationGraceExpired, CodeOf(st.Err()))
	assert.Equal(t, ActionReactivate, st.State.Action())
}

func TestCheck_MatchingAgainEndsGrace(t *testing.T) {
	a := activated(t)
	a, _, _ = a.Check(at(Day), moved())
	got, st, events := a.Check(at(2*Day), machine())
	assert.True(t, got.GraceSince.IsZero())
	assert.Equal(t, ActivationActive, st.State)
	require.Len(t, events, 1)
	assert.Equal(t, AuditGraceEnd, events[0].Action)
	assert.Contains(t, events[0].Before, "grace since")
}

func TestReactivate_BindsTheNewMachineAndEndsGrace(t *testing.T) {
	a := activated(t)
	a, _, _ = a.Check(at(Day), moved())
	_, st, _ := a.Check(at(9*Day), moved())
	require.Equal(t, ActivationInvalid, st.State)

	got, ev, err := a.Reactivate(at(9*Day), moved())
	require.NoError(t, err)
	assert.Equal(t, moved(), got.Bound)
	assert.True(t, got.GraceSince.IsZero())
	assert.Equal(t, t0.Add(9*Day), got.ActivatedAt)
	assert.Equal(t, AuditActivate, ev.Action)
	assert.Contains(t, ev.Before, "invalid since")
	assert.Equal(t, "active", ev.After)
	_, st, _ = got.Check(at(10*Day), moved())
	assert.Equal(t, ActivationActive, st.State)

	_, _, err = a.Reactivate(at(9*Day), Fingerprint{})
	assert.Equal(t, CodeActivationFingerprint, CodeOf(err))
}

func TestDeactivate_ReleasesOnceAndBlocksTheProgram(t *testing.T) {
	a := activated(t)
	got, ev, err := a.Deactivate(at(Day))
	require.NoError(t, err)
	assert.True(t, got.Deactivated)
	assert.Equal(t, Event{At: t0.Add(Day), Actor: owner, Action: AuditDeactivate, Subject: "A1", Before: "active", After: "deactivated"}, ev)
	assert.False(t, a.Deactivated, "the input is not changed")

	_, _, err = got.Deactivate(at(Day))
	assert.Equal(t, CodeActivationInactive, CodeOf(err))
	_, _, err = got.Reactivate(at(Day), machine())
	assert.Equal(t, CodeActivationInactive, CodeOf(err))

	_, st, events := got.Check(at(Day), machine())
	assert.Equal(t, ActivationDeactivated, st.State)
	assert.Empty(t, events)
	assert.Equal(t, CodeActivationInactive, CodeOf(st.Err()))
	assert.Equal(t, ActionActivate, st.State.Action())
}

func TestActivationState_StringAndAction(t *testing.T) {
	assert.Equal(t, ActionNone, ActivationActive.Action())
	assert.Equal(t, ActionReactivate, ActivationGrace.Action())
	assert.Equal(t, "grace", ActivationGrace.String())
	assert.Equal(t, "ActivationState(9)", ActivationState(9).String())
}

func TestCheck_AnotherMachineIsRefusedAtOnceWithoutGrace(t *testing.T) {
	a := activated(t)
	twin := Fingerprint{"cpu": "c1", "board": "b9", "disk": "d9", "mac": "m9"}
	got, st, events := a.Check(at(Day), twin)
	assert.Equal(t, a, got, "no grace starts")
	assert.Equal(t, ActivationOtherMachine, st.State)
	assert.Empty(t, events)
	assert.Equal(t, CodeActivationOtherMachine, CodeOf(st.Err()))
	assert.Equal(t, ActionReactivate, st.State.Action())
}

func TestRebind_OnlyTheSameMachineAndAtMostThreeTimesInThirtyDays(t *testing.T) {
	a := activated(t)
	newDisk := Fingerprint{"cpu": "c1", "board": "b1", "disk": "d2", "mac": "m1"}
	got, ev, err := a.Rebind(at(Day), newDisk, MaxRebinds-1)
	require.NoError(t, err)
	assert.Equal(t, newDisk, got.Bound)
	assert.Equal(t, AuditRebind, ev.Action)
	assert.Contains(t, ev.After, "3 of 4 known components match, 2 of them strong")

	_, _, err = a.Rebind(at(Day), newDisk, MaxRebinds)
	assert.Equal(t, CodeActivationRebindLimit, CodeOf(err))
	assert.Equal(t, Conflict, KindOf(err))

	onlyCPU := Fingerprint{"cpu": "c1"}
	_, _, err = a.Rebind(at(Day), onlyCPU, 0)
	assert.Equal(t, CodeActivationOtherMachine, CodeOf(err), "the crafted re-bind of issue 11")

	gone, _, err := a.Deactivate(at(Day))
	require.NoError(t, err)
	_, _, err = gone.Rebind(at(Day), newDisk, 0)
	assert.Equal(t, CodeActivationInactive, CodeOf(err))
}
