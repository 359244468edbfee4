package portal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

func TestPartnerOrder_AssigningMovesAllItsLicensesToTheCustomer(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		partner := p.signup("staff@partner.example", "Partner")
		pacct := p.accountOf(partner.Token)
		require.NoError(t, p.Store.SetPartner(context.Background(), pacct, true))
		customer := p.signup("owner@customer.example", "Customer")
		cacct := p.accountOf(customer.Token)

		r := p.do("POST", "/v1/accounts/"+pacct+"/orders", partner.Token, api.NewOrder{Product: "MiTeam Meetings", Edition: "standard", Quantity: 4})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var order api.Order
		r.decode(t, &order)
		require.Len(t, order.LicenseIDs, 1)

		// A customer cannot delegate to a partner that sold it nothing.
		r = p.do("PUT", "/v1/accounts/"+cacct+"/delegation", customer.Token, api.DelegationRequest{PartnerAccountID: pacct})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, "delegation.not_your_partner", r.problem(t).Code)

		r = p.do("POST", "/v1/orders/"+order.ID+"/assign", partner.Token, api.AssignOrderRequest{AccountID: cacct})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var sols []api.Solution
		p.do("GET", "/v1/solutions", customer.Token, nil).decode(t, &sols)
		require.Len(t, sols, 1)
		assert.Equal(t, order.LicenseIDs[0], sols[0].LicenseID)
		assert.Equal(t, 4, sols[0].Available)

		// Assigned once only.
		r = p.do("POST", "/v1/orders/"+order.ID+"/assign", partner.Token, api.AssignOrderRequest{AccountID: cacct})
		assert.Equal(t, http.StatusConflict, r.Status)

		// The partner no longer manages the licenses, until the customer
		// delegates management.
		r = p.do("POST", "/v1/licenses/"+sols[0].LicenseID+"/seats", partner.Token, api.SeatRequest{Email: "u@customer.example"})
		assert.Equal(t, http.StatusNotFound, r.Status)
		r = p.do("PUT", "/v1/accounts/"+cacct+"/delegation", customer.Token, api.DelegationRequest{PartnerAccountID: pacct})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r = p.do("POST", "/v1/licenses/"+sols[0].LicenseID+"/seats", partner.Token, api.SeatRequest{Email: "u@customer.example"})
		assert.Equal(t, http.StatusCreated, r.Status, string(r.Body))

		// Revoking the delegation ends it.
		require.Equal(t, http.StatusOK, p.do("PUT", "/v1/accounts/"+cacct+"/delegation", customer.Token, api.DelegationRequest{}).Status)
		r = p.do("DELETE", "/v1/licenses/"+sols[0].LicenseID+"/seats/u@customer.example", partner.Token, nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func TestIntegration_SwitchesGiveTheVisibleStatesAndRevocationRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@cobalt.example", "Cobalt")
		acct := p.accountOf(owner.Token)
		p.issue(acct, "MiTeam", "standard", nil, 1)
		p.signup("eva@cobalt.example", "Eva")
		p.signup("joe@cobalt.example", "Joe")
		for _, e := range []string{"eva@cobalt.example", "joe@cobalt.example"} {
			require.Equal(t, http.StatusOK, p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: e, Role: "member"}).Status)
		}
		path := "/v1/accounts/" + acct + "/integrations/MiTeam"
		states := func() map[string]string {
			var in api.Integration
			r := p.do("GET", path, owner.Token, nil)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
			r.decode(t, &in)
			m := map[string]string{}
			for _, u := range in.Users {
				m[u.Email] = u.State
			}
			return m
		}
		set := func(sw api.IntegrationSwitches) {
			r := p.do("PATCH", path, owner.Token, sw)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		}
		user := func(email string, on bool) reply {
			return p.do("POST", path+"/users", owner.Token, api.UserSwitch{Email: email, On: on})
		}
		on, off := true, false

		assert.Equal(t, "No licenses", states()["eva@cobalt.example"], "integration off: No licenses whatever else holds")
		assert.Equal(t, http.StatusForbidden, user("eva@cobalt.example", true).Status)

		set(api.IntegrationSwitches{ProductOn: &on})
		require.Equal(t, http.StatusOK, user("eva@cobalt.example", true).Status)
		st := states()
		assert.Equal(t, "on", st["eva@cobalt.example"])
		assert.Equal(t, "Licenses not available", st["joe@cobalt.example"], "the only license is taken")
		assert.Equal(t, http.StatusConflict, user("joe@cobalt.example", true).Status)

		// External controller on: read-only for holders, No licenses for others.
		set(api.IntegrationSwitches{ExternalController: &on})
		st = states()
		assert.Equal(t, "read-only on", st["eva@cobalt.example"])
		assert.Equal(t, "No licenses", st["joe@cobalt.example"])
		assert.Equal(t, http.StatusForbidden, user("eva@cobalt.example", false).Status)

		// Product off while the controller is on: licenses stay; then
		// controller off afterwards: they still stay.
		set(api.IntegrationSwitches{ProductOn: &off})
		set(api.IntegrationSwitches{ExternalController: &off})
		var assigned []api.AssignedProduct
		eva := loginAs(t, p, "eva@cobalt.example")
		p.do("GET", "/v1/assigned", eva, nil).decode(t, &assigned)
		assert.Len(t, assigned, 1, "the license survived: the controller was on when the integration went off")

		// The other order: controller off first, then product off revokes.
		set(api.IntegrationSwitches{ProductOn: &on})
		set(api.IntegrationSwitches{ProductOn: &off})
		var none []api.AssignedProduct
		p.do("GET", "/v1/assigned", eva, nil).decode(t, &none)
		assert.Empty(t, none, "turning the integration off with the controller off revokes")
	})
}

func loginAs(t *testing.T, p *testPortal, email string) string {
	t.Helper()
	r := p.do("POST", "/v1/login", "", api.Credentials{Email: email, Password: "correct horse battery"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var s api.Session
	r.decode(t, &s)
	return s.Token
}

func TestProducts_RegisteredByLicenseNumberShowNumbersGroupsAndRoles(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@prod.example", "Prod Co")
		lic := p.issue(p.accountOf(owner.Token), "QiBuilder", "standard", nil, 2)
		var sol api.Solution
		p.do("GET", "/v1/licenses/"+lic, owner.Token, nil).decode(t, &sol)

		r := p.do("POST", "/v1/products", owner.Token, api.RegisterProductRequest{Number: "NOPE-0000"})
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Equal(t, "product.license_unknown", r.problem(t).Code)

		r = p.do("POST", "/v1/products", owner.Token, api.RegisterProductRequest{Number: sol.ContractNumber})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var prods []api.Product
		p.do("GET", "/v1/products", owner.Token, nil).decode(t, &prods)
		require.Len(t, prods, 1)
		assert.Equal(t, "QiBuilder", prods[0].Product)
		assert.Equal(t, "license_number", prods[0].Source)
		require.Len(t, prods[0].Licenses, 1)
		assert.Equal(t, sol.ContractNumber, prods[0].Licenses[0].Number)
		assert.Equal(t, "Prod Co", prods[0].Licenses[0].UserGroup)
		assert.Equal(t, "owner", prods[0].Licenses[0].Role)

		// Someone else's license number does not register.
		other := p.signup("x@other.example", "Other")
		r = p.do("POST", "/v1/products", other.Token, api.RegisterProductRequest{Number: sol.ContractNumber})
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func TestIntegration_ExternalControllerMakesEverySeatWriteOfTheProductReadOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@teal.example", "Teal")
		acct := p.accountOf(owner.Token)
		lic := p.issue(acct, "MiTeam", "standard", nil, 3)
		other := p.issue(acct, "Eberick", "professional", nil, 2)
		seats := "/v1/licenses/" + lic + "/seats"
		require.Equal(t, http.StatusCreated, p.do("POST", seats, owner.Token, api.SeatRequest{Email: "ana@teal.example"}).Status)
		on := true
		r := p.do("PATCH", "/v1/accounts/"+acct+"/integrations/MiTeam", owner.Token, api.IntegrationSwitches{ProductOn: &on, ExternalController: &on})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))

		writes := []struct {
			name         string
			method, path string
			body         any
		}{
			{"assign", "POST", seats, api.SeatRequest{Email: "bia@teal.example"}},
			{"remove", "DELETE", seats + "/ana@teal.example", nil},
			{"reassign", "POST", seats + "/reassign", api.ReassignRequest{From: "ana@teal.example", To: "bia@teal.example"}},
		}
		for _, w := range writes {
			r := p.do(w.method, w.path, owner.Token, w.body)
			assert.Equal(t, http.StatusForbidden, r.Status, w.name)
			assert.Equal(t, "integration.readonly", r.problem(t).Code, w.name)
		}
		var sol api.Solution
		p.do("GET", "/v1/licenses/"+lic, owner.Token, nil).decode(t, &sol)
		assert.Equal(t, 2, sol.Available, "nothing changed")

		// Another product of the account is not under the controller.
		assert.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+other+"/seats", owner.Token, api.SeatRequest{Email: "bia@teal.example"}).Status)

		// With the controller off, the seats are the owner's again.
		off := false
		require.Equal(t, http.StatusOK, p.do("PATCH", "/v1/accounts/"+acct+"/integrations/MiTeam", owner.Token, api.IntegrationSwitches{ExternalController: &off}).Status)
		assert.Equal(t, http.StatusOK, p.do("DELETE", seats+"/ana@teal.example", owner.Token, nil).Status)
	})
}
