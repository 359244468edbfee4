package core

import (
	"strconv"
	"time"
)

// AccountID identifies an account (a customer, a partner) on the portal.
type AccountID string

// License is one owner's license of one product in one edition (source 000):
// what the owner contracted and who holds its seats. The portal stores it in
// SQL and hands it to the transitions below, which return a new value.
type License struct {
	ID             string
	Owner          AccountID
	OwnerName      string // shown to assignees next to the license, and a tie-break of the default pick
	OwnerEmail     Email  // the owner's own login; seats held by it are the owner's own use
	Product        string
	Edition        Edition
	Modules        []string
	Seats          []Seat
	ContractNumber string
	ContractStart  time.Time
	AutoRenewal    time.Time
	SupportEnd     time.Time // end of maintenance; zero when there is no maintenance contract
	Expiry         time.Time // end of the right to run; zero for a perpetual license
}

// Expired reports whether the license no longer lets anyone run the
// program. The right ends at the Expiry instant itself; a zero Expiry is a
// perpetual license.
func (l License) Expired(now time.Time) bool {
	return !l.Expiry.IsZero() && !now.Before(l.Expiry)
}

// Validate checks the invariants every transition relies on, so that a row
// damaged in storage is refused with a clear reason instead of producing a
// wrong decision: an ID, an owner and a product; seats with unique IDs;
// Available seats with no address and held seats with a canonical one; no
// address holding two seats of one license.
func (l License) Validate() error {
	if l.ID == "" || l.Owner == "" || l.Product == "" {
		return E(Invalid, CodeLicenseInvalid, "license "+strconv.Quote(l.ID)+" lacks an ID, an owner or a product")
	}
	ids := make(map[string]bool, len(l.Seats))
	emails := make(map[Email]bool, len(l.Seats))
	for _, s := range l.Seats {
		bad := func(why string) error {
			return E(Invalid, CodeLicenseInvalid, "license "+l.ID+": seat "+strconv.Quote(s.ID)+" "+why)
		}
		switch {
		case s.ID == "":
			return bad("has no ID")
		case ids[s.ID]:
			return bad("appears twice")
		case s.State < SeatAvailable || s.State > SeatPending:
			return bad("has an unknown state")
		case s.State == SeatAvailable && s.Email != "":
			return bad("is available but names " + string(s.Email))
		case s.State.held():
			e, err := NormalizeEmail(string(s.Email))
			if err != nil || e != s.Email {
				return bad("is held by a malformed address")
			}
			if emails[e] {
				return bad("is held by an address that already holds another seat")
			}
			emails[e] = true
		}
		ids[s.ID] = true
	}
	return nil
}

// clone copies the slices so that a transition never writes into the
// caller's backing arrays: the caller's old value stays a valid "before".
func (l License) clone() License {
	l.Seats = append([]Seat(nil), l.Seats...)
	l.Modules = append([]string(nil), l.Modules...)
	return l
}

// seatOf returns the index of the seat held by e, or -1.
func (l License) seatOf(e Email) int {
	for i, s := range l.Seats {
		if s.State.held() && s.Email == e {
			return i
		}
	}
	return -1
}

// heldSeat finds the held seat that ref names: a seat ID, or else an e-mail
// address. Both are accepted because the window removes by clicking a seat
// and the command line by typing an address.
func (l License) heldSeat(ref string) (int, error) {
	for i, s := range l.Seats {
		if s.ID == ref {
			if !s.State.held() {
				break
			}
			return i, nil
		}
	}
	if e, err := NormalizeEmail(ref); err == nil {
		if i := l.seatOf(e); i >= 0 {
			return i, nil
		}
	}
	return -1, E(NotFound, CodeSeatNotHeld, "no seat of license "+l.ID+" is held by "+quoteShort(ref))
}

// Assign gives the first Available seat to email: Assigned when the address
// has an account, Pending when it has none yet (the portal then invites the
// person; see SeatNotices). One address holds at most one seat of a license,
// because a second seat would add nothing for that person and take a seat
// from a colleague. On refusal the license comes back unchanged.
func (l License) Assign(by By, email Email, hasAccount bool) (License, Event, error) {
	if err := l.Validate(); err != nil {
		return l, Event{}, err
	}
	e, err := NormalizeEmail(string(email))
	if err != nil {
		return l, Event{}, err
	}
	if l.seatOf(e) >= 0 {
		return l, Event{}, E(Conflict, CodeSeatDuplicate, string(e)+" already holds a seat of license "+l.ID)
	}
	free := -1
	for i, s := range l.Seats {
		if s.State == SeatAvailable {
			free = i
			break
		}
	}
	if free < 0 {
		return l, Event{}, E(Conflict, CodeSeatFull, "license "+l.ID+" has no available seat; remove someone first")
	}
	out := l.clone()
	before := out.Seats[free]
	out.Seats[free] = Seat{ID: before.ID, State: stateFor(hasAccount), Email: e}
	return out, newEvent(by, AuditSeatAssign, l.ID, before.String(), out.Seats[free].String()), nil
}

func stateFor(hasAccount bool) SeatState {
	if hasAccount {
		return SeatAssigned
	}
	return SeatPending
}

// Remove frees the seat that ref names (its seat ID or its holder's
// address); the seat becomes Available. The owner may remove their own
// address too: the owner's use takes a seat like anyone else's.
func (l License) Remove(by By, ref string) (License, Event, error) {
	if err := l.Validate(); err != nil {
		return l, Event{}, err
	}
	i, err := l.heldSeat(ref)
	if err != nil {
		return l, Event{}, err
	}
	out := l.clone()
	before := out.Seats[i]
	out.Seats[i] = Seat{ID: before.ID, State: SeatAvailable}
	return out, newEvent(by, AuditSeatRemove, l.ID, before.String(), out.Seats[i].String()), nil
}

// Reassign moves the seat that from names (seat ID or address) to another
// address in one step, keeping the seat's ID, so the license is never
// briefly free for a concurrent assignment to grab. It refuses an address
// that already holds a seat of the license, including from itself.
func (l License) Reassign(by By, from string, to Email, hasAccount bool) (License, Event, error) {
	if err := l.Validate(); err != nil {
		return l, Event{}, err
	}
	i, err := l.heldSeat(from)
	if err != nil {
		return l, Event{}, err
	}
	e, err := NormalizeEmail(string(to))
	if err != nil {
		return l, Event{}, err
	}
	if l.seatOf(e) >= 0 {
		return l, Event{}, E(Conflict, CodeSeatDuplicate, string(e)+" already holds a seat of license "+l.ID)
	}
	out := l.clone()
	before := out.Seats[i]
	out.Seats[i] = Seat{ID: before.ID, State: stateFor(hasAccount), Email: e}
	return out, newEvent(by, AuditSeatReassign, l.ID, before.String(), out.Seats[i].String()), nil
}

// ActivatePending is called when an account is created for email: every
// seat Pending for that address, on every license, becomes Assigned (seed
// 000: the new account receives what was waiting for it). It returns all the
// licenses, changed or not, in the same order, and one event per seat that
// changed; none when nothing waited for the address.
func ActivatePending(by By, licenses []License, email Email) ([]License, []Event, error) {
	e, err := NormalizeEmail(string(email))
	if err != nil {
		return licenses, nil, err
	}
	for _, l := range licenses {
		if err := l.Validate(); err != nil {
			return licenses, nil, err
		}
	}
	out := make([]License, len(licenses))
	var events []Event
	for k, l := range licenses {
		out[k] = l
		i := l.seatOf(e)
		if i < 0 || l.Seats[i].State != SeatPending {
			continue
		}
		c := l.clone()
		before := c.Seats[i]
		c.Seats[i].State = SeatAssigned
		out[k] = c
		events = append(events, newEvent(by, AuditSeatActivatePending, l.ID, before.String(), c.Seats[i].String()))
	}
	return out, events, nil
}

// SeatCounts is the seat summary of one license as the owner sees it under
// "Active solutions" (source 000: contracted, assigned to other people,
// available). Contracted = AssignedToOthers + HeldByOwner + Available.
type SeatCounts struct {
	Contracted       int
	AssignedToOthers int // held by addresses other than the owner's, Pending included
	HeldByOwner      int // 0 or 1: the owner's own use, which takes a seat like anyone's
	Available        int
	Pending          int // of AssignedToOthers, those still waiting for an account
}

// Counts summarises the seats relative to the owner's address.
func (l License) Counts() SeatCounts {
	c := SeatCounts{Contracted: len(l.Seats)}
	for _, s := range l.Seats {
		switch {
		case !s.State.held():
			c.Available++
		case s.Email == l.OwnerEmail:
			c.HeldByOwner++
		default:
			c.AssignedToOthers++
			if s.State == SeatPending {
				c.Pending++
			}
		}
	}
	return c
}

// CapacityByProduct sums the seats of every license that has not expired
// at now, per product (source 002: ten devices + one + five = sixteen). An
// expired license adds nothing, since nobody may use it.
func CapacityByProduct(licenses []License, now time.Time) map[string]int {
	m := make(map[string]int)
	for _, l := range licenses {
		if !l.Expired(now) {
			m[l.Product] += len(l.Seats)
		}
	}
	return m
}

// MayRunCloudLogin decides whether a program protected by cloud login may
// start for email, given the licenses of that program: only an Assigned seat
// on a license that has not expired lets it run (source 000). A Pending seat
// does not, because its holder has not proved the address is theirs by
// creating the account. nil means it may run; the refusal says why not.
func MayRunCloudLogin(licenses []License, email Email, now time.Time) error {
	e, err := NormalizeEmail(string(email))
	if err != nil {
		return err
	}
	pending, expired := false, false
	for _, l := range licenses {
		i := l.seatOf(e)
		if i < 0 {
			continue
		}
		switch {
		case l.Seats[i].State == SeatPending:
			pending = true
		case l.Expired(now):
			expired = true
		default:
			return nil
		}
	}
	switch {
	case expired:
		return WithArgs(E(Expired, CodeCloudLoginExpired, "the license assigned to "+string(e)+" has expired; ask its owner to renew it"), "Email", string(e))
	case pending:
		return WithArgs(E(Forbidden, CodeCloudLoginPending, "the seat for "+string(e)+" waits for its account: create the account, then log in again"), "Email", string(e))
	}
	return WithArgs(E(Forbidden, CodeCloudLoginNoSeat, "no seat of this program is assigned to "+string(e)+"; ask the license owner for one"), "Email", string(e))
}
