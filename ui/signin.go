package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/assets"
)

// SignIn is the first screen without a session: portal URL, e-mail and
// password, to sign in or sign up; "Work offline" when a saved copy exists.
type SignIn struct {
	Portal, Email, Password *widget.Entry
	SignInBtn, SignUpBtn    *widget.Button
	OfflineBtn              *widget.Button
	Message                 *widget.Label
}

// showSignIn replaces the window's content with the sign-in screen.
func (a *App) showSignIn(msg string) {
	s := &SignIn{Portal: widget.NewEntry(), Email: widget.NewEntry(), Password: widget.NewPasswordEntry(),
		Message: widget.NewLabel(msg)}
	s.Portal.SetPlaceHolder("https://portal.example")
	s.Portal.SetText(a.sess.portal())
	s.Email.SetPlaceHolder("you@company.example")
	s.Email.SetText(a.sess.email())
	s.Message.Wrapping = fyne.TextWrapWord
	act := func(signup bool) {
		s.Message.SetText("Signing in…")
		portal, email, pw := s.Portal.Text, s.Email.Text, s.Password.Text
		a.bg(func(ctx context.Context) {
			err := a.sess.login(ctx, portal, email, pw, signup, false)
			a.do(func() {
				if err != nil {
					s.Message.SetText(err.Error())
					return
				}
				a.offline = false
				a.showMain()
			})
		})
	}
	s.SignInBtn = widget.NewButton("Sign in", func() { act(false) })
	s.SignInBtn.Importance = widget.HighImportance
	s.SignUpBtn = widget.NewButton("Create an account", func() { act(true) })
	s.OfflineBtn = widget.NewButton("Work offline with the saved copy", func() {
		a.offline = true
		a.showMain()
	})
	if !a.sess.hasCopy(a.ctx) {
		s.OfflineBtn.Hide()
	}
	s.Password.OnSubmitted = func(string) { act(false) }
	form := widget.NewForm(
		widget.NewFormItem("Portal", s.Portal),
		widget.NewFormItem("E-mail", s.Email),
		widget.NewFormItem("Password", s.Password),
	)
	logo := canvas.NewImageFromResource(assets.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(96, 96))
	heading := widget.NewLabelWithStyle("Sign in to License Desk", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel("Your licenses, seats, keys, downloads and support requests in one place.\nSign in with your licensing portal account.")
	intro.Alignment = fyne.TextAlignCenter
	box := container.NewVBox(logo, heading, intro, form,
		container.NewGridWithColumns(2, s.SignUpBtn, s.SignInBtn), s.OfflineBtn, s.Message)
	a.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 520), box)))
	a.signIn = s
}

// SignInScreen returns the sign-in screen when it is shown, for tests.
func (a *App) SignInScreen() *SignIn { return a.signIn }
