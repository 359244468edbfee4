package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
)

// This file is the account's own steps in the window: verifying the
// e-mail address with the code the portal sent at sign-up, and the
// membership offers waiting for the user. They call the same desk
// functions as `licdesk verify` and `licdesk offers`.

// askVerify opens the verification step when the login's address is not
// verified yet (after a sign-up, or at the start of a later session).
func (a *App) askVerify() {
	if a.sess.d.Verified(a.ctx) || !a.online() {
		return
	}
	a.VerifyDialog()
}

// VerifyDialog asks for the code e-mailed to the login's address.
func (a *App) VerifyDialog() {
	l := a.l
	code := newFormEntry(l.T("ui.verify.code.placeholder"), required(l.T("ui.verify.code.what")))
	email := a.sess.email()
	var f *form
	f = a.showForm(l.T("ui.verify.title"), l.T("ui.verify.ok"), []formField{
		{label: l.T("ui.verify.code"), obj: code, hint: l.T("ui.verify.hint", "Email", email)}},
		func(ctx context.Context) (string, error) {
			u, err := a.sess.d.Verify(ctx, code.Text)
			if err != nil {
				return "", err
			}
			a.Refresh()
			return l.T("ui.verify.done", "Email", u.Email), nil
		}, a.notice)
	resend := widget.NewButton(l.T("ui.verify.resend"), func() {
		a.bg(func(ctx context.Context) {
			err := a.sess.d.ResendCode(ctx)
			a.do(func() {
				if err != nil {
					f.say(l.Err(err))
					return
				}
				f.say(l.T("ui.verify.resent", "Email", email))
			})
		})
	})
	f.d.SetButtons([]fyne.CanvasObject{resend, f.nope, f.ok})
}

// OffersDialog lists the membership offers waiting for the user, each with
// Accept and Decline.
func (a *App) OffersDialog() {
	a.bg(func(ctx context.Context) {
		offers, err := a.sess.d.Offers(ctx)
		a.do(func() {
			if err != nil {
				a.showError(err)
				return
			}
			l := a.l
			box := container.NewVBox()
			var d dialog.Dialog
			if len(offers) == 0 {
				box.Add(widget.NewLabel(l.T("ui.offers.none")))
			}
			for _, o := range offers {
				line := widget.NewLabel(l.T("ui.offers.line", "Account", words.Safe(o.AccountName), "Role", l.Enum("role", o.Role),
					"From", words.Safe(o.OfferedBy), "Ago", l.Ago(o.OfferedAt, a.cfg.Now())))
				line.Wrapping = fyne.TextWrapWord
				act := func(accept bool) func() {
					return func() {
						d.Hide()
						a.answerOffer(o, accept)
					}
				}
				accept := widget.NewButton(l.T("ui.offers.accept"), act(true))
				accept.Importance = widget.HighImportance
				box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewButton(l.T("ui.offers.decline"), act(false)), accept), line))
			}
			d = dialog.NewCustom(l.T("ui.offers.title"), l.T("ui.common.close"), box, a.win)
			d.Resize(fyne.NewSize(620, 300))
			d.Show()
		})
	})
}

// answerOffer accepts or declines an offer, and says what happened.
func (a *App) answerOffer(o api.Offer, accept bool) {
	a.bg(func(ctx context.Context) {
		var err error
		name := words.Safe(o.AccountName)
		msg := a.l.T("ui.offers.declined", "Account", name)
		if accept {
			_, err = a.sess.d.AcceptOffer(ctx, o.AccountID)
			msg = a.l.T("ui.offers.joined", "Account", name)
		} else {
			_, err = a.sess.d.DeclineOffer(ctx, o.AccountID)
		}
		a.Refresh()
		a.do(func() {
			if err != nil {
				a.showError(i18n.Wrap(err, "ui.offers.failed", "Account", name))
				return
			}
			a.notice(msg)
		})
	})
}
