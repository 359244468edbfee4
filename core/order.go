package core

import (
	"strconv"
)

// Order is what a partner bought: a quantity of one product, delivered as
// licenses held by the partner until the order is assigned (source 004).
type Order struct {
	ID         string
	Partner    AccountID
	Product    string
	Quantity   int
	LicenseIDs []string
	AssignedTo AccountID // "" until assigned to a customer
}

// AssignOrderToCustomer moves every license of the order to the customer account,
// which becomes their owner (source 004: all the licenses of the order go to
// the customer). It returns the assigned order and the moved licenses only.
// It refuses an order already assigned (an order is delivered once), a
// license missing or not held by the partner, and a license with seats in
// use: those seats name the partner's people, and silently dropping them
// would cut someone off without the notice removal owes them.
func AssignOrderToCustomer(by By, o Order, licenses []License, customer Account) (Order, []License, Event, error) {
	switch {
	case o.AssignedTo != "":
		return o, nil, Event{}, E(Conflict, CodeOrderAssigned, "order "+o.ID+" was already assigned to account "+string(o.AssignedTo))
	case customer.ID == "" || customer.ID == o.Partner:
		return o, nil, Event{}, E(Invalid, CodeOrderCustomer, "choose the customer account to assign order "+o.ID+" to")
	}
	byID := make(map[string]License, len(licenses))
	for _, l := range licenses {
		byID[l.ID] = l
	}
	moved := make([]License, 0, len(o.LicenseIDs))
	for _, id := range o.LicenseIDs {
		l, ok := byID[id]
		switch {
		case !ok:
			return o, nil, Event{}, WithArgs(E(NotFound, CodeOrderLicenseMissing, "license "+id+" of order "+o.ID+" was not found"), "License", id, "Order", o.ID)
		case l.Owner != o.Partner:
			return o, nil, Event{}, WithArgs(E(Conflict, CodeOrderLicenseOwner, "license "+id+" of order "+o.ID+" is no longer held by the partner"), "License", id, "Order", o.ID)
		}
		if c := l.Counts(); c.Available != c.Contracted {
			return o, nil, Event{}, WithArgs(E(Conflict, CodeOrderSeatsInUse, "license "+id+" of order "+o.ID+" has seats in use: remove them first"), "License", id, "Order", o.ID)
		}
		m := l.clone()
		m.Owner, m.OwnerName, m.OwnerEmail = customer.ID, customer.Name, customer.OwnerEmail
		moved = append(moved, m)
	}
	out := o
	out.LicenseIDs = append([]string(nil), o.LicenseIDs...)
	out.AssignedTo = customer.ID
	ev := newEvent(by, AuditOrderAssign, o.ID, "held by "+string(o.Partner),
		"assigned to "+string(customer.ID)+", "+strconv.Itoa(len(moved))+" licenses")
	return out, moved, ev, nil
}
