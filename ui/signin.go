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
	s.Email.SetPlaceHolder(a.l.T("ui.signin.email.hint"))
	s.Email.SetText(a.sess.email())
	s.Message.Wrapping = fyne.TextWrapWord
	act := func(signup bool) {
		s.Message.SetText(a.l.T("ui.signin.working"))
		portal, email, pw := s.Portal.Text, s.Email.Text, s.Password.Text
		a.bg(func(ctx context.Context) {
			err := a.sess.login(ctx, portal, email, pw, signup, false)
			a.do(func() {
				if err != nil {
					s.Message.SetText(a.l.Err(err))
					return
				}
				a.offline = false
				a.showMain()
			})
		})
	}
	s.SignInBtn = widget.NewButton(a.l.T("ui.signin.sign_in"), func() { act(false) })
	s.SignInBtn.Importance = widget.HighImportance
	s.SignUpBtn = widget.NewButton(a.l.T("ui.signin.sign_up"), func() { act(true) })
	s.OfflineBtn = widget.NewButton(a.l.T("ui.signin.offline"), func() {
		a.offline = true
		a.showMain()
	})
	if !a.sess.hasCopy(a.ctx) {
		s.OfflineBtn.Hide()
	}
	s.Password.OnSubmitted = func(string) { act(false) }
	form := widget.NewForm(
		widget.NewFormItem(a.l.T("ui.signin.portal"), s.Portal),
		widget.NewFormItem(a.l.T("ui.signin.email"), s.Email),
		widget.NewFormItem(a.l.T("ui.signin.password"), s.Password),
		widget.NewFormItem(a.l.T("ui.menu.language"), a.languageSelect()),
	)
	logo := canvas.NewImageFromResource(assets.Icon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(96, 96))
	heading := widget.NewLabelWithStyle(a.l.T("ui.signin.heading"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(a.l.T("ui.signin.intro"))
	intro.Alignment = fyne.TextAlignCenter
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(logo, heading, intro, form,
		container.NewGridWithColumns(2, s.SignUpBtn, s.SignInBtn), s.OfflineBtn, s.Message)
	a.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(480, 580), box)))
	a.signIn = s
}

// SignInScreen returns the sign-in screen when it is shown, for tests.
func (a *App) SignInScreen() *SignIn { return a.signIn }
