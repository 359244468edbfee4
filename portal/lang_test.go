package portal_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	stdmail "net/mail"
	"regexp"
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

// readMail decodes one .eml the portal wrote: its subject and its text.
func readMail(t *testing.T, raw string) (subject, body string) {
	t.Helper()
	msg, err := stdmail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	// mail.Encode ends the message with a line break of its own.
	return subject, strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
}

// portalMails delivers the queued e-mails and returns those to an address
// that License Desk recognises (X-Licdesk-Kind): the verification codes,
// in any language, aside.
func portalMails(p *testPortal, to string) []string {
	p.t.Helper()
	var out []string
	for _, m := range p.mails(to) {
		if strings.Contains(m, "\r\nX-Licdesk-Kind: ") {
			out = append(out, m)
		}
	}
	return out
}

// signupIn signs up with an Accept-Language and verifies the address with
// the code of the e-mail, which comes in that language.
func (p *testPortal) signupIn(email, name, acceptLanguage string, codeSubject *regexp.Regexp) api.Session {
	p.t.Helper()
	r := p.do("POST", "/v1/signup", "", api.Credentials{Email: email, Password: "correct horse battery", Name: name, AccountName: name},
		"Accept-Language", acceptLanguage)
	require.Equal(p.t, http.StatusCreated, r.Status, string(r.Body))
	var s api.Session
	r.decode(p.t, &s)
	require.NoError(p.t, p.Server.FlushMail(context.Background()))
	code := ""
	for _, m := range p.allMails(email) {
		subject, _ := readMail(p.t.(*testing.T), m)
		if c := codeSubject.FindStringSubmatch(subject); c != nil {
			code = c[1]
		}
	}
	require.NotEmpty(p.t, code, "no verification e-mail in the sign-up's language to %s", email)
	r = p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: email, Code: code})
	require.Equal(p.t, http.StatusOK, r.Status, string(r.Body))
	return s
}

// The issue's "done when": an invitation to a Spanish-speaking account
// arrives in Spanish, through the real outbox and mail sender; an
// invitation to an address with no account is in the inviter's language;
// a changed language holds for the next e-mail.
func TestMail_ToASpanishSpeakingAccountArrivesInSpanish(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		owner := p.signup("owner@mails.example", "Lang Co")
		lic := p.issue(p.accountOf(owner.Token), "Eberick", "professional", nil, 3)
		pablo := p.signupIn("pablo@mails.example", "Pablo", "es-ES,es;q=0.9", regexp.MustCompile(`^Su código de License Desk: (\d+)$`))

		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic+"/seats", owner.Token, api.SeatRequest{Email: "pablo@mails.example"}).Status)
		got := portalMails(p, "pablo@mails.example")
		require.Len(t, got, 1)
		subject, body := readMail(t, got[0])
		assert.Equal(t, "Lang Co le asignó un puesto de Eberick", subject)
		assert.Equal(t, "Hola:\n\nLang Co le asignó un puesto de Eberick (licencia "+lic+").\n"+
			"Inicie sesión en Eberick como pablo@mails.example para usarlo; aparece en \"Asignadas a usted\".\n", body)
		assert.Contains(t, got[0], "X-Licdesk-Kind: seat.assigned", "the headers License Desk reads stay as they are")

		// A Portuguese-speaking owner invites an address with no account:
		// the invitation is in Portuguese.
		ana := p.signupIn("ana@mails.example", "Ana", "pt-BR", regexp.MustCompile(`^Seu código do License Desk: (\d+)$`))
		lic2 := p.issue(p.accountOf(ana.Token), "QiBuilder", "professional", nil, 2)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic2+"/seats", ana.Token, api.SeatRequest{Email: "nova@mails.example"}).Status)
		got = portalMails(p, "nova@mails.example")
		require.Len(t, got, 1)
		subject, body = readMail(t, got[0])
		assert.Equal(t, "Ana atribuiu a você uma licença de QiBuilder: crie sua conta", subject)
		assert.Contains(t, body, "Você ainda não tem conta no License Desk.")

		// Pablo switches to French: the removal comes in French.
		require.Equal(t, http.StatusOK, p.do("PATCH", "/v1/me", pablo.Token, api.ProfileUpdate{Language: "fr"}).Status)
		require.Equal(t, http.StatusOK, p.do("DELETE", "/v1/licenses/"+lic+"/seats/pablo@mails.example", owner.Token, nil).Status)
		got = portalMails(p, "pablo@mails.example")
		require.Len(t, got, 2)
		subject, _ = readMail(t, got[1])
		if !strings.HasPrefix(subject, "Votre poste") {
			subject, _ = readMail(t, got[0])
		}
		assert.Equal(t, "Votre poste Eberick de Lang Co a été retiré", subject)

		// The owner, who signed up with no Accept-Language, still gets
		// English.
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+lic2+"/seats", ana.Token, api.SeatRequest{Email: "owner@mails.example"}).Status)
		got = portalMails(p, "owner@mails.example")
		require.Len(t, got, 1)
		subject, _ = readMail(t, got[0])
		assert.Equal(t, "Ana assigned you a QiBuilder license", subject)
	})
}

// The /activate, /receipt and /verify pages are in the language the
// browser asks for, with <html lang> saying which, and a refusal on them
// is worded in it too.
func TestPages_FollowAcceptLanguage(t *testing.T) {
	p := startPortal(t, "sqlite:"+t.TempDir()+"/portal.db")
	get := func(path, lang string) string {
		r := p.do("GET", path, "", nil, "Accept-Language", lang)
		require.Equal(t, http.StatusOK, r.Status)
		return string(r.Body)
	}
	for _, c := range []struct{ lang, tag, activate, receipt, verify string }{
		{"pt-BR,pt;q=0.8", "pt-BR", "<h1>Ativação offline</h1>", "<h1>Entregar um comprovante de desativação</h1>", "<h1>Confirme seu endereço de e-mail</h1>"},
		{"es", "es", "<h1>Activación sin conexión</h1>", "<h1>Entregar un comprobante de desactivación</h1>", "<h1>Confirme su dirección de correo</h1>"},
		{"fr-CH", "fr", "<h1>Activation hors ligne</h1>", "<h1>Remettre un reçu de désactivation</h1>", "<h1>Confirmez votre adresse e-mail</h1>"},
		{"", "en", "<h1>Offline activation</h1>", "<h1>Hand in a deactivation receipt</h1>", "<h1>Confirm your e-mail address</h1>"},
		{"zz;;q=", "en", "<h1>Offline activation</h1>", "<h1>Hand in a deactivation receipt</h1>", "<h1>Confirm your e-mail address</h1>"},
	} {
		for page, want := range map[string]string{"/activate": c.activate, "/receipt": c.receipt, "/verify": c.verify} {
			body := get(page, c.lang)
			assert.Contains(t, body, `<html lang="`+c.tag+`">`, "%s in %q", page, c.lang)
			assert.Contains(t, body, want, "%s in %q", page, c.lang)
		}
	}

	// A refusal on a page: a wrong code, in Spanish.
	req, err := http.NewRequest("POST", p.URL+"/verify", strings.NewReader("email=nadie%40pages.example&code=123"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "es")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "Accept-Language", resp.Header.Get("Vary"))
	assert.Contains(t, string(b), "<strong>No confirmada:</strong>")
	assert.Contains(t, string(b), "ese código es incorrecto o venció")
}
