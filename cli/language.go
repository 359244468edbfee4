package cli

import (
	"context"
	"fmt"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/i18n"
)

// cmdLanguage shows or sets the language the portal writes the user's
// e-mails in (kept on the account; --lang only sets what this command line
// prints).
func cmdLanguage(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "language")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usage("cli.usage.line", "Usage", "licdesk language [LANG]")
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if len(pos) == 0 {
		tag, err := a.d.EmailLanguage(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.language.current", "Language", a.languageName(tag)))
		return nil
	}
	u, err := a.d.SetEmailLanguage(ctx, pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.language.set", "Language", a.languageName(u.Language)))
	return nil
}

// languageName names a catalog's language in itself ("Français"); an
// account from before languages were kept reads English.
func (a *app) languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		t = language.English
	}
	return i18n.New(t).Name()
}
