package core

import "sort"

// SeatScope is what a seat write needs to know of one license, so that
// the portal need not load every seat of a large license to decide one:
// the license's ID and size, its first Available seat (in seat order) and
// the seats the write names (by seat ID, or held by an address it names).
// Its Assign, Remove and Reassign decide exactly as License's do on the
// whole license (seatscope_test.go checks them against each other); the
// whole-license forms stay the reference and what the client runs.
type SeatScope struct {
	LicenseID  string
	Contracted int
	// Free is the first Available seat; HasFree is false when none is.
	Free    Seat
	HasFree bool
	// Named are the seats the write names, in any order.
	Named []Seat
}

// SeatChange is the one seat a seat write changed, before and after.
type SeatChange struct {
	Before, After Seat
}

// ScopeOf cuts from a whole license the scope of a write naming refs
// (seat IDs or addresses, as the write was given them).
func (l License) ScopeOf(refs ...string) SeatScope {
	sc := SeatScope{LicenseID: l.ID, Contracted: len(l.Seats)}
	ids, emails := SeatRefs(refs...)
	for _, s := range l.Seats {
		if !sc.HasFree && s.State == SeatAvailable {
			sc.Free, sc.HasFree = s, true
		}
		named := false
		for _, id := range ids {
			named = named || s.ID == id
		}
		for _, e := range emails {
			named = named || (s.State.held() && s.Email == e)
		}
		if named {
			sc.Named = append(sc.Named, s)
		}
	}
	return sc
}

// SeatRefs splits what a write names into the seat IDs and the addresses
// to look up: every ref may be a seat ID, and a ref that is a valid
// address names the seat it holds too.
func SeatRefs(refs ...string) (ids []string, emails []Email) {
	for _, r := range refs {
		ids = append(ids, r)
		if e, err := NormalizeEmail(r); err == nil {
			emails = append(emails, e)
		}
	}
	return ids, emails
}

// validate checks the seats the scope holds as License.Validate checks
// every seat.
func (sc SeatScope) validate() error {
	l := License{ID: sc.LicenseID, Owner: "-", Product: "-", Seats: sc.Named}
	if sc.HasFree && sc.Free.State != SeatAvailable {
		return E(Invalid, CodeLicenseInvalid, "license "+sc.LicenseID+": seat "+sc.Free.ID+" is not available")
	}
	if sc.LicenseID == "" || len(sc.Named) > sc.Contracted {
		return E(Invalid, CodeLicenseInvalid, "license "+quoteShort(sc.LicenseID)+" lacks an ID or names more seats than it has")
	}
	return l.Validate()
}

// held finds the seat held by e among the named seats.
func (sc SeatScope) held(e Email) (Seat, bool) {
	for _, s := range sc.Named {
		if s.State.held() && s.Email == e {
			return s, true
		}
	}
	return Seat{}, false
}

// heldSeat is License.heldSeat over the named seats.
func (sc SeatScope) heldSeat(ref string) (Seat, error) {
	for _, s := range sc.Named {
		if s.ID == ref {
			if !s.State.held() {
				break
			}
			return s, nil
		}
	}
	if e, err := NormalizeEmail(ref); err == nil {
		if s, ok := sc.held(e); ok {
			return s, nil
		}
	}
	return Seat{}, E(NotFound, CodeSeatNotHeld, "no seat of license "+sc.LicenseID+" is held by "+quoteShort(ref))
}

// Assign is License.Assign on the scope of a write naming email.
func (sc SeatScope) Assign(by By, email Email, hasAccount bool) (SeatChange, Event, error) {
	if err := sc.validate(); err != nil {
		return SeatChange{}, Event{}, err
	}
	e, err := NormalizeEmail(string(email))
	if err != nil {
		return SeatChange{}, Event{}, err
	}
	if _, ok := sc.held(e); ok {
		return SeatChange{}, Event{}, E(Conflict, CodeSeatDuplicate, string(e)+" already holds a seat of license "+sc.LicenseID)
	}
	if !sc.HasFree {
		return SeatChange{}, Event{}, E(Conflict, CodeSeatFull, "license "+sc.LicenseID+" has no available seat; remove someone first")
	}
	ch := SeatChange{Before: sc.Free, After: Seat{ID: sc.Free.ID, State: stateFor(hasAccount), Email: e}}
	return ch, newEvent(by, AuditSeatAssign, sc.LicenseID, ch.Before.String(), ch.After.String()), nil
}

// Remove is License.Remove on the scope of a write naming ref.
func (sc SeatScope) Remove(by By, ref string) (SeatChange, Event, error) {
	if err := sc.validate(); err != nil {
		return SeatChange{}, Event{}, err
	}
	s, err := sc.heldSeat(ref)
	if err != nil {
		return SeatChange{}, Event{}, err
	}
	ch := SeatChange{Before: s, After: Seat{ID: s.ID, State: SeatAvailable}}
	return ch, newEvent(by, AuditSeatRemove, sc.LicenseID, ch.Before.String(), ch.After.String()), nil
}

// Reassign is License.Reassign on the scope of a write naming from and to.
func (sc SeatScope) Reassign(by By, from string, to Email, hasAccount bool) (SeatChange, Event, error) {
	if err := sc.validate(); err != nil {
		return SeatChange{}, Event{}, err
	}
	s, err := sc.heldSeat(from)
	if err != nil {
		return SeatChange{}, Event{}, err
	}
	e, err := NormalizeEmail(string(to))
	if err != nil {
		return SeatChange{}, Event{}, err
	}
	if _, ok := sc.held(e); ok {
		return SeatChange{}, Event{}, E(Conflict, CodeSeatDuplicate, string(e)+" already holds a seat of license "+sc.LicenseID)
	}
	ch := SeatChange{Before: s, After: Seat{ID: s.ID, State: stateFor(hasAccount), Email: e}}
	return ch, newEvent(by, AuditSeatReassign, sc.LicenseID, ch.Before.String(), ch.After.String()), nil
}

// Apply returns the license with the change made to its seat.
func (l License) Apply(ch SeatChange) License {
	out := l.clone()
	for i, s := range out.Seats {
		if s.ID == ch.After.ID {
			out.Seats[i] = ch.After
		}
	}
	return out
}

// Notices are the e-mails the change owes, as SeatNotices lists them for
// the license before and after it: an address holds at most one seat of
// a license, so the one seat tells who gained and who lost theirs.
func (ch SeatChange) Notices(licenseID string) []Notice {
	var out []Notice
	b, a := ch.Before, ch.After
	if b.State.held() && a.State.held() && b.Email == a.Email {
		return nil
	}
	if a.State.held() {
		k := NoticeAssigned
		if a.State == SeatPending {
			k = NoticeInvite
		}
		out = append(out, Notice{To: a.Email, Kind: k, LicenseID: licenseID})
	}
	if b.State.held() {
		out = append(out, Notice{To: b.Email, Kind: NoticeRemoved, LicenseID: licenseID})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// Lost is the address that held the seat before and holds none of the
// license after (only it can have lost an adopted license), or "".
func (ch SeatChange) Lost() Email {
	if ch.Before.State.held() && !(ch.After.State.held() && ch.After.Email == ch.Before.Email) {
		return ch.Before.Email
	}
	return ""
}

// Gained is the address that holds the seat after and held none of the
// license before, or "".
func (ch SeatChange) Gained() Email {
	if ch.After.State.held() && !(ch.Before.State.held() && ch.Before.Email == ch.After.Email) {
		return ch.After.Email
	}
	return ""
}
