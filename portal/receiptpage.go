package portal

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/portal/store"
)

// The receipt page is the /activate page's other half: a machine that gave
// up its activation offline (`licdesk deactivate --receipt FILE`) writes a
// receipt; handed in here, it frees that activation so the key can be
// activated elsewhere (source 002). Like /activate it keeps no session and
// sets no cookie: the credentials travel with the receipt.

var receiptPageTmpl = template.Must(template.Must(template.New("receipt").Parse(loginFieldset)).Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "portal.receipt.title"}} - License Desk</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
textarea{font-family:ui-monospace,monospace;font-size:.8rem}
button{padding:.5rem 1.2rem;font:inherit;font-weight:600}
.error{background:#fde8e8;border:1px solid #e0a0a0;border-radius:6px;padding:.6rem 1rem}
.done{background:#e6f4ea;border:1px solid #9cc9a8;border-radius:6px;padding:.6rem 1rem}
.hint{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
<h1>{{.T "portal.receipt.title"}}</h1>
<p>{{.HTML "portal.receipt.intro_html"}}</p>
{{if .Error}}<p class="error" role="alert"><strong>{{.T "portal.receipt.not_freed"}}</strong> {{.Error}}<br><small>{{.T "portal.page.code"}} {{.Code}}</small></p>{{end}}
{{if .Freed}}<p class="done" role="status" id="freed"><strong>{{.T "portal.receipt.freed"}}</strong> {{.T "portal.receipt.freed_text" "ID" .Freed.ID "Product" .Freed.Product "Machine" .Freed.Machine "Key" .Freed.Key}}<br>
<small>{{.T "portal.receipt.confirmation"}} <code id="confirmation">{{.Confirmation}}</code></small></p>{{end}}
<form method="post" action="/receipt" enctype="multipart/form-data">
<fieldset>
<legend>{{.T "portal.receipt.receipt"}}</legend>
<label for="receipt">{{.T "portal.receipt.receipt_file"}}</label>
<input type="file" id="receipt" name="receipt" accept=".lda,.txt,text/plain">
<label for="receipt_text">{{.T "portal.receipt.receipt_text"}}</label>
<textarea id="receipt_text" name="receipt_text" rows="6" spellcheck="false"></textarea>
</fieldset>
{{template "login" .}}
<button type="submit">{{.T "portal.receipt.submit"}}</button>
</form>
</main>
</body>
</html>
`))

type receiptPageData struct {
	pageWords
	Error, Code, Email string
	Freed              *api.Activation
	Confirmation       string
}

func renderReceiptPage(w http.ResponseWriter, status int, d receiptPageData) {
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	receiptPageTmpl.Execute(w, d)
}

func (s *Server) receiptPage(w http.ResponseWriter, r *http.Request) error {
	renderReceiptPage(w, http.StatusOK, receiptPageData{pageWords: pageWords{requestLang(r)}})
	return nil
}

// receiptPageSubmit authenticates the form's credentials and hands the
// receipt in, answering the page with what was freed or why not.
func (s *Server) receiptPageSubmit(w http.ResponseWriter, r *http.Request) error {
	d := receiptPageData{pageWords: pageWords{requestLang(r)}}
	fail := func(err error) error {
		p, _, internal := problemIn(err, d.l)
		if internal {
			s.cfg.Logger.Error("receipt page failed", "err", err)
		}
		d.Error, d.Code = p.Detail, p.Code
		renderReceiptPage(w, p.Status, d)
		return nil
	}
	if err := parsePageForm(w, r, activation.CodeReceiptTooLarge, "a deactivation receipt"); err != nil {
		return fail(err)
	}
	defer r.MultipartForm.RemoveAll()
	d.Email = strings.TrimSpace(r.PostFormValue("email"))
	file, err := pageFile(r, "receipt", "choose the deactivation receipt file, or paste its text", activation.CodeReceiptMalformed)
	if err != nil {
		return fail(err)
	}
	c, err := s.pageCaller(r, d.Email, r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		return fail(err)
	}
	res, err := s.cfg.Store.DeactivateByReceipt(r.Context(), c, store.Write{}, file)
	if err != nil {
		return fail(tooLarge(err))
	}
	d.Freed, d.Confirmation = &res.Activation, res.Confirmation
	renderReceiptPage(w, http.StatusOK, d)
	return nil
}
