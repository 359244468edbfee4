package api

import (
	"fmt"
	"sort"
	"time"

	"github.com/licdesk/licdesk/core"
)

// The views below are built in one place for both sides of the wire: the
// portal's store renders core's objects with them, and the client renders
// its optimistic effects with them after applying core's rules to the
// objects it rebuilt from the cached views (License, Holdings,
// IntegrationState). So what the client shows before the portal answers is
// what the portal answers, unless the portal knows something the client
// does not.

// SolutionOf renders a license for those who manage its account at now:
// its seats, the seat counts relative to the owner (core.License.Counts) and
// the support and license status columns with the action they ask for
// (source 003: renew when maintenance expired). orderID is the partner order
// the license came from, "" for none.
func SolutionOf(l core.License, orderID string, now time.Time) Solution {
	c := l.Counts()
	v := Solution{
		LicenseID: l.ID, AccountID: string(l.Owner), OwnerName: l.OwnerName, OwnerEmail: string(l.OwnerEmail), Product: l.Product,
		Edition: l.Edition.String(), Modules: nonNil(l.Modules), ContractNumber: l.ContractNumber,
		ContractStart: l.ContractStart, AutoRenewal: l.AutoRenewal, SupportEnd: l.SupportEnd, Expiry: l.Expiry,
		Contracted: c.Contracted, AssignedOthers: c.AssignedToOthers, Available: c.Available,
		OrderID: orderID, Seats: make([]Seat, len(l.Seats)),
	}
	sup := core.SupportStatus(l.SupportEnd, now)
	lic := l.Status(now)
	v.SupportStatus, v.LicenseStatus = sup.String(), lic.String()
	if v.Action = string(lic.Action()); v.Action == "" {
		v.Action = string(sup.Action())
	}
	for i, s := range l.Seats {
		v.Seats[i] = Seat{ID: s.ID, State: s.State.String(), Email: string(s.Email)}
	}
	return v
}

// License rebuilds core's license from its view, so that core's seat rules
// can run on it; SolutionOf of the result gives the view back. A view that
// breaks the license's invariants is refused (core.License.Validate).
func (s Solution) License() (core.License, error) {
	l := core.License{ID: s.LicenseID, Owner: core.AccountID(s.AccountID), OwnerName: s.OwnerName,
		OwnerEmail: core.Email(s.OwnerEmail), Product: s.Product, Modules: append([]string(nil), s.Modules...),
		ContractNumber: s.ContractNumber, ContractStart: s.ContractStart, AutoRenewal: s.AutoRenewal,
		SupportEnd: s.SupportEnd, Expiry: s.Expiry, Seats: make([]core.Seat, len(s.Seats))}
	var err error
	if l.Edition, err = editionOf(s.Edition); err != nil {
		return core.License{}, err
	}
	for i, seat := range s.Seats {
		st, err := core.ParseSeatState(seat.State)
		if err != nil {
			return core.License{}, err
		}
		l.Seats[i] = core.Seat{ID: seat.ID, State: st, Email: core.Email(seat.Email)}
	}
	return l, l.Validate()
}

// editionOf reads an edition as Edition.String writes it, "unknown"
// included: a view may show a license whose edition was never recorded.
func editionOf(s string) (core.Edition, error) {
	if s == core.EditionUnknown.String() {
		return core.EditionUnknown, nil
	}
	return core.ParseEdition(s)
}

// AssignedProductOf renders one product's holdings for their holder
// ("Assigned to you"): every license in default order, the default marked,
// the adopted one marked and the effective one named (core.Effective).
// adopted is the holder's adopted license ID, "" for none; stateOf gives the
// holder's seat state on a license. It fails when there is no holding.
func AssignedProductOf(product string, hs []core.Holding, adopted string, stateOf func(licenseID string) core.SeatState) (AssignedProduct, error) {
	eff, st, err := core.Effective(hs, adopted)
	if err != nil {
		return AssignedProduct{}, err
	}
	def, _ := core.DefaultPick(hs)
	ap := AssignedProduct{Product: product, Effective: eff.LicenseID, Adoption: st.String(), Licenses: []AssignedLicense{}}
	for _, h := range hs {
		ap.Licenses = append(ap.Licenses, AssignedLicense{
			LicenseID: h.LicenseID, OwnerName: h.OwnerName, AccountID: string(h.Owner),
			Edition: h.Edition.String(), Modules: nonNil(h.Modules), Expiry: h.Expiry,
			State:   stateOf(h.LicenseID).String(),
			Default: h.LicenseID == def.LicenseID,
			Adopted: st == core.AdoptionAdopted && h.LicenseID == eff.LicenseID,
		})
	}
	return ap, nil
}

// Holdings rebuilds core's holdings of the product from its view, in
// default order, with the holder's seat state on each license and the
// adopted license ID ("" when the default applies).
func (p AssignedProduct) Holdings() (hs []core.Holding, states map[string]core.SeatState, adopted string, err error) {
	states = make(map[string]core.SeatState, len(p.Licenses))
	for _, l := range p.Licenses {
		ed, err := editionOf(l.Edition)
		if err != nil {
			return nil, nil, "", err
		}
		st, err := core.ParseSeatState(l.State)
		if err != nil {
			return nil, nil, "", err
		}
		hs = append(hs, core.Holding{LicenseID: l.LicenseID, Product: p.Product, Owner: core.AccountID(l.AccountID),
			OwnerName: l.OwnerName, Edition: ed, Modules: append([]string(nil), l.Modules...), Expiry: l.Expiry})
		states[l.LicenseID] = st
		if l.Adopted {
			if adopted != "" {
				return nil, nil, "", fmt.Errorf("product %s: two licenses adopted", p.Product)
			}
			adopted = l.LicenseID
		}
	}
	sort.SliceStable(hs, func(i, j int) bool { return core.CompareHoldings(hs[i], hs[j]) < 0 })
	return hs, states, adopted, nil
}

// IntegrationOf renders an account's integration of a product as the
// console shows it: the switches, what is free, and each user's switch.
func IntegrationOf(st core.IntegrationState) Integration {
	v := Integration{AccountID: string(st.Account), Product: st.Product, ProductOn: st.ProductOn,
		ExternalController: st.ExternalController, FreeLicenses: st.Free(), Users: []IntegrationUser{}}
	for _, u := range st.Users {
		sw := st.Switch(u.User)
		v.Users = append(v.Users, IntegrationUser{Email: string(u.User), State: sw.String(), Active: u.HasLicense,
			ReadOnly: sw == core.SwitchReadOnlyOn, Enabled: sw.Editable()})
	}
	return v
}

// IntegrationState rebuilds core's state from its view: the account's
// capacity is what is free plus what users hold.
func (v Integration) IntegrationState() core.IntegrationState {
	st := core.IntegrationState{Account: core.AccountID(v.AccountID), Product: v.Product,
		Integration: core.Integration{ProductOn: v.ProductOn, ExternalController: v.ExternalController},
		Capacity:    v.FreeLicenses}
	for _, u := range v.Users {
		st.Users = append(st.Users, core.UserLicense{User: core.Email(u.Email), HasLicense: u.Active})
		if u.Active {
			st.Capacity++
		}
	}
	return st
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SeatChangeOf is the wire form of one seat's change on a license.
func SeatChangeOf(licenseID string, ch core.SeatChange) SeatChange {
	return SeatChange{LicenseID: licenseID,
		Before: Seat{ID: ch.Before.ID, State: ch.Before.State.String(), Email: string(ch.Before.Email)},
		After:  Seat{ID: ch.After.ID, State: ch.After.State.String(), Email: string(ch.After.Email)}}
}
