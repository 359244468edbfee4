package core

import "time"

// t0 is a fixed instant for tests: core never reads the clock, so neither
// do its tests.
var t0 = time.Date(2025, 3, 10, 14, 30, 0, 0, time.UTC)

const owner = Email("owner@acme.com")

func by() By { return By{Actor: owner, At: t0} }

// lic builds a valid license owned by acme with the given seats.
func lic(id string, seats ...Seat) License {
	return License{
		ID: id, Owner: "acct-acme", OwnerName: "Acme", OwnerEmail: owner,
		Product: "eberick", Edition: EditionProfessional, Modules: []string{"a", "b"},
		Seats: seats,
	}
}

func free(id string) Seat              { return Seat{ID: id} }
func assigned(id string, e Email) Seat { return Seat{ID: id, State: SeatAssigned, Email: e} }
func pending(id string, e Email) Seat  { return Seat{ID: id, State: SeatPending, Email: e} }
