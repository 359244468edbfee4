package portal_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

// A client that asks for the minimal answer gets the one seat its write
// changed; one that does not still gets the license's whole view.
func TestSeatWrite_PreferMinimalAnswersWithTheChangedSeat(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@min.example", "Min")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 3)
		minimal := []string{"Prefer", "return=minimal"}

		r := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "ana@min.example"}, minimal...)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var ch api.SeatChange
		r.decode(t, &ch)
		assert.Equal(t, api.SeatChange{LicenseID: lic, Before: api.Seat{ID: lic + ".1", State: "available"},
			After: api.Seat{ID: lic + ".1", State: "pending", Email: "ana@min.example"}}, ch)

		r = p.do("POST", "/v1/licenses/"+lic+"/seats/reassign", owner.Token, api.ReassignRequest{From: "ana@min.example", To: "owner@min.example"}, minimal...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &ch)
		assert.Equal(t, api.Seat{ID: lic + ".1", State: "assigned", Email: "owner@min.example"}, ch.After)
		assert.Equal(t, "ana@min.example", ch.Before.Email)

		r = p.do("DELETE", "/v1/licenses/"+lic+"/seats/owner@min.example", owner.Token, nil, minimal...)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		ch = api.SeatChange{}
		r.decode(t, &ch)
		assert.Equal(t, api.Seat{ID: lic + ".1", State: "available"}, ch.After)

		var sol api.Solution
		r = p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "bo@min.example"})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		r.decode(t, &sol)
		assert.Len(t, sol.Seats, 3)
		assert.Equal(t, 2, sol.Available)
	})
}

// A seat write runs the same statements whatever the license's size: it
// reads the license row and the seats the rule needs, not every seat.
func TestSeatWrite_RunsAsManyStatementsOnA1000SeatLicenseAsOnA10SeatOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@stmts.example", "Stmts")
		acct := p.accountOf(owner.Token)
		count := func(seats int) []int64 {
			lic := p.issue(acct, fmt.Sprintf("Product %d", seats), "standard", nil, seats)
			var out []int64
			for i := 0; i < 4; i++ {
				before := p.Store.Statements()
				e := fmt.Sprintf("u%d@stmts.example", i/2)
				if i%2 == 0 {
					require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token,
						api.SeatRequest{Email: e}, "Prefer", "return=minimal").Status)
				} else {
					require.Equal(t, http.StatusOK, p.do("DELETE", "/v1/licenses/"+lic+"/seats/"+e, owner.Token, nil,
						"Prefer", "return=minimal").Status)
				}
				out = append(out, p.Store.Statements()-before)
			}
			return out
		}
		small, large := count(10), count(1000)
		assert.Equal(t, small, large)
		t.Logf("statements per write (assign, remove, assign, remove): %v", small)
		for _, n := range small {
			assert.LessOrEqual(t, n, int64(7))
		}
	})
}
