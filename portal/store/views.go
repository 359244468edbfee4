package store

import (
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// solutionView renders a license for those who manage its account.
func solutionView(r licenseRow, now time.Time) api.Solution {
	c := r.Counts()
	v := api.Solution{
		LicenseID: r.ID, AccountID: string(r.Owner), OwnerName: r.OwnerName, OwnerEmail: string(r.OwnerEmail), Product: r.Product,
		Edition: r.Edition.String(), Modules: nonNil(r.Modules), ContractNumber: r.ContractNumber,
		ContractStart: r.ContractStart, AutoRenewal: r.AutoRenewal, SupportEnd: r.SupportEnd, Expiry: r.Expiry,
		Contracted: c.Contracted, AssignedOthers: c.AssignedToOthers, Available: c.Available,
		OrderID: r.OrderID, Seats: make([]api.Seat, len(r.Seats)),
	}
	v.SupportStatus, v.LicenseStatus, v.Action = licenseStatus(r, now)
	for i, s := range r.Seats {
		v.Seats[i] = api.Seat{ID: s.ID, State: s.State.String(), Email: string(s.Email)}
	}
	return v
}

// licenseStatus gives the support and license status columns of a license
// and the action it needs (source 003: renew when maintenance expired).
func licenseStatus(r licenseRow, now time.Time) (support, license, action string) {
	sup := core.SupportStatus(r.SupportEnd, now)
	lic := r.Status(now)
	action = string(lic.Action())
	if action == "" {
		action = string(sup.Action())
	}
	// A subscription in its last 10 days and not renewed asks for renewal
	// before it stops (source 002's warning), though it is still valid.
	if action == "" && !r.Renewed {
		if st := core.SubscriptionState(r.Expiry, false, true, time.Time{}, now); st.State == core.PhaseWarning {
			action = string(core.ActionRenew)
		}
	}
	return sup.String(), lic.String(), action
}
