package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func ev(action string) Event { return Event{At: t0, Actor: owner, Action: action, Subject: "L1"} }

func TestAuditLog_AppendReturnsANewLogAndLeavesTheOldOneIntact(t *testing.T) {
	var empty AuditLog
	one := empty.Append(ev(AuditSeatAssign))
	two := one.Append(ev(AuditSeatRemove), ev(AuditSeatReassign))
	branch := one.Append(ev(AuditAdoptionAdopt))

	assert.Equal(t, 0, empty.Len())
	assert.Empty(t, empty.Events())
	assert.Equal(t, []Event{ev(AuditSeatAssign)}, one.Events())
	assert.Equal(t, []Event{ev(AuditSeatAssign), ev(AuditSeatRemove), ev(AuditSeatReassign)}, two.Events())
	assert.Equal(t, 3, two.Len())
	assert.Equal(t, []Event{ev(AuditSeatAssign), ev(AuditAdoptionAdopt)}, branch.Events(), "appending to an old log does not disturb a newer one")
	assert.Equal(t, 3, two.Len())
}

func TestAuditLog_EventsIsACopy(t *testing.T) {
	l := AuditLog{}.Append(ev(AuditSeatAssign))
	es := l.Events()
	es[0].Action = "tampered"
	assert.Equal(t, AuditSeatAssign, l.Events()[0].Action)
}

func TestEvent_StringIsOneReadableLine(t *testing.T) {
	e := Event{At: time.Date(2025, 3, 10, 11, 30, 0, 0, time.FixedZone("BRT", -3*3600)), Actor: owner, Action: AuditSeatAssign, Subject: "L1", Before: "S1 available", After: "S1 assigned bob@x.com"}
	assert.Equal(t, "2025-03-10T14:30:00Z owner@acme.com seat.assign L1: S1 available -> S1 assigned bob@x.com", e.String())
	assert.Equal(t, "0001-01-01T00:00:00Z - x.y S: - -> -", Event{Action: "x.y", Subject: "S"}.String())
}

func TestAuditActions_AreDistinctDottedNames(t *testing.T) {
	actions := []string{AuditSeatAssign, AuditSeatRemove, AuditSeatReassign, AuditSeatActivatePending, AuditAdoptionAdopt, AuditAdoptionFallback,
		AuditActivate, AuditDeactivate, AuditGraceStart, AuditGraceEnd, AuditOrderAssign, AuditIntegrationProduct, AuditIntegrationExternal, AuditIntegrationUser}
	seen := map[string]bool{}
	for _, a := range actions {
		assert.Regexp(t, `^[a-z]+\.[a-z_]+$`, a)
		assert.False(t, seen[a], a)
		seen[a] = true
	}
}
