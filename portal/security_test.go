package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// victim is an account full of objects that a stranger's token must not
// read or change.
type victim struct {
	token, account, partner, license, order, product string
}

func newVictim(t *testing.T, p *testPortal) victim {
	v := victim{product: "Eberick"}
	s := p.signup("owner@victim.example", "Victim")
	v.token, v.account = s.Token, p.accountOf(s.Token)
	v.license = p.issue(v.account, "Eberick", "professional", []string{"A"}, 3)
	require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+v.license+"/seats", v.token, api.SeatRequest{Email: "held@victim.example"}).Status)
	ps := p.signup("staff@vpartner.example", "VPartner")
	v.partner = p.accountOf(ps.Token)
	require.NoError(t, p.Store.SetPartner(context.Background(), v.partner, true))
	var o api.Order
	p.do("POST", "/v1/accounts/"+v.partner+"/orders", ps.Token, api.NewOrder{Product: "X", Edition: "basic", Quantity: 1}).decode(t, &o)
	v.order = o.ID
	on := true
	require.Equal(t, http.StatusOK, p.do("PATCH", "/v1/accounts/"+v.account+"/integrations/Eberick", v.token, api.IntegrationSwitches{ProductOn: &on}).Status)
	return v
}

// state is everything the victim's accounts hold, to prove nothing changed.
func (v victim) state(t *testing.T, p *testPortal) string {
	var b strings.Builder
	for _, path := range []string{"/v1/solutions", "/v1/accounts/" + v.account + "/audit", "/v1/accounts/" + v.account + "/integrations",
		"/v1/products", "/v1/accounts/" + v.account + "/members", "/v1/me"} {
		r := p.do("GET", path, v.token, nil)
		require.Equal(t, http.StatusOK, r.Status, path)
		b.Write(r.Body)
	}
	return b.String()
}

// foreignCases names, for every authenticated route, a request a stranger
// could try against the victim's objects.
func foreignCases(v victim) map[string]struct {
	path string
	body any
} {
	type c = struct {
		path string
		body any
	}
	return map[string]c{
		"POST /v1/logout":                                     {"/v1/logout", nil},
		"GET /v1/me":                                          {"/v1/me", nil},
		"PATCH /v1/me":                                        {"/v1/me", api.ProfileUpdate{Language: "fr"}},
		"GET /v1/solutions":                                   {"/v1/solutions", nil},
		"GET /v1/licenses/{id}":                               {"/v1/licenses/" + v.license, nil},
		"POST /v1/licenses/{id}/seats":                        {"/v1/licenses/" + v.license + "/seats", api.SeatRequest{Email: "intruder@evil.example"}},
		"DELETE /v1/licenses/{id}/seats/{ref}":                {"/v1/licenses/" + v.license + "/seats/held@victim.example", nil},
		"POST /v1/licenses/{id}/seats/reassign":               {"/v1/licenses/" + v.license + "/seats/reassign", api.ReassignRequest{From: "held@victim.example", To: "intruder@evil.example"}},
		"GET /v1/licenses/{id}/audit":                         {"/v1/licenses/" + v.license + "/audit", nil},
		"GET /v1/assigned":                                    {"/v1/assigned", nil},
		"POST /v1/assigned/adopt":                             {"/v1/assigned/adopt", api.AdoptRequest{LicenseID: v.license}},
		"GET /v1/orders":                                      {"/v1/orders", nil},
		"POST /v1/accounts/{id}/orders":                       {"/v1/accounts/" + v.partner + "/orders", api.NewOrder{Product: "X", Edition: "basic", Quantity: 1}},
		"POST /v1/orders/{id}/assign":                         {"/v1/orders/" + v.order + "/assign", api.AssignOrderRequest{AccountID: v.account}},
		"PUT /v1/accounts/{id}/delegation":                    {"/v1/accounts/" + v.account + "/delegation", api.DelegationRequest{PartnerAccountID: v.partner}},
		"GET /v1/accounts/{id}/members":                       {"/v1/accounts/" + v.account + "/members", nil},
		"POST /v1/accounts/{id}/members":                      {"/v1/accounts/" + v.account + "/members", api.MemberRequest{Email: "stranger@evil.example", Role: "admin"}},
		"DELETE /v1/accounts/{id}/members/{email}":            {"/v1/accounts/" + v.account + "/members/owner@victim.example", nil},
		"POST /v1/accounts/{id}/owner":                        {"/v1/accounts/" + v.account + "/owner", api.HandOverRequest{Email: "stranger@evil.example"}},
		"GET /v1/offers":                                      {"/v1/offers", nil},
		"POST /v1/offers/{account}/accept":                    {"/v1/offers/" + v.account + "/accept", nil},
		"POST /v1/offers/{account}/decline":                   {"/v1/offers/" + v.account + "/decline", nil},
		"GET /v1/accounts/{id}/audit":                         {"/v1/accounts/" + v.account + "/audit", nil},
		"GET /v1/accounts/{id}/integrations":                  {"/v1/accounts/" + v.account + "/integrations", nil},
		"GET /v1/accounts/{id}/integrations/{product}":        {"/v1/accounts/" + v.account + "/integrations/Eberick", nil},
		"PATCH /v1/accounts/{id}/integrations/{product}":      {"/v1/accounts/" + v.account + "/integrations/Eberick", api.IntegrationSwitches{}},
		"POST /v1/accounts/{id}/integrations/{product}/users": {"/v1/accounts/" + v.account + "/integrations/Eberick/users", api.UserSwitch{Email: "stranger@evil.example", On: true}},
		"GET /v1/products":                                    {"/v1/products", nil},
		"POST /v1/products":                                   {"/v1/products", api.RegisterProductRequest{AccountID: v.account, Product: "Stolen"}},
		"GET /v1/changes":                                     {"/v1/changes", nil},
		// Keys and activations (issue 4); keystory_test.go points them at a
		// victim's real keys too.
		"GET /v1/keys":                 {"/v1/keys", nil},
		"GET /v1/upgrades":             {"/v1/upgrades", nil},
		"POST /v1/keys":                {"/v1/keys", api.AddKeyRequest{Key: strangerKey()}},
		"POST /v1/keys/get":            {"/v1/keys/get", api.GetKeyRequest{Serial: portal.DemoSerial, AccountID: v.account, Registration: keyReg}},
		"POST /v1/keys/upgrade":        {"/v1/keys/upgrade", api.UpgradeKeyRequest{NotificationID: portal.DemoUpgradeNotification, Product: "X", Quantity: 1}},
		"POST /v1/activations":         {"/v1/activations", api.ActivateRequest{Key: strangerKey(), Fingerprint: machineFP("s"), Machine: "s"}},
		"POST /v1/activations/offline": {"/v1/activations/offline", strangerRequestFile()},
		"DELETE /v1/activations/{id}":  {"/v1/activations/act_none", nil},
		"POST /v1/activations/receipt": {"/v1/activations/receipt", strangerReceiptFile()},
		"POST /v1/leases":              {"/v1/leases", api.LeaseRequest{Product: v.product}},
		"GET /v1/subscriptions":        {"/v1/subscriptions", nil},
	}
}

// TestEveryEndpoint_AStrangersTokenNeitherReadsNorChangesAnotherAccount
// walks every authenticated route the server registers: a route with no
// case here fails the test, so new endpoints cannot skip the check.
func TestEveryEndpoint_AStrangersTokenNeitherReadsNorChangesAnotherAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		v := newVictim(t, p)
		stranger := p.signup("stranger@evil.example", "Evil")
		before := v.state(t, p)
		cases := foreignCases(v)
		for k, c := range contentForeignCases(v) {
			cases[k] = c
		}
		routes := portal.New(portal.Config{Store: p.Store}).Routes()
		for _, rt := range routes {
			if !rt.Authed {
				continue
			}
			c, ok := cases[rt.Pattern]
			require.True(t, ok, "no stranger case for %s: add one", rt.Pattern)
			method, _, _ := strings.Cut(rt.Pattern, " ")
			t.Run(rt.Pattern, func(t *testing.T) {
				// Without a token: 401.
				r := p.do(method, c.path, "", c.body)
				assert.Equal(t, http.StatusUnauthorized, r.Status)
				// With the stranger's token: refused, or answered with only
				// the stranger's own objects.
				r = p.do(method, c.path, stranger.Token, c.body)
				if r.Status < 300 {
					for _, secret := range []string{v.license, v.account, "held@victim.example", v.order} {
						assert.NotContains(t, string(r.Body), secret, "%s leaked %s", rt.Pattern, secret)
					}
				} else {
					assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.Status, string(r.Body))
				}
			})
			if rt.Pattern == "POST /v1/logout" {
				stranger = p.signup("stranger2@evil.example", "Evil2")
			}
		}
		assert.Equal(t, before, v.state(t, p), "nothing of the victim's changed")
	})
}

func TestBadInput_GetsAClearErrorAndChangesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		v := newVictim(t, p)
		before := v.state(t, p)
		seats := "/v1/licenses/" + v.license + "/seats"
		big := append([]byte(`{"email":"`), bytes.Repeat([]byte("a"), api.MaxBodyBytes)...)
		cases := []struct {
			name   string
			method string
			path   string
			body   []byte
			status int
			code   string
		}{
			{"oversized body", "POST", seats, big, http.StatusRequestEntityTooLarge, "request.too_large"},
			{"malformed JSON", "POST", seats, []byte(`{"email":`), http.StatusBadRequest, "request.malformed"},
			{"unknown field", "POST", seats, []byte(`{"email":"a@b.example","admin":true}`), http.StatusBadRequest, "request.unknown_field"},
			{"wrong type", "POST", seats, []byte(`{"email":42}`), http.StatusBadRequest, "request.malformed"},
			{"trailing data", "POST", seats, []byte(`{"email":"a@b.example"} {}`), http.StatusBadRequest, "request.malformed"},
			{"empty body", "POST", seats, nil, http.StatusBadRequest, "request.empty"},
			{"invalid e-mail", "POST", seats, []byte(`{"email":"not an e-mail"}`), http.StatusBadRequest, "email.invalid"},
			{"e-mail with a display name", "POST", seats, []byte(`{"email":"Bob <bob@x.example>"}`), http.StatusBadRequest, "email.invalid"},
			{"unknown license", "POST", "/v1/licenses/lic_nope/seats", []byte(`{"email":"a@b.example"}`), http.StatusNotFound, "license.not_found"},
			{"remove a seat nobody holds", "DELETE", seats + "/nobody@x.example", nil, http.StatusNotFound, "seat.not_held"},
			{"unknown seat state in a reassign target", "POST", seats + "/reassign", []byte(`{"from":"held@victim.example","to":"x@@y"}`), http.StatusBadRequest, "email.invalid"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := p.do(c.method, c.path, v.token, c.body)
				assert.Equal(t, c.status, r.Status, string(r.Body))
				pr := r.problem(t)
				assert.Equal(t, c.code, pr.Code)
				assert.NotEmpty(t, pr.Detail)
				assert.NotContains(t, pr.Detail, "\n", "one line")
			})
		}
		assert.Equal(t, before, v.state(t, p))
	})
}

func TestLogin_RepeatedFailuresAreRateLimitedAndSecretsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	st, err := store.Open(context.Background(), storetest.Backends(t)[0].DSN, store.WithKeyEncryptionKey(testKEK(t)))
	require.NoError(t, err)
	defer st.Close()
	srv := httptest.NewServer(portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: filepath.Join(t.TempDir(), "m")},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	p := &testPortal{t: t, URL: srv.URL, Store: st, http: srv.Client()}
	sess := p.signup("victim@rate.example", "Rate")
	for i := 0; i < 5; i++ {
		r := p.do("POST", "/v1/login", "", api.Credentials{Email: "victim@rate.example", Password: "wrong password " + fmt.Sprint(i)})
		require.Equal(t, http.StatusUnauthorized, r.Status)
		assert.Equal(t, "auth.credentials", r.problem(t).Code)
	}
	r := p.do("POST", "/v1/login", "", api.Credentials{Email: "victim@rate.example", Password: "correct horse battery"})
	assert.Equal(t, http.StatusTooManyRequests, r.Status, "locked out even with the right password")
	assert.Equal(t, "auth.rate_limited", r.problem(t).Code)

	// Logout revokes the token.
	require.Equal(t, http.StatusNoContent, p.do("POST", "/v1/logout", sess.Token, nil).Status)
	r = p.do("GET", "/v1/me", sess.Token, nil)
	assert.Equal(t, http.StatusUnauthorized, r.Status)

	assert.NotContains(t, logs.String(), sess.Token)
	assert.NotContains(t, logs.String(), "correct horse battery")
	assert.NotContains(t, logs.String(), "wrong password")
	var anyLine map[string]any
	assert.Error(t, json.Unmarshal(logs.Bytes(), &anyLine), "text logs")
}

// TestActivatePage_SharesTheLoginEndpointsFailureLimit: guessing passwords
// through the HTML page is no way around the API's lock-out.
func TestActivatePage_SharesTheLoginEndpointsFailureLimit(t *testing.T) {
	p := startPortal(t, storetest.Backends(t)[0].DSN)
	p.signup("victim@page.example", "Page")
	for i := 0; i < 5; i++ {
		r := p.page(map[string]string{"email": "victim@page.example", "password": fmt.Sprintf("guess number %d", i)}, []byte("x"))
		assert.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := p.do("POST", "/v1/login", "", api.Credentials{Email: "victim@page.example", Password: "correct horse battery"})
	assert.Equal(t, http.StatusTooManyRequests, r.Status, "the page's failures lock the API's login too")
}
