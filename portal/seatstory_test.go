package portal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
)

// TestSeatStory_EndToEnd plays the seat story of source 000 over real HTTP:
// owner signs up and sees solutions; assigns a colleague with no account
// (Pending, invitation e-mail); the colleague signs up (Assigned); the owner
// removes them (Available, removal e-mail); two owners assign one user the
// same product and the user adopts one.
func TestSeatStory_EndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acme.example", "Acme")
		acme := p.accountOf(owner.Token)
		lic := p.issue(acme, "Eberick", "professional", []string{"Concrete", "Foundations"}, 3)

		var sols []api.Solution
		r := p.do("GET", "/v1/solutions", owner.Token, nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.decode(t, &sols)
		require.Len(t, sols, 1)
		assert.Equal(t, lic, sols[0].LicenseID)
		assert.Equal(t, []string{"Concrete", "Foundations"}, sols[0].Modules)
		assert.Equal(t, 3, sols[0].Contracted)
		assert.Equal(t, 3, sols[0].Available)
		assert.NotEmpty(t, sols[0].ContractNumber)
		assert.False(t, sols[0].ContractStart.IsZero())
		assert.False(t, sols[0].AutoRenewal.IsZero())

		// A colleague without an account: Pending, and invited by e-mail.
		var sol api.Solution
		r = p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "Colleague@Acme.example "})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		r.decode(t, &sol)
		seat, ok := seatOf(sol, "colleague@acme.example")
		require.True(t, ok, "the e-mail is normalised")
		assert.Equal(t, "pending", seat.State)
		assert.Equal(t, 1, sol.AssignedOthers)
		assert.Equal(t, 2, sol.Available)
		invites := p.mails("colleague@acme.example")
		require.Len(t, invites, 1)
		assert.Contains(t, invites[0], "create your account")

		// Assigning the same e-mail twice is refused.
		r = p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "colleague@acme.example"})
		require.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "seat.duplicate", r.problem(t).Code)

		// The colleague signs up: the Pending seat becomes Assigned.
		colleague := p.signup("colleague@acme.example", "Colleague")
		var after api.Solution
		p.do("GET", "/v1/licenses/"+lic, owner.Token, nil).decode(t, &after)
		seat, _ = seatOf(after, "colleague@acme.example")
		assert.Equal(t, "assigned", seat.State)
		var assigned []api.AssignedProduct
		p.do("GET", "/v1/assigned", colleague.Token, nil).decode(t, &assigned)
		require.Len(t, assigned, 1)
		assert.Equal(t, lic, assigned[0].Effective)

		// The owner removes the colleague: Available again, and told by e-mail.
		r = p.do("DELETE", "/v1/licenses/"+lic+"/seats/"+url.PathEscape("colleague@acme.example"), owner.Token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var removed api.Solution
		r.decode(t, &removed)
		_, held := seatOf(removed, "colleague@acme.example")
		assert.False(t, held, "%+v", removed.Seats)
		assert.Equal(t, 3, removed.Available)
		mails := p.mails("colleague@acme.example")
		require.Len(t, mails, 2)
		assert.Contains(t, mails[1], "was removed")

		// Two owners assign one user the same product; the user adopts one.
		beta := p.signup("owner@beta.example", "Beta")
		betaLic := p.issue(p.accountOf(beta.Token), "Eberick", "enterprise", []string{"Concrete", "Foundations", "Masonry"}, 2)
		user := p.signup("engineer@example.com", "Engineer")
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "engineer@example.com"}).Status)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+betaLic+"/seats", beta.Token, api.SeatRequest{Email: "engineer@example.com"}).Status)

		var both []api.AssignedProduct
		p.do("GET", "/v1/assigned", user.Token, nil).decode(t, &both)
		require.Len(t, both, 1)
		require.Len(t, both[0].Licenses, 2)
		assert.Equal(t, betaLic, both[0].Effective, "the largest (most modules) is the default")
		assert.Equal(t, "default", both[0].Adoption)

		var adopted api.AssignedProduct
		r = p.do("POST", "/v1/assigned/adopt", user.Token, api.AdoptRequest{LicenseID: lic})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &adopted)
		assert.Equal(t, lic, adopted.Effective)
		assert.Equal(t, "adopted", adopted.Adoption)
		for _, l := range adopted.Licenses {
			assert.Equal(t, l.LicenseID == lic, l.Adopted)
			assert.Equal(t, l.LicenseID == betaLic, l.Default)
		}

		// Losing the adopted seat brings the default back.
		require.Equal(t, http.StatusOK, p.do("DELETE", "/v1/licenses/"+lic+"/seats/engineer@example.com", owner.Token, nil).Status)
		var fallback []api.AssignedProduct
		p.do("GET", "/v1/assigned", user.Token, nil).decode(t, &fallback)
		require.Len(t, fallback, 1)
		assert.Equal(t, betaLic, fallback[0].Effective)
		assert.Equal(t, "default", fallback[0].Adoption)

		// Every transition is in the license's audit trail.
		var events []api.AuditEvent
		p.do("GET", "/v1/licenses/"+lic+"/audit", owner.Token, nil).decode(t, &events)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []string{"seat.assign", "seat.activate_pending", "seat.remove", "seat.assign", "adoption.adopt",
			"seat.remove", "adoption.fallback"}, actions)
	})
}

// TestSeatRace_ExactlyNSeatsAreHeld: 200 clients racing for 5 free seats get
// exactly 5, whatever the interleaving.
func TestSeatRace_ExactlyNSeatsAreHeld(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@race.example", "Race")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "basic", nil, 5)
		const clients = 200
		var wg sync.WaitGroup
		statuses := make([]int, clients)
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token,
					api.SeatRequest{Email: fmt.Sprintf("racer%03d@race.example", i)})
				statuses[i] = r.Status
			}(i)
		}
		wg.Wait()
		won, full := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				won++
			case http.StatusConflict:
				full++
			}
		}
		assert.Equal(t, 5, won)
		assert.Equal(t, clients-5, full)
		var sol api.Solution
		p.do("GET", "/v1/licenses/"+lic, owner.Token, nil).decode(t, &sol)
		assert.Equal(t, 0, sol.Available)
		assert.Equal(t, 5, sol.AssignedOthers)
	})
}

// failingSender refuses every e-mail, like a mail server that is down.
type failingSender struct{ calls int }

func (f *failingSender) Send(context.Context, mail.Message) error {
	f.calls++
	return errors.New("connection refused")
}

func TestSeatMail_IsQueuedWithTheWriteAndRetriedWhenTheMailServerIsDown(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@mail.example", "Mail")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "basic", nil, 2)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "n@mail.example"}).Status)

		// The mail server is down: nothing is lost, the e-mail waits.
		down := &failingSender{}
		clock := time.Now()
		srv := portal.New(portal.Config{Store: p.Store, Mail: down, Now: func() time.Time { return clock }})
		require.NoError(t, srv.FlushMail(context.Background()))
		assert.Equal(t, 1, down.calls)
		require.NoError(t, srv.FlushMail(context.Background()))
		assert.Equal(t, 1, down.calls, "not retried before its pause")

		// A refused write queues nothing.
		require.Equal(t, http.StatusConflict, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "n@mail.example"}).Status)

		// Once the server is back and the pause over, it is delivered once.
		assert.Empty(t, p.mailsNoFlush("n@mail.example"))
		require.NoError(t, p.Store.MailRetryNow(context.Background()))
		assert.Len(t, p.mails("n@mail.example"), 1)
		assert.Len(t, p.mails("n@mail.example"), 1)
	})
}
