package store

import (
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// solutionView renders a license for those who manage its account, with
// the builder the client's optimistic effects use too (api.SolutionOf).
func solutionView(r licenseRow, now time.Time) api.Solution {
	v := api.SolutionOf(r.License, r.OrderID, now)
	// A subscription in its last 10 days and not renewed asks for renewal
	// before it stops (source 002's warning), though it is still valid.
	if v.Action == "" && !r.Renewed {
		if st := core.SubscriptionState(r.Expiry, false, true, time.Time{}, now); st.State == core.PhaseWarning {
			v.Action = string(core.ActionRenew)
		}
	}
	return v
}
