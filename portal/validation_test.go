package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

func TestSignup_RefusesControlBidiAndOverlongNamesAndCreatesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		for i, tc := range []struct{ name, acct string }{
			{"Eberick\x1b[31m", ""},
			{"Ana\x00", ""},
			{"Ana", "Acme\u202Egpj.exe"},
			{strings.Repeat("A", 300*1024), ""},
			{"Ana", strings.Repeat("B", 101)},
		} {
			email := "bad" + string(rune('a'+i)) + "@acme.example"
			r := p.do("POST", "/v1/signup", "", api.Credentials{Email: email, Password: "correct horse battery", Name: tc.name, AccountName: tc.acct})
			require.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, r.Status, string(r.Body))
			r = p.do("POST", "/v1/login", "", api.Credentials{Email: email, Password: "correct horse battery"})
			assert.Equal(t, http.StatusUnauthorized, r.Status, "a refused signup created no account")
		}
	})
}

func TestSignup_NamesAreStoredInNFC(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		s := p.signup("jose@acme.example", "Jose\u0301")
		assert.Equal(t, "Jos\u00e9", s.User.Name)
	})
}

func TestSignup_LookAlikeDomainIsTheSameAddress(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		p.signup("ana@bücher.example", "Ana") // verified: the address is taken
		r := p.do("POST", "/v1/signup", "", api.Credentials{Email: "ana@ｂüｃｈｅｒ.example", Password: "correct horse battery"})
		assert.Equal(t, http.StatusConflict, r.Status, string(r.Body))
		r = p.do("POST", "/v1/signup", "", api.Credentials{Email: "ana@xn--bcher-kva.example", Password: "correct horse battery"})
		assert.Equal(t, http.StatusConflict, r.Status, string(r.Body))
	})
}

func TestRegisterProduct_OnlyProductsTheCatalogueHas(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		ana := p.signup("ana@acme.example", "Acme")
		for _, name := range []string{"Made Up", strings.Repeat("P", 200), "Eberick\u202E"} {
			r := p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Product: name})
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, r.Status, string(r.Body))
		}
		var ps []api.Product
		p.do("GET", "/v1/products", ana.Token, nil).decode(t, &ps)
		assert.Empty(t, ps, "no refused name was listed")
		p.sell("Eberick")
		assert.Equal(t, http.StatusCreated, p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Product: "Eberick"}).Status)
	})
}

func TestOrderFields_RefuseControlCharacters(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		s := p.signup("sales@reseller.example", "Reseller")
		acct := p.accountOf(s.Token)
		require.NoError(t, p.Store.SetPartner(t.Context(), acct, true))
		for _, o := range []api.NewOrder{
			{Product: "CAD\x00", Edition: "professional", Quantity: 1},
			{Product: "CAD", Edition: "professional", Quantity: 1, Modules: []string{"Core\x1b[2J"}},
			{Product: strings.Repeat("C", 300*1024/2), Edition: "professional", Quantity: 1},
		} {
			r := p.do("POST", "/v1/accounts/"+acct+"/orders", s.Token, o)
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, r.Status, string(r.Body))
		}
	})
}

func TestUnknownRoutesAnswerProblemJSON(t *testing.T) {
	p := startPortal(t, storetest.Backends(t)[0].DSN)
	r := p.do("GET", "/v1/nothing-here", "", nil)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, "route.unknown", r.problem(t).Code)
	r = p.do("PUT", "/v1/signup", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.Status)
	assert.Equal(t, "route.method", r.problem(t).Code)
}

func TestNullAndNonObjectBodiesAreRefused(t *testing.T) {
	p := startPortal(t, storetest.Backends(t)[0].DSN)
	ana := p.signup("ana@acme.example", "Acme")
	for _, body := range []string{"null", " null ", "[]", `"x"`, "42"} {
		r := p.do("POST", "/v1/products", ana.Token, []byte(body))
		assert.Equal(t, http.StatusBadRequest, r.Status, body)
		r = p.do("POST", "/v1/signup", "", []byte(body))
		assert.Equal(t, http.StatusBadRequest, r.Status, body)
	}
}

func TestDatabaseRefusalsAreClientErrorsNot500(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		ana := p.signup("ana@acme.example", "Acme")
		// A NUL in a field that only feeds a query: PostgreSQL refuses the
		// text itself.
		r := p.do("POST", "/v1/products", ana.Token, api.RegisterProductRequest{Number: "LIC\x00-1"})
		assert.Less(t, r.Status, 500, string(r.Body))
		r = p.do("GET", "/v1/licenses/"+url.PathEscape("lic_\x00"), ana.Token, nil)
		assert.Less(t, r.Status, 500, string(r.Body))
	})
}

func TestConcurrentSignupsWithOneEmailNeverAnswer500(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		race := func(email string) []int {
			const n = 6
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = p.do("POST", "/v1/signup", "", api.Credentials{Email: email, Password: "correct horse battery"}).Status
				}()
			}
			wg.Wait()
			return statuses
		}
		// An unverified address starts over with each sign-up: 201s (or a
		// 409 where two inserts met), never a 500.
		for _, st := range race("race@acme.example") {
			assert.Contains(t, []int{http.StatusCreated, http.StatusConflict, http.StatusServiceUnavailable}, st)
		}
		p.verifyByMail("race@acme.example")
		for _, st := range race("race@acme.example") {
			assert.Equal(t, http.StatusConflict, st, "a verified address is taken")
		}
	})
}
