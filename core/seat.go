package core

import (
	"sort"
	"strconv"
)

// SeatState is where one seat of a license stands (source 000: Disponível,
// Atribuído, Aguardando).
type SeatState int

// Seat states. Available is the zero value because a new license's seats
// start free.
const (
	SeatAvailable SeatState = iota // free to assign
	SeatAssigned                   // held by an e-mail that has an account; it may run the program
	SeatPending                    // held by an e-mail with no account yet; it may not run the program until one is created
)

// String names the state as stored and printed.
func (s SeatState) String() string {
	switch s {
	case SeatAvailable:
		return "available"
	case SeatAssigned:
		return "assigned"
	case SeatPending:
		return "pending"
	}
	return "SeatState(" + strconv.Itoa(int(s)) + ")"
}

// ParseSeatState reads a state name as String prints it, ignoring case.
func ParseSeatState(s string) (SeatState, error) {
	return parseEnum(s, SeatAvailable, SeatPending, CodeSeatStateUnknown, "seat state")
}

// MarshalText stores the state by name, so that SQL columns and JSON stay
// readable and survive a reordering of the constants.
func (s SeatState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state stored by MarshalText.
func (s *SeatState) UnmarshalText(b []byte) error {
	v, err := ParseSeatState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// held reports whether the seat is taken, whether or not its holder may run
// the program yet: a Pending seat is not free to give to someone else.
func (s SeatState) held() bool { return s == SeatAssigned || s == SeatPending }

// Seat is one seat of a license. Email is empty exactly when the seat is
// Available.
type Seat struct {
	ID    string
	State SeatState
	Email Email
}

// String describes the seat for audit entries: "S1 available",
// "S1 assigned ana@x.com".
func (s Seat) String() string {
	if s.Email == "" {
		return s.ID + " " + s.State.String()
	}
	return s.ID + " " + s.State.String() + " " + string(s.Email)
}

// NoticeKind is which e-mail a seat change sends its holder (source 000: an
// e-mail on assignment, an invitation to create an account when the address
// has none, an e-mail on removal).
type NoticeKind int

// Notice kinds.
const (
	NoticeAssigned NoticeKind = iota // "a seat of L was assigned to you"
	NoticeInvite                     // the same, inviting the person to create an account first
	NoticeRemoved                    // "your seat of L was removed"
)

// String names the notice kind; mail templates are keyed on it.
func (k NoticeKind) String() string {
	switch k {
	case NoticeAssigned:
		return "assigned"
	case NoticeInvite:
		return "invite"
	case NoticeRemoved:
		return "removed"
	}
	return "NoticeKind(" + strconv.Itoa(int(k)) + ")"
}

// Notice is one e-mail the portal owes someone after a seat change.
type Notice struct {
	To        Email
	Kind      NoticeKind
	LicenseID string
}

// SeatNotices compares a license before and after a change and lists the
// e-mails to send: every address that newly holds a seat is told (invited
// when Pending), every address that lost its seat is told. Deciding from the
// two states rather than from the operation means assign, remove, reassign
// and any later operation get their mail right without each repeating the
// rule. An address going from Pending to Assigned (its account was just
// created) gets nothing: the person is already there. Notices are sorted by
// address, then kind, so the outbox order is deterministic.
func SeatNotices(before, after License) []Notice {
	was := holders(before)
	now := holders(after)
	var out []Notice
	for e, st := range now {
		if _, ok := was[e]; ok {
			continue
		}
		k := NoticeAssigned
		if st == SeatPending {
			k = NoticeInvite
		}
		out = append(out, Notice{To: e, Kind: k, LicenseID: after.ID})
	}
	for e := range was {
		if _, ok := now[e]; !ok {
			out = append(out, Notice{To: e, Kind: NoticeRemoved, LicenseID: before.ID})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// holders maps each address holding a seat of l to its seat's state.
func holders(l License) map[Email]SeatState {
	m := make(map[Email]SeatState, len(l.Seats))
	for _, s := range l.Seats {
		if s.State.held() {
			m[s.Email] = s.State
		}
	}
	return m
}
