package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lsync "github.com/licdesk/licdesk/sync"
)

// env is a system environment with only the given variables.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func inLocale(lang string) func(*Config) {
	return func(c *Config) { c.Getenv = env("LANG", lang) }
}

func tabNames(a *App) []string {
	var out []string
	for _, it := range a.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// seatCell is the State column the Seats list shows for a seat of a
// license.
func seatCell(t *testing.T, r *rig, contract, email string) string {
	t.Helper()
	seats, err := r.app.Solutions.seatsOf(r.solution(contract))
	require.NoError(t, err)
	for _, s := range seats {
		if s.Email == email {
			c := make([]string, len(r.app.Solutions.Seats.columns))
			r.app.Solutions.Seats.cells(s, c)
			return c[1]
		}
	}
	t.Fatalf("no seat of %s on %s", email, contract)
	return ""
}

func TestWindow_OpensInTheSystemsLanguage(t *testing.T) {
	r := newRig(t, "ana@acme.example", inLocale("pt_BR.UTF-8"))
	assert.Equal(t, "pt-BR", r.app.Lang().Tag().String())
	assert.Equal(t, []string{"Soluções ativas", "Atribuídas a você", "Chaves", "Downloads", "Suporte e novidades (1 nova)"}, tabNames(r.app))

	// A seat for an e-mail with no account waits: AltoQi's "Aguardando".
	eb := r.solution("ACME-EB-2026")
	msg, err := r.app.trySend(context.Background(), write(lsync.AssignSeat(eb.LicenseID, "recem-chegado@acme.example")))
	require.NoError(t, err)
	assert.Equal(t, "Feito: atribuir uma licença de Eberick Profissional (ACME-EB-2026) a recem-chegado@acme.example.", msg)
	require.Equal(t, "pending", r.seatState("ACME-EB-2026", "recem-chegado@acme.example"))
	assert.Equal(t, "Aguardando", seatCell(t, r, "ACME-EB-2026", "recem-chegado@acme.example"))
	assert.Contains(t, r.app.Status(), "sincronizado")
	assert.Equal(t, "Arquivo", r.app.win.MainMenu().Items[0].Label)
	// The check of this machine, and machine's reasons, are Portuguese too.
	assert.Contains(t, r.app.Assigned.details.Text, "nesta máquina")
	assert.NotContains(t, r.app.Assigned.details.Text, "expires in")
}

func TestWindow_OpensInEnglishWithoutALanguage(t *testing.T) {
	for _, lang := range []string{"", "C", "ja_JP.UTF-8"} {
		t.Run(lang, func(t *testing.T) {
			fa := test.NewTempApp(t)
			assert.Equal(t, "en", WindowLang(fa, env("LANG", lang)).Tag().String())
		})
	}
}

func TestLanguageSetting_ChangesTheWindowAtOnceAndIsKept(t *testing.T) {
	r := newRig(t, "ana@acme.example", inLocale("en_US.UTF-8"))
	require.Equal(t, "Active solutions", tabNames(r.app)[0])
	r.app.tabs.SelectIndex(2)

	r.app.SetLanguage("fr")
	assert.Equal(t, []string{"Licences actives", "Vos postes", "Clés", "Téléchargements", "Support et actualités (1)"}, tabNames(r.app))
	assert.Equal(t, 2, r.app.tabs.SelectedIndex(), "the tab the user was on stays")
	assert.Equal(t, "fr", r.app.fa.Preferences().String(prefLang), "the choice is kept")
	// The setting beats the system's language at the next start.
	assert.Equal(t, "fr", WindowLang(r.app.fa, env("LANG", "pt_BR.UTF-8")).Tag().String())
	eb := r.solution("ACME-EB-2026")
	r.app.Solutions.Assign(eb.LicenseID, "nouveau@acme.example")
	assert.Equal(t, "En attente", seatCell(t, r, "ACME-EB-2026", "nouveau@acme.example"))
	got, err := r.app.sess.d.EmailLanguage(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "fr", got, "the portal's e-mails to ana follow the language she chose")

	r.app.SetLanguage("")
	assert.Equal(t, "Active solutions", tabNames(r.app)[0], "back to the system's language")
	assert.Equal(t, "", r.app.fa.Preferences().String(prefLang))
}

func TestLanguageMenu_NamesEachLanguageInItselfAndMarksTheChoice(t *testing.T) {
	r := newRig(t, "ana@acme.example", inLocale("es_ES.UTF-8"))
	var names []string
	for _, it := range r.app.languageMenu().ChildMenu.Items {
		if !it.IsSeparator {
			names = append(names, it.Label)
		}
	}
	assert.Equal(t, []string{"Idioma del sistema", "English", "Português (Brasil)", "Español", "Français"}, names)
	assert.True(t, r.app.languageMenu().ChildMenu.Items[0].Checked, "no choice yet: the system's")
}

func TestSignInScreen_HasTheLanguageChoice(t *testing.T) {
	fa := test.NewTempApp(t)
	a, err := New(fa, Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, Getenv: env("LANG", "en_US.UTF-8")})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	s := a.SignInScreen()
	require.NotNil(t, s)
	assert.Equal(t, "Sign in", s.SignInBtn.Text)
	a.SetLanguage("pt-BR")
	require.NotNil(t, a.SignInScreen())
	assert.Equal(t, "Entrar", a.SignInScreen().SignInBtn.Text)
}

// The helpers that word a value must not fall back to the raw one in a
// language: every seat state has its word.
func TestSeatStates_AreWordedInEveryLanguage(t *testing.T) {
	for _, lang := range []string{"pt_BR", "es_ES", "fr_FR"} {
		fa := test.NewTempApp(t)
		l := WindowLang(fa, env("LANG", lang))
		for _, s := range []string{"available", "assigned", "pending"} {
			assert.NotEqual(t, s, l.Enum("seat", s), lang)
		}
	}
}

// Fyne's lang package reads our catalogs too (in the system's language,
// English under the tests' LANG).
func TestFyneCatalogs_AreRegistered(t *testing.T) {
	require.NoError(t, RegisterFyneCatalogs())
	assert.Equal(t, "Keys", lang.X("ui.tab.keys", "missing"))
}
