package store

import (
	"time"

	"github.com/licdesk/licdesk/api"
)

// solutionView renders a license for those who manage its account, with
// the builder the client's optimistic effects use too (api.SolutionOf).
func solutionView(r licenseRow, now time.Time) api.Solution {
	return api.SolutionOf(r.License, r.OrderID, now)
}
