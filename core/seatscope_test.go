package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seatOp is one seat write as both forms take it.
type seatOp struct {
	name       string
	kind       string // assign, remove, reassign
	ref, to    string
	hasAccount bool
}

// refs are what the write names, as the portal looks its seats up.
func (o seatOp) refs() []string {
	switch o.kind {
	case "assign":
		return []string{o.ref}
	case "reassign":
		return []string{o.ref, o.to}
	}
	return []string{o.ref}
}

// whole runs the write on the whole license, the reference form.
func (o seatOp) whole(by By, l License) (License, Event, error) {
	switch o.kind {
	case "assign":
		return l.Assign(by, Email(o.ref), o.hasAccount)
	case "reassign":
		return l.Reassign(by, o.ref, Email(o.to), o.hasAccount)
	}
	return l.Remove(by, o.ref)
}

// scoped runs it on the scope the portal loads.
func (o seatOp) scoped(by By, sc SeatScope) (SeatChange, Event, error) {
	switch o.kind {
	case "assign":
		return sc.Assign(by, Email(o.ref), o.hasAccount)
	case "reassign":
		return sc.Reassign(by, o.ref, Email(o.to), o.hasAccount)
	}
	return sc.Remove(by, o.ref)
}

// requireSameDecision checks that the scoped form decides as the whole
// form: the same refusal, or the same event, the same license after and
// the same e-mails owed.
func requireSameDecision(t *testing.T, l License, o seatOp) {
	t.Helper()
	by := By{Actor: "owner@acme.example", At: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	after, ev, err := o.whole(by, l)
	ch, sev, serr := o.scoped(by, l.ScopeOf(o.refs()...))
	if err != nil {
		require.Error(t, serr, "%s on %v", o.name, l.Seats)
		assert.Equal(t, err.Error(), serr.Error(), "%s on %v", o.name, l.Seats)
		assert.Equal(t, CodeOf(err), CodeOf(serr))
		return
	}
	require.NoError(t, serr, "%s on %v", o.name, l.Seats)
	assert.Equal(t, ev, sev, "%s on %v", o.name, l.Seats)
	assert.Equal(t, after, l.Apply(ch), "%s on %v", o.name, l.Seats)
	assert.Equal(t, SeatNotices(l, after), ch.Notices(l.ID), "%s on %v", o.name, l.Seats)
	assert.Equal(t, lostOf(l, after), nonEmpty(ch.Lost()), "%s: lost", o.name)
	assert.Equal(t, lostOf(after, l), nonEmpty(ch.Gained()), "%s: gained", o.name)
}

// lostOf lists the addresses holding a seat of before and none of after.
func lostOf(before, after License) []Email {
	h := holders(after)
	var out []Email
	for e := range holders(before) {
		if _, ok := h[e]; !ok {
			out = append(out, e)
		}
	}
	return out
}

func nonEmpty(e Email) []Email {
	if e == "" {
		return nil
	}
	return []Email{e}
}

func scopeLicense(seats ...Seat) License {
	return License{ID: "L1", Owner: "acc", Product: "Eberick", OwnerEmail: "owner@acme.example", Seats: seats}
}

func TestSeatScope_DecidesAsTheWholeLicenseDoes(t *testing.T) {
	free := func(id string) Seat { return Seat{ID: id, State: SeatAvailable} }
	held := func(id, e string) Seat { return Seat{ID: id, State: SeatAssigned, Email: Email(e)} }
	pend := func(id, e string) Seat { return Seat{ID: id, State: SeatPending, Email: Email(e)} }
	cases := []struct {
		lic License
		op  seatOp
	}{
		{scopeLicense(free("s1"), free("s2")), seatOp{name: "assign takes the first free seat", kind: "assign", ref: "ana@x.example", hasAccount: true}},
		{scopeLicense(held("s1", "bo@x.example"), free("s2")), seatOp{name: "assign without an account is pending", kind: "assign", ref: "Ana@X.example"}},
		{scopeLicense(held("s1", "ana@x.example"), free("s2")), seatOp{name: "assign twice is refused", kind: "assign", ref: "ana@x.example"}},
		{scopeLicense(pend("s1", "ana@x.example"), free("s2")), seatOp{name: "assign over a pending seat is refused", kind: "assign", ref: "ana@x.example"}},
		{scopeLicense(held("s1", "bo@x.example")), seatOp{name: "assign to a full license is refused", kind: "assign", ref: "ana@x.example"}},
		{scopeLicense(), seatOp{name: "assign on no seats is refused", kind: "assign", ref: "ana@x.example"}},
		{scopeLicense(free("s1")), seatOp{name: "assign a malformed address is refused", kind: "assign", ref: "not-an-address"}},
		{scopeLicense(held("s1", "ana@x.example"), free("s2")), seatOp{name: "remove by address", kind: "remove", ref: "ana@x.example"}},
		{scopeLicense(held("s1", "ana@x.example"), free("s2")), seatOp{name: "remove by seat ID", kind: "remove", ref: "s1"}},
		{scopeLicense(held("s1", "ana@x.example"), free("s2")), seatOp{name: "remove a free seat is refused", kind: "remove", ref: "s2"}},
		{scopeLicense(held("s1", "ana@x.example")), seatOp{name: "remove someone without a seat is refused", kind: "remove", ref: "bo@x.example"}},
		{scopeLicense(held("s1", "ana@x.example")), seatOp{name: "remove an unknown seat ID is refused", kind: "remove", ref: "s9"}},
		{scopeLicense(pend("s1", "ana@x.example")), seatOp{name: "remove a pending seat", kind: "remove", ref: "ana@x.example"}},
		{scopeLicense(held("s1", "ana@x.example"), free("s2")), seatOp{name: "reassign", kind: "reassign", ref: "ana@x.example", to: "bo@x.example", hasAccount: true}},
		{scopeLicense(held("s1", "ana@x.example"), held("s2", "bo@x.example")), seatOp{name: "reassign to a holder is refused", kind: "reassign", ref: "ana@x.example", to: "bo@x.example"}},
		{scopeLicense(held("s1", "ana@x.example")), seatOp{name: "reassign to oneself is refused", kind: "reassign", ref: "s1", to: "ana@x.example"}},
		{scopeLicense(held("s1", "ana@x.example")), seatOp{name: "reassign from nobody is refused", kind: "reassign", ref: "cy@x.example", to: "bo@x.example"}},
		{scopeLicense(held("s1", "ana@x.example")), seatOp{name: "reassign to a malformed address is refused", kind: "reassign", ref: "s1", to: "@@"}},
		{scopeLicense(Seat{ID: "s1", State: SeatAvailable, Email: "ana@x.example"}), seatOp{name: "a damaged named seat is refused", kind: "remove", ref: "s1"}},
	}
	for _, c := range cases {
		t.Run(c.op.name, func(t *testing.T) { requireSameDecision(t, c.lic, c.op) })
	}
}

// Property-style: random valid licenses and random writes, seeded so that
// a failure reproduces.
func TestSeatScope_DecidesAsTheWholeLicenseOnRandomCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	pool := []string{"ana@x.example", "bo@x.example", "cy@x.example", "di@x.example", "ed@x.example", "owner@acme.example"}
	pick := func() string {
		switch rng.IntN(10) {
		case 0:
			return fmt.Sprintf("s%d", rng.IntN(10)) // a seat ID, maybe unknown
		case 1:
			return "Not An Address"
		case 2:
			return " ANA@X.example "
		}
		return pool[rng.IntN(len(pool))]
	}
	for n := 0; n < 3000; n++ {
		size := rng.IntN(9)
		var seats []Seat
		used := map[string]bool{}
		for i := 0; i < size; i++ {
			s := Seat{ID: fmt.Sprintf("s%d", i)}
			if e := pool[rng.IntN(len(pool))]; rng.IntN(3) > 0 && !used[e] {
				used[e] = true
				s.Email, s.State = Email(e), SeatAssigned
				if rng.IntN(3) == 0 {
					s.State = SeatPending
				}
			}
			seats = append(seats, s)
		}
		l := scopeLicense(seats...)
		require.NoError(t, l.Validate())
		op := seatOp{kind: []string{"assign", "remove", "reassign"}[rng.IntN(3)], ref: pick(), to: pick(), hasAccount: rng.IntN(2) == 0}
		op.name = fmt.Sprintf("case %d: %s %q %q", n, op.kind, op.ref, op.to)
		requireSameDecision(t, l, op)
	}
}
