package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

// A refusal answers its title and detail in the language the request's
// Accept-Language asks for, with the refusal's specifics, and the same
// stable code; English is the portal's own text, as before.
func TestProblem_TitleAndDetailFollowAcceptLanguageAndTheCodeStays(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@lang.example", "Lang Co")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "professional", nil, 2)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "ana@lang.example"}).Status)
		dup := func(lang string) api.Problem {
			var h []string
			if lang != "" {
				h = []string{"Accept-Language", lang}
			}
			r := p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "ana@lang.example"}, h...)
			require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
			return r.problem(t)
		}
		en := dup("")
		assert.Equal(t, "Conflict", en.Title)
		assert.Equal(t, "ana@lang.example already holds a seat of license "+lic, en.Detail, "English is the portal's own detail")
		for _, c := range []struct{ header, title, detail string }{
			{"pt-BR,pt;q=0.9,en;q=0.5", "Conflito", "esse e-mail já tem uma licença desta solução"},
			{"es-MX", "Conflicto", "ese correo ya tiene un puesto de esta licencia"},
			{"fr-CA, fr;q=0.8", "Conflit", "cette adresse e-mail a déjà un poste de cette licence"},
			{"de-DE", "Conflict", en.Detail},
			{"not a ; language header ,,;q=x", "Conflict", en.Detail},
			{"pt-BR," + strings.Repeat("x-yz;q=0.1,", 40), "Conflict", en.Detail},
		} {
			got := dup(c.header)
			assert.Equal(t, "seat.duplicate", got.Code, c.header)
			assert.Equal(t, "conflict", got.Kind, c.header)
			assert.Equal(t, c.title, got.Title, c.header)
			assert.Equal(t, c.detail, got.Detail, c.header)
		}

		// A refusal with specifics names them in every language.
		r := p.do("DELETE", "/v1/accounts/"+p.accountOf(owner.Token)+"/members/"+"nobody@lang.example", owner.Token, nil, "Accept-Language", "pt-BR")
		require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
		assert.Equal(t, "Não encontrado", r.problem(t).Title)

		r = p.do("POST", "/v1/accounts/"+p.accountOf(owner.Token)+"/members", owner.Token,
			api.MemberRequest{Email: "ghost@lang.example", Role: "member"}, "Accept-Language", "pt-BR")
		require.Equal(t, http.StatusNotFound, r.Status, string(r.Body))
		pr := r.problem(t)
		assert.Equal(t, "member.no_account", pr.Code)
		assert.Equal(t, "ghost@lang.example ainda não tem conta: atribua uma licença para convidar e depois ofereça a participação", pr.Detail)
		assert.Equal(t, map[string]string{"Email": "ghost@lang.example"}, pr.Args, "the specifics go on the wire for the client's own wording")

		// The HTTP layer's refusals too.
		r = p.do("GET", "/v1/no-such-thing", owner.Token, nil, "Accept-Language", "es")
		require.Equal(t, http.StatusNotFound, r.Status)
		assert.Equal(t, "route.unknown", r.problem(t).Code)
		assert.Equal(t, "el portal no tiene esa dirección", r.problem(t).Detail)
		r = p.do("GET", "/v1/solutions", "", nil, "Accept-Language", "fr")
		require.Equal(t, http.StatusUnauthorized, r.Status)
		assert.Equal(t, "Non authentifié", r.problem(t).Title)
		assert.Equal(t, "vous n’êtes pas connecté : lancez licdesk login", r.problem(t).Detail)
	})
}

// The language of the portal's e-mails is kept on the account: from the
// sign-up's Accept-Language, shown by GET /v1/me, changed by PATCH /v1/me.
func TestAccountLanguage_FromTheSignupThenChangedByTheUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		r := p.do("POST", "/v1/signup", "", api.Credentials{Email: "marie@lang.example", Password: "correct horse battery", Name: "Marie"},
			"Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var s api.Session
		r.decode(t, &s)
		var me api.Me
		p.do("GET", "/v1/me", s.Token, nil).decode(t, &me)
		assert.Equal(t, "fr", me.User.Language, "signed up with Accept-Language: fr")

		en := p.signupUnverified("john@lang.example", "John")
		p.do("GET", "/v1/me", en.Token, nil).decode(t, &me)
		assert.Equal(t, "en", me.User.Language, "no Accept-Language is English")

		r = p.do("PATCH", "/v1/me", s.Token, api.ProfileUpdate{Language: "es-MX"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var u api.User
		r.decode(t, &u)
		assert.Equal(t, "es", u.Language, "the nearest catalog is kept")

		for _, bad := range []string{"", "klingon", "de", strings.Repeat("pt-", 20)} {
			r = p.do("PATCH", "/v1/me", s.Token, api.ProfileUpdate{Language: bad})
			require.Equal(t, http.StatusBadRequest, r.Status, bad)
			assert.Equal(t, "account.language", r.problem(t).Code)
		}
		p.do("GET", "/v1/me", s.Token, nil).decode(t, &me)
		assert.Equal(t, "es", me.User.Language, "a refused language changes nothing")
		r = p.do("PATCH", "/v1/me", "", api.ProfileUpdate{Language: "fr"})
		assert.Equal(t, http.StatusUnauthorized, r.Status, "only for the logged-in user")
	})
}
