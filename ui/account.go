package ui

import (
	"context"
	"errors"

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
	code := newFormEntry("the code from the e-mail", required("the code"))
	email := a.sess.email()
	var f *form
	f = a.showForm("Verify your e-mail address", "Verify", []formField{
		{label: "Code", obj: code, hint: "Sent to " + email + ". Until it is entered, seats assigned to this address wait."}},
		func(ctx context.Context) (string, error) {
			u, err := a.sess.d.Verify(ctx, code.Text)
			if err != nil {
				return "", err
			}
			a.Refresh()
			return "Verified " + u.Email + ": the seats assigned to it are yours.", nil
		}, a.notice)
	resend := widget.NewButton("Send a new code", func() {
		a.bg(func(ctx context.Context) {
			err := a.sess.d.ResendCode(ctx)
			a.do(func() {
				if err != nil {
					f.say(err.Error())
					return
				}
				f.say("A new code is on its way to " + email + ".")
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
			box := container.NewVBox()
			var d dialog.Dialog
			if len(offers) == 0 {
				box.Add(widget.NewLabel("No membership offer is waiting for you."))
			}
			for _, o := range offers {
				line := widget.NewLabel(words.Safe(o.AccountName) + " offers you the role " + o.Role + " (from " +
					words.Safe(o.OfferedBy) + ", " + words.Ago(i18n.English(), o.OfferedAt, a.cfg.Now()) + ").")
				line.Wrapping = fyne.TextWrapWord
				act := func(accept bool) func() {
					return func() {
						d.Hide()
						a.answerOffer(o, accept)
					}
				}
				accept := widget.NewButton("Accept", act(true))
				accept.Importance = widget.HighImportance
				box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewButton("Decline", act(false)), accept), line))
			}
			d = dialog.NewCustom("Membership offers", "Close", box, a.win)
			d.Resize(fyne.NewSize(620, 300))
			d.Show()
		})
	})
}

// answerOffer accepts or declines an offer, and says what happened.
func (a *App) answerOffer(o api.Offer, accept bool) {
	a.bg(func(ctx context.Context) {
		var err error
		msg := "Declined the offer of " + words.Safe(o.AccountName) + "."
		if accept {
			_, err = a.sess.d.AcceptOffer(ctx, o.AccountID)
			msg = "You joined " + words.Safe(o.AccountName) + "."
		} else {
			_, err = a.sess.d.DeclineOffer(ctx, o.AccountID)
		}
		a.Refresh()
		a.do(func() {
			if err != nil {
				a.showError(errors.New("The offer of " + words.Safe(o.AccountName) + " could not be answered: " + err.Error()))
				return
			}
			a.notice(msg)
		})
	})
}
