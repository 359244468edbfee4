package portal

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
)

// verify checks the code e-mailed at sign-up. It needs no login, so that
// the link in the e-mail works from any browser; the code is the proof.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	var req api.VerifyRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.verifyCode(r, req.Email, req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.User{ID: u.ID, Email: string(u.Email), Name: u.Name, Verified: u.Verified})
	return nil
}

// verifyCode is the one way a code is checked (API and page), under the
// per-client and per-address limits.
func (s *Server) verifyCode(r *http.Request, rawEmail, code string) (store.User, error) {
	email, err := core.NormalizeEmail(rawEmail)
	if err != nil {
		return store.User{}, err
	}
	ctx := r.Context()
	if err := s.limit(ctx, "verify-client:"+s.clientAddr(r), s.cfg.Limits.VerifiesPerClient, "verification attempts from your address"); err != nil {
		return store.User{}, err
	}
	if err := s.limit(ctx, "verify-email:"+string(email), s.cfg.Limits.VerifiesPerAddress, "verification attempts for this address"); err != nil {
		return store.User{}, err
	}
	return s.cfg.Store.VerifyEmail(ctx, email, code)
}

// resend sends a new code; it answers the same whether or not the address
// has an account waiting for verification.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) error {
	var req api.ResendRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	email, err := core.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.limit(ctx, "resend-client:"+s.clientAddr(r), s.cfg.Limits.ResendsPerClient, "code requests from your address"); err != nil {
		return err
	}
	if err := s.limit(ctx, "resend-email:"+string(email), s.cfg.Limits.ResendsPerAddress, "code requests for this address"); err != nil {
		return err
	}
	if err := s.cfg.Store.ResendCode(ctx, email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// The verification page: GET shows a form pre-filled from the e-mail's
// link and changes nothing (mail scanners fetch links); POST verifies.
var verifyPageTmpl = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "portal.verify.title"}} - License Desk</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit;font-weight:600}
.error{background:#fde8e8;border:1px solid #e0a0a0;border-radius:6px;padding:.6rem 1rem}
.done{background:#e6f4ea;border:1px solid #9fd0ae;border-radius:6px;padding:.6rem 1rem}
</style>
</head>
<body>
<main>
<h1>{{.T "portal.verify.heading"}}</h1>
{{if .Done}}<p class="done" role="status">{{.T "portal.verify.done" "Email" .Email}}</p>{{else}}
{{if .Error}}<p class="error" role="alert"><strong>{{.T "portal.verify.not_confirmed"}}</strong> {{.Error}}</p>{{end}}
<form method="post" action="/verify">
<label for="email">{{.T "portal.page.email"}}</label>
<input type="email" id="email" name="email" value="{{.Email}}" autocomplete="username">
<label for="code">{{.T "portal.verify.code"}}</label>
<input type="text" id="code" name="code" value="{{.Code}}" inputmode="numeric" autocomplete="one-time-code">
<button type="submit">{{.T "portal.verify.submit"}}</button>
</form>{{end}}
</main>
</body>
</html>
`))

type verifyPageData struct {
	pageWords
	Email, Code, Error string
	Done               bool
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := verifyPageData{pageWords: pageWords{requestLang(r)}, Email: q.Get("email"), Code: q.Get("code")}
	if len(d.Email) > core.MaxEmailLen || len(d.Code) > 32 {
		d.Email, d.Code = "", ""
	}
	return renderPage(w, http.StatusOK, verifyPageTmpl, d)
}

func (s *Server) verifyPagePost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	words := pageWords{requestLang(r)}
	if err := r.ParseForm(); err != nil {
		return renderPage(w, http.StatusBadRequest, verifyPageTmpl, verifyPageData{pageWords: words, Error: words.T("portal.verify.unreadable")})
	}
	d := verifyPageData{pageWords: words, Email: r.PostForm.Get("email"), Code: r.PostForm.Get("code")}
	if _, err := s.verifyCode(r, d.Email, d.Code); err != nil {
		p, retry, internal := problemIn(err, words.l)
		if internal {
			return err
		}
		if retry > 0 {
			w.Header().Set("Retry-After", itoa(retry))
		}
		d.Error = p.Detail
		return renderPage(w, p.Status, verifyPageTmpl, d)
	}
	d.Done = true
	return renderPage(w, http.StatusOK, verifyPageTmpl, d)
}

// renderPage writes an HTML page with the headers every portal page has;
// the template escapes everything the user typed.
func renderPage(w http.ResponseWriter, status int, tmpl *template.Template, d any) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Language")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return tmpl.Execute(w, d)
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) offers(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	os, err := s.cfg.Store.Offers(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, os)
	return nil
}

func (s *Server) acceptOffer(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "offer.accept", nil)
	if err != nil {
		return err
	}
	m, err := s.cfg.Store.AcceptOffer(r.Context(), c, wr, r.PathValue("account"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) declineOffer(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "offer.decline", nil)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.DeclineOffer(r.Context(), c, wr, r.PathValue("account")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "account.member_remove", nil)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.RemoveMember(r.Context(), c, wr, r.PathValue("id"), r.PathValue("email")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handOver(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.HandOverRequest
	wr, err := decodeWrite(r, "account.owner", &req)
	if err != nil {
		return err
	}
	m, err := s.cfg.Store.HandOver(r.Context(), c, wr, r.PathValue("id"), req.Email)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
