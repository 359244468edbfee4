package portal_test

import (
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

func seatState(t *testing.T, p *testPortal, token, lic, email string) string {
	t.Helper()
	var sol api.Solution
	p.do("GET", "/v1/licenses/"+lic, token, nil).decode(t, &sol)
	seat, ok := seatOf(sol, email)
	require.True(t, ok)
	return seat.State
}

func TestVerification_AnUnverifiedSignupTakesNoPendingSeatUntilTheCodeIsEntered(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acme.example", "Acme")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "standard", nil, 2)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "diego@newhire.example"}).Status)

		squat := p.signupUnverified("diego@newhire.example", "Squatter")
		assert.False(t, squat.User.Verified)
		assert.Equal(t, "pending", seatState(t, p, owner.Token, lic, "diego@newhire.example"), "signing up alone takes no seat")
		var assigned []api.AssignedProduct
		p.do("GET", "/v1/assigned", squat.Token, nil).decode(t, &assigned)
		assert.Empty(t, assigned)

		r := p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: "diego@newhire.example", Code: "00000000"})
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Equal(t, "verify.code", r.problem(t).Code)
		assert.Equal(t, "pending", seatState(t, p, owner.Token, lic, "diego@newhire.example"))

		p.verifyByMail("diego@newhire.example")
		assert.Equal(t, "assigned", seatState(t, p, owner.Token, lic, "diego@newhire.example"))
		var me api.Me
		p.do("GET", "/v1/me", squat.Token, nil).decode(t, &me)
		assert.True(t, me.User.Verified)
	})
}

func TestVerification_ANewSignupForAnUnverifiedAddressEndsTheSquattersSession(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		squat := p.signupUnverified("it-admin@acme.example", "Squatter")
		real := p.signupUnverified("it-admin@acme.example", "IT Admin")
		assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/v1/me", squat.Token, nil).Status, "the squatter's session ended")
		p.verifyByMail("it-admin@acme.example")
		var me api.Me
		p.do("GET", "/v1/me", real.Token, nil).decode(t, &me)
		assert.Equal(t, "IT Admin", me.User.Name)
		assert.True(t, me.User.Verified)
	})
}

func TestVerification_ACodeDiesAfterFiveWrongTries(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		p.signupUnverified("ana@acme.example", "Ana")
		code := p.mailedCode("ana@acme.example")
		for i := 0; i < 5; i++ {
			r := p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: "ana@acme.example", Code: "1" + code[1:] + "x"})
			require.Equal(t, http.StatusBadRequest, r.Status)
		}
		r := p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: "ana@acme.example", Code: code})
		assert.Equal(t, http.StatusBadRequest, r.Status, "the right code no longer works after five wrong ones")
		require.Equal(t, http.StatusAccepted, p.do("POST", "/v1/verify/resend", "", api.ResendRequest{Email: "ana@acme.example"}).Status)
		fresh := p.mailedCode("ana@acme.example")
		assert.NotEqual(t, code, fresh)
		assert.Equal(t, http.StatusOK, p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: "ana@acme.example", Code: fresh}).Status)
	})
}

func TestVerification_ResendIsRateLimitedPerAddressAndSaysNothingAboutAccounts(t *testing.T) {
	p := startPortal(t, "sqlite:"+t.TempDir()+"/p.db")
	p.signupUnverified("ana@acme.example", "Ana")
	for i := 0; i < 3; i++ {
		assert.Equal(t, http.StatusAccepted, p.do("POST", "/v1/verify/resend", "", api.ResendRequest{Email: "ana@acme.example"}).Status)
	}
	r := p.do("POST", "/v1/verify/resend", "", api.ResendRequest{Email: "ana@acme.example"})
	assert.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.NotEmpty(t, r.Status)
	assert.Equal(t, http.StatusAccepted, p.do("POST", "/v1/verify/resend", "", api.ResendRequest{Email: "nobody@acme.example"}).Status,
		"an address without an account answers the same")
}

func TestVerifyPage_GetChangesNothingAndPostVerifies(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		s := p.signupUnverified("ana@acme.example", "Ana")
		code := p.mailedCode("ana@acme.example")
		resp, err := p.http.Get(p.URL + "/verify?" + url.Values{"email": {"ana@acme.example"}, "code": {code}}.Encode())
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		var me api.Me
		p.do("GET", "/v1/me", s.Token, nil).decode(t, &me)
		assert.False(t, me.User.Verified, "opening the link (a mail scanner may) verifies nothing")
		resp, err = p.http.PostForm(p.URL+"/verify", url.Values{"email": {"ana@acme.example"}, "code": {code}})
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		p.do("GET", "/v1/me", s.Token, nil).decode(t, &me)
		assert.True(t, me.User.Verified)
	})
}

func TestMembership_IsAnOfferTheInviteeAcceptsOrDeclines(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acme.example", "Acme")
		acct := p.accountOf(owner.Token)
		unverified := p.signupUnverified("new@acme.example", "New")
		r := p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "new@acme.example", Role: "member"})
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "member.unverified", r.problem(t).Code, "an unverified address gets no offer")

		carla := p.signup("carla@acme.example", "Carla")
		r = p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "carla@acme.example", Role: "admin"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var m api.Member
		r.decode(t, &m)
		assert.Equal(t, "offered", m.Status)
		var me api.Me
		p.do("GET", "/v1/me", carla.Token, nil).decode(t, &me)
		assert.Len(t, me.Memberships, 1, "an offer is not a membership")
		var offers []api.Offer
		p.do("GET", "/v1/offers", carla.Token, nil).decode(t, &offers)
		require.Len(t, offers, 1)
		assert.Equal(t, acct, offers[0].AccountID)
		assert.Equal(t, "admin", offers[0].Role)
		assert.Equal(t, "owner@acme.example", offers[0].OfferedBy)
		// An unverified user accepts nothing; nobody else accepts Carla's offer.
		r = p.do("POST", "/v1/offers/"+acct+"/accept", unverified.Token, nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, "account.unverified", r.problem(t).Code)
		other := p.signup("other@acme.example", "Other")
		assert.Equal(t, http.StatusNotFound, p.do("POST", "/v1/offers/"+acct+"/accept", other.Token, nil).Status)

		require.Equal(t, http.StatusOK, p.do("POST", "/v1/offers/"+acct+"/accept", carla.Token, nil).Status)
		p.do("GET", "/v1/me", carla.Token, nil).decode(t, &me)
		assert.Len(t, me.Memberships, 2)
		p.do("GET", "/v1/offers", carla.Token, nil).decode(t, &offers)
		assert.Empty(t, offers)

		bob := p.signup("bob@acme.example", "Bob")
		require.Equal(t, http.StatusOK, p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "bob@acme.example", Role: "member"}).Status)
		require.Equal(t, http.StatusNoContent, p.do("POST", "/v1/offers/"+acct+"/decline", bob.Token, nil).Status)
		p.do("GET", "/v1/me", bob.Token, nil).decode(t, &me)
		assert.Len(t, me.Memberships, 1, "a declined offer joins nothing")
		assert.Equal(t, http.StatusNotFound, p.do("POST", "/v1/offers/"+acct+"/accept", bob.Token, nil).Status)
	})
}

func join(t *testing.T, p *testPortal, owner api.Session, acct, email, role string) api.Session {
	t.Helper()
	s := p.signup(email, strings.Split(email, "@")[0])
	require.Equal(t, http.StatusOK, p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: email, Role: role}).Status)
	require.Equal(t, http.StatusOK, p.do("POST", "/v1/offers/"+acct+"/accept", s.Token, nil).Status)
	return s
}

func TestMembership_MembersLeaveAndOwnersAndAdminsRemove(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acme.example", "Acme")
		acct := p.accountOf(owner.Token)
		admin := join(t, p, owner, acct, "admin@acme.example", "admin")
		m1 := join(t, p, owner, acct, "m1@acme.example", "member")
		m2 := join(t, p, owner, acct, "m2@acme.example", "member")

		// A member removes nobody else, but leaves.
		assert.Equal(t, http.StatusForbidden, p.do("DELETE", "/v1/accounts/"+acct+"/members/m2@acme.example", m1.Token, nil).Status)
		assert.Equal(t, http.StatusNoContent, p.do("DELETE", "/v1/accounts/"+acct+"/members/m1@acme.example", m1.Token, nil).Status)
		// An admin removes a member; nobody removes the owner.
		assert.Equal(t, http.StatusNoContent, p.do("DELETE", "/v1/accounts/"+acct+"/members/m2@acme.example", admin.Token, nil).Status)
		r := p.do("DELETE", "/v1/accounts/"+acct+"/members/owner@acme.example", admin.Token, nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, "member.owner", r.problem(t).Code)
		var ms []api.Member
		p.do("GET", "/v1/accounts/"+acct+"/members", owner.Token, nil).decode(t, &ms)
		assert.Len(t, ms, 2)
		var me api.Me
		p.do("GET", "/v1/me", m2.Token, nil).decode(t, &me)
		assert.Len(t, me.Memberships, 1, "only their own account is left")
	})
}

func TestOwner_CannotDemoteOrRemoveThemselvesWithoutHandingOver(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@acme.example", "Acme")
		acct := p.accountOf(owner.Token)
		r := p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "owner@acme.example", Role: "member"})
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "member.owner", r.problem(t).Code)
		r = p.do("DELETE", "/v1/accounts/"+acct+"/members/owner@acme.example", owner.Token, nil)
		assert.Equal(t, http.StatusConflict, r.Status)
		for _, role := range []string{"partner", "owner", "superuser"} {
			r = p.do("POST", "/v1/accounts/"+acct+"/members", owner.Token, api.MemberRequest{Email: "owner@acme.example", Role: role})
			assert.Equal(t, http.StatusBadRequest, r.Status, role)
			assert.Equal(t, "member.role", r.problem(t).Code)
		}

		// Handing over needs a verified member.
		outsider := p.signup("out@else.example", "Out")
		r = p.do("POST", "/v1/accounts/"+acct+"/owner", owner.Token, api.HandOverRequest{Email: "out@else.example"})
		assert.Equal(t, http.StatusNotFound, r.Status)
		_ = outsider
		admin := join(t, p, owner, acct, "admin@acme.example", "admin")
		r = p.do("POST", "/v1/accounts/"+acct+"/owner", admin.Token, api.HandOverRequest{Email: "admin@acme.example"})
		assert.Equal(t, http.StatusForbidden, r.Status, "only the owner hands over")
		r = p.do("POST", "/v1/accounts/"+acct+"/owner", owner.Token, api.HandOverRequest{Email: "admin@acme.example"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var ms []api.Member
		p.do("GET", "/v1/accounts/"+acct+"/members", admin.Token, nil).decode(t, &ms)
		roles := map[string]string{}
		for _, m := range ms {
			roles[m.Email] = m.Role
		}
		assert.Equal(t, map[string]string{"owner@acme.example": "admin", "admin@acme.example": "owner"}, roles)
		// The former owner may now leave.
		assert.Equal(t, http.StatusNoContent, p.do("DELETE", "/v1/accounts/"+acct+"/members/owner@acme.example", owner.Token, nil).Status)
	})
}

func TestVerification_TheEmailCarriesTheCodeAndALinkToThePage(t *testing.T) {
	st, err := store.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "p.db"), store.WithKeyEncryptionKey(testKEK(t)))
	require.NoError(t, err)
	defer st.Close()
	dir := filepath.Join(t.TempDir(), "mail")
	srv := httptest.NewServer(portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: dir}, BaseURL: "https://portal.example"}))
	defer srv.Close()
	p := &testPortal{t: t, URL: srv.URL, Store: st, MailDir: dir, http: srv.Client(),
		Server: portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: dir}, BaseURL: "https://portal.example"})}
	p.signupUnverified("ana@acme.example", "Ana")
	code := p.mailedCode("ana@acme.example")
	body := strings.Join(p.allMails("ana@acme.example"), "")
	decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	require.NoError(t, err)
	body = string(decoded)
	assert.Contains(t, body, "https://portal.example/verify?code="+code+"&email=ana%40acme.example")
}
