package portal

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal/store"
)

// The offline activation page (source 002: activate manually from another
// computer): a form that takes an activation request file and the user's
// credentials, and answers the signed response as a download. It keeps no
// session and sets no cookie: the credentials travel in the same POST as
// the request, so another site cannot make a visitor's browser submit it
// (no CSRF token needed), and there is nothing to steal afterwards.

// maxPageBody bounds the form: the request file, the credentials and the
// multipart framing.
const maxPageBody = activation.MaxFileSize + 16<<10

// ResponseContentType is the media type of the activation response file
// the page answers.
const ResponseContentType = "application/vnd.licdesk.activation-response"

// loginFieldset is how both pages (/activate, /receipt) ask who answers:
// an e-mail and password, or an access token.
const loginFieldset = `{{define "login"}}<fieldset>
<legend>{{.T "portal.page.login"}}</legend>
<label for="email">{{.T "portal.page.email"}}</label>
<input type="email" id="email" name="email" autocomplete="username" value="{{.Email}}">
<label for="password">{{.T "portal.page.password"}}</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<p class="hint">{{.T "portal.page.token_hint"}}</p>
<label for="token">{{.T "portal.page.token"}}</label>
<input type="password" id="token" name="token" autocomplete="off">
</fieldset>{{end}}`

var activatePageTmpl = template.Must(template.Must(template.New("activate").Parse(loginFieldset)).Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "portal.activate.title"}} - License Desk</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
textarea{font-family:ui-monospace,monospace;font-size:.8rem}
button{padding:.5rem 1.2rem;font:inherit;font-weight:600}
.error{background:#fde8e8;border:1px solid #e0a0a0;border-radius:6px;padding:.6rem 1rem}
.hint{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
<h1>{{.T "portal.activate.title"}}</h1>
<p>{{.HTML "portal.activate.intro_html"}}</p>
{{if .Error}}<p class="error" role="alert"><strong>{{.T "portal.activate.not_activated"}}</strong> {{.Error}}<br><small>{{.T "portal.page.code"}} {{.Code}}</small></p>{{end}}
<form method="post" action="/activate" enctype="multipart/form-data">
<fieldset>
<legend>{{.T "portal.activate.request"}}</legend>
<label for="request">{{.T "portal.activate.request_file"}}</label>
<input type="file" id="request" name="request" accept=".lda,.txt,.req,text/plain">
<label for="request_text">{{.T "portal.activate.request_text"}}</label>
<textarea id="request_text" name="request_text" rows="6" spellcheck="false"></textarea>
</fieldset>
{{template "login" .}}
<button type="submit">{{.T "portal.activate.submit"}}</button>
</form>
</main>
</body>
</html>
`))

type activatePageData struct {
	pageWords
	Error, Code, Email string
}

// pageWords puts a page in the language its request asks for
// (Accept-Language): the html element's lang and the words of the
// catalogs' "portal.*" keys.
type pageWords struct{ l *i18n.Lang }

// Lang is the page's language tag, for <html lang>.
func (p pageWords) Lang() string { return p.l.Tag().String() }

// T is a text of the page, escaped by the template like any other value.
func (p pageWords) T(key string, kv ...any) string { return p.l.T(key, kv...) }

// HTML is a text of the page with its markup (<code>, <em>, a link): the
// catalogs are part of the binary and reviewed like the templates, and no
// placeholder of such a text carries anything a user typed.
func (p pageWords) HTML(key string) template.HTML { return template.HTML(p.l.T(key)) }

// renderActivatePage writes the page with the given status; the template
// escapes everything the user typed.
func renderActivatePage(w http.ResponseWriter, status int, d activatePageData) {
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	activatePageTmpl.Execute(w, d)
}

func (s *Server) activatePage(w http.ResponseWriter, r *http.Request) error {
	renderActivatePage(w, http.StatusOK, activatePageData{pageWords: pageWords{requestLang(r)}})
	return nil
}

// setPageHeaders are the headers of every HTML page of the portal: a
// strict content policy (no script at all), no framing, no caching.
func setPageHeaders(h http.Header) {
	h.Set("Vary", "Accept-Language")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// activatePageSubmit authenticates the form's credentials, fulfils the
// request and answers the response file as a download, or the page again
// with the reason.
func (s *Server) activatePageSubmit(w http.ResponseWriter, r *http.Request) error {
	d := activatePageData{pageWords: pageWords{requestLang(r)}}
	fail := func(err error) error {
		p, _, internal := problemIn(err, d.l)
		if internal {
			s.cfg.Logger.Error("offline activation page failed", "err", err)
		}
		d.Error, d.Code = p.Detail, p.Code
		renderActivatePage(w, p.Status, d)
		return nil
	}
	if err := parsePageForm(w, r, activation.CodeRequestTooLarge, "an activation request file"); err != nil {
		return fail(err)
	}
	defer r.MultipartForm.RemoveAll()
	d.Email = strings.TrimSpace(r.PostFormValue("email"))

	file, err := pageRequestFile(r)
	if err != nil {
		return fail(err)
	}
	c, err := s.pageCaller(r, d.Email, r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		return fail(err)
	}
	res, err := s.cfg.Store.ActivateOffline(r.Context(), c, store.Write{}, file)
	if err != nil {
		return fail(tooLarge(err))
	}
	h := w.Header()
	h.Set("Content-Type", ResponseContentType)
	h.Set("Content-Disposition", `attachment; filename="activation-response-`+res.Activation.ID+`.lda"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, res.Response)
	return nil
}

// pageRequestFile is the uploaded request file, or the pasted text when no
// file was chosen. Pasted text gets the final newline a text box drops and
// loses the CRs a browser adds to text box line ends (RFC 7578 sends them
// as CRLF), since neither is the user's doing.
func pageRequestFile(r *http.Request) ([]byte, error) {
	return pageFile(r, "request", "choose the activation request file, or paste its text", activation.CodeRequestMalformed)
}

// pageFile is the file uploaded in the field, or the text pasted in
// field+"_text" when no file was chosen (see pageRequestFile).
func pageFile(r *http.Request, field, missing, missingCode string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	switch {
	case err == nil:
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, activation.MaxFileSize+1))
		if err != nil {
			return nil, refuse(http.StatusBadRequest, "request.unreadable", "the uploaded file could not be read")
		}
		if len(b) > 0 {
			return b, nil
		}
	case !errors.Is(err, http.ErrMissingFile):
		return nil, refuse(http.StatusBadRequest, "request.malformed", "the uploaded file could not be read")
	}
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field+"_text"), "\r\n", "\n"))
	if text == "" {
		return nil, core.E(core.Invalid, missingCode, missing)
	}
	return []byte(text + "\n"), nil
}

// pageCaller authenticates the page's credentials: an access token, or an
// e-mail and password under the same failure limits as the login endpoint.
func (s *Server) pageCaller(r *http.Request, email, password, token string) (store.Caller, error) {
	if token != "" {
		return s.cfg.Store.CallerByToken(r.Context(), tokenHash(token))
	}
	if email == "" || password == "" {
		return store.Caller{}, refuse(http.StatusUnauthorized, "auth.required", "log in: give your e-mail and password, or an access token")
	}
	u, err := s.authenticate(r, email, password)
	if err != nil {
		return store.Caller{}, err
	}
	return s.cfg.Store.Caller(r.Context(), u.ID)
}

// parsePageForm reads a page's multipart form, bounded: what the upload
// carries (a request, a receipt) is a few hundred bytes, so a larger one is
// refused with tooLarge.
func parsePageForm(w http.ResponseWriter, r *http.Request, tooLarge, what string) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPageBody)
	if err := r.ParseMultipartForm(maxPageBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return refuse(http.StatusRequestEntityTooLarge, tooLarge, "the upload is too large: "+what+" is a few hundred bytes")
		}
		return refuse(http.StatusBadRequest, "request.malformed", "send the form as multipart/form-data")
	}
	return nil
}
