package core

import (
	"strings"
	"time"
)

// By says who performs a transition and when, so that the Event it causes
// can be stamped without core reading a clock. Grouping the two also keeps
// the actor's address from being swapped with the assignee's in a long
// argument list.
type By struct {
	Actor Email
	At    time.Time
}

// The audit actions. They are stored and shown to owners, so like error
// codes they never change once published.
const (
	AuditSeatAssign          = "seat.assign"
	AuditSeatRemove          = "seat.remove"
	AuditSeatReassign        = "seat.reassign"
	AuditSeatActivatePending = "seat.activate_pending"
	AuditAdoptionAdopt       = "adoption.adopt"
	AuditAdoptionFallback    = "adoption.fallback"
	AuditActivate            = "activation.activate"
	AuditRebind              = "activation.rebind"
	AuditDeactivate          = "activation.deactivate"
	AuditGraceStart          = "activation.grace_start"
	AuditGraceEnd            = "activation.grace_end"
	AuditOrderAssign         = "order.assign"
	AuditIntegrationProduct  = "integration.product"
	AuditIntegrationExternal = "integration.external_controller"
	AuditIntegrationUser     = "integration.user"
)

// Event is one line of the audit trail: who did what to which license, key
// or activation, and the state before and after, as short readable text so
// that the trail stays legible without the code that wrote it.
type Event struct {
	At      time.Time
	Actor   Email
	Action  string // one of the Audit* constants
	Subject string // license ID, key, activation ID, order ID, account/product
	Before  string
	After   string
}

// newEvent stamps an event from By, the one place events are built.
func newEvent(by By, action, subject, before, after string) Event {
	return Event{At: by.At, Actor: by.Actor, Action: action, Subject: subject, Before: before, After: after}
}

// String renders the event on one line, for the command line and logs.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString(e.At.UTC().Format(time.RFC3339))
	b.WriteString(" ")
	if e.Actor == "" {
		b.WriteString("-")
	} else {
		b.WriteString(string(e.Actor))
	}
	b.WriteString(" " + e.Action + " " + e.Subject + ": ")
	b.WriteString(orDash(e.Before) + " -> " + orDash(e.After))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// AuditLog is an append-only audit trail held as a value. It has no way to
// change or delete an entry: Append returns a new log and leaves the old one
// intact, so a log handed to someone can never be rewritten behind their
// back. Entries are shared between logs as a persistent list, so Append is
// constant time however long the trail. The zero value is an empty log.
type AuditLog struct {
	last *auditNode
	n    int
}

type auditNode struct {
	e    Event
	prev *auditNode
}

// Append returns a log with events added after the existing ones, in order.
func (l AuditLog) Append(events ...Event) AuditLog {
	for _, e := range events {
		l.last = &auditNode{e: e, prev: l.last}
		l.n++
	}
	return l
}

// Len is the number of events in the log.
func (l AuditLog) Len() int { return l.n }

// Events returns a copy of the events, oldest first; changing the copy does
// not change the log.
func (l AuditLog) Events() []Event {
	out := make([]Event, l.n)
	i := l.n - 1
	for nd := l.last; nd != nil; nd = nd.prev {
		out[i] = nd.e
		i--
	}
	return out
}
