package cli_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/cli"
)

// runIn runs licdesk with the profile's variables and extra ones (LANG,
// LICDESK_LANG), as a shell with that environment would.
func (u *user) runIn(vars map[string]string, stdin string, args ...string) result {
	u.t.Helper()
	var out, errb bytes.Buffer
	all := map[string]string{"LICDESK_HOME": u.home, "LICDESK_SECRETS": "file"}
	for k, v := range vars {
		all[k] = v
	}
	env := cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return all[k] }, Now: time.Now}
	code := cli.Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

// A seat list in each language, with a pending seat: its state in the
// vendors' word, the headers, the dates and counts the locale's way.
func TestSeatsList_SpeaksTheChosenLanguage(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")
	ana.ok("seats", "assign", "--license", lic.LicenseID, "--email", "dora@acme.example")
	day := lic.ContractStart.UTC()

	for _, c := range []struct {
		name    string
		vars    map[string]string
		args    []string
		pending string
		headers []string
		date    string
		seats   string
	}{
		{"LANG=pt_BR.UTF-8 is Portuguese", map[string]string{"LANG": "pt_BR.UTF-8"}, nil,
			"Aguardando", []string{"LICENÇA", "SITUAÇÃO", "E-MAIL"}, day.Format("02/01/2006"), "licenças"},
		{"LC_ALL beats LANG", map[string]string{"LC_ALL": "es_ES.UTF-8", "LANG": "pt_BR.UTF-8"}, nil,
			"Pendiente", []string{"PUESTO", "ESTADO"}, day.Format("02/01/2006"), "puestos"},
		{"--lang beats LANG", map[string]string{"LANG": "pt_BR.UTF-8"}, []string{"--lang", "es"},
			"Pendiente", []string{"PUESTO", "ESTADO"}, day.Format("02/01/2006"), "puestos"},
		{"--lang=fr after the command", map[string]string{"LANG": "pt_BR.UTF-8"}, []string{"--lang=fr"},
			"En attente", []string{"POSTE", "ÉTAT"}, day.Format("02/01/2006"), "postes"},
		{"LICDESK_LANG beats LANG", map[string]string{"LANG": "pt_BR.UTF-8", "LICDESK_LANG": "fr"}, nil,
			"En attente", []string{"POSTE", "ÉTAT"}, day.Format("02/01/2006"), "postes"},
		{"--lang beats LICDESK_LANG", map[string]string{"LICDESK_LANG": "fr"}, []string{"--lang", "pt-BR"},
			"Aguardando", []string{"LICENÇA", "SITUAÇÃO"}, day.Format("02/01/2006"), "licenças"},
		{"no language is English, as it always was", nil, nil,
			"pending", []string{"SEAT", "STATE", "E-MAIL"}, day.Format("2006-01-02"), "seats"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"seats", "list", "--license", lic.LicenseID}, c.args...)
			r := ana.runIn(c.vars, "", args...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Regexp(t, regexp.QuoteMeta(c.pending)+`\s+dora@acme.example`, r.stdout)
			for _, h := range c.headers {
				assert.Contains(t, r.stdout, h)
			}
			assert.Contains(t, r.stdout, c.date, "the contract's start the locale's way")
			assert.Regexp(t, `\d+ `+c.seats, r.stdout)
		})
	}
}

func TestLang_ABadChoiceIsOneLineNamingTheSupportedLanguages(t *testing.T) {
	u := newUser(t)
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"an unknown --lang", nil, []string{"--lang", "de", "solutions"}, `--lang de: not an available language; use one of en, pt-BR, es, fr`},
		{"--lang without a value", nil, []string{"solutions", "--lang"}, "--lang needs a language: one of en, pt-BR, es, fr"},
		{"an unknown LICDESK_LANG", map[string]string{"LICDESK_LANG": "klingon!"}, []string{"solutions"}, "LICDESK_LANG klingon!: not an available language"},
		{"worded in the system's language", map[string]string{"LANG": "pt_BR.UTF-8"}, []string{"--lang", "de", "status"}, "idioma não disponível; use um destes: en, pt-BR, es, fr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := u.runIn(c.vars, "", c.args...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, c.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
}

// The command line's own refusals, and desk's, are worded in the chosen
// language; the English ones stay as they were.
func TestErrors_AreWordedInTheChosenLanguage(t *testing.T) {
	u := newUser(t)
	for _, c := range []struct {
		lang string
		args []string
		code int
		want string
	}{
		{"en", []string{"solutions"}, 1, "licdesk solutions: not logged in: run licdesk login --portal URL --email E\n"},
		{"pt-BR", []string{"solutions"}, 1, "licdesk solutions: sessão não iniciada: execute licdesk login --portal URL --email E\n"},
		{"es", []string{"seats", "assign", "--email", "x@y.example"}, 2, "licdesk seats: --license es obligatorio\n"},
		{"fr", []string{"seats", "juggle"}, 2, "licdesk seats: seats juggle : utilisez list, assign, remove ou reassign\n"},
		{"pt-BR", []string{"mail", "list"}, 1, "licdesk mail: nenhuma caixa de correio conectada: licdesk mail add --imap imaps://USUARIO@HOST conecta uma\n"},
		{"fr", []string{"mail", "list"}, 1, "licdesk mail: aucune boîte aux lettres connectée : licdesk mail add --imap imaps://UTILISATEUR@HOTE en connecte une\n"},
		{"pt-BR", []string{"check", "Eberick"}, 1, "licdesk check: not_activated: nenhuma solução de Eberick nesta máquina: ative a chave (licdesk activate CHAVE) ou adote uma solução atribuída a você (licdesk adopt)\n"},
		{"en", []string{"check", "Eberick"}, 1, "licdesk check: not_activated: no license for Eberick on this machine: activate its key (licdesk activate KEY) or adopt a license assigned to you (licdesk adopt)\n"},
		{"pt-BR", []string{"frobnicate"}, 2, "licdesk: comando desconhecido \"frobnicate\" (experimente licdesk --help)\n"},
	} {
		t.Run(c.lang+" "+strings.Join(c.args, " "), func(t *testing.T) {
			r := u.runIn(map[string]string{"LICDESK_LANG": c.lang}, "", c.args...)
			assert.Equal(t, c.code, r.code)
			assert.Equal(t, c.want, r.stderr)
		})
	}
}

func TestHelp_IsInTheChosenLanguageAndFits100Columns(t *testing.T) {
	u := newUser(t)
	for _, c := range []struct{ lang, summary, flags string }{
		{"en", "the seats of a license", "flags:"},
		{"pt-BR", "as licenças de uma solução", "opções:"},
		{"es", "los puestos de una licencia", "opciones:"},
		{"fr", "les postes d'une licence", "options :"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			out := u.runIn(map[string]string{"LICDESK_LANG": c.lang}, "", "--help").stdout
			assert.Contains(t, out, "licdesk seats          "+c.summary)
			assert.Contains(t, out, "--lang")
			for _, line := range strings.Split(out, "\n") {
				assert.LessOrEqual(t, len([]rune(line)), 100, line)
			}
			out = u.runIn(map[string]string{"LICDESK_LANG": c.lang}, "", "seats", "assign", "--help").stdout
			assert.Contains(t, out, "licdesk seats assign --license ID", "the syntax stays as typed")
			assert.Contains(t, out, c.flags)
			assert.Contains(t, out, "--email", "flag names stay English")
		})
	}
}

func TestLanguage_SetsTheLanguageOfThePortalsEmails(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	assert.Contains(t, ana.ok("language"), "English", "an account from before languages were kept reads English")
	assert.Contains(t, ana.ok("language", "es"), "Español")
	assert.Contains(t, ana.ok("language"), "The portal writes your e-mails in Español.")
	assert.Contains(t, ana.runIn(map[string]string{"LANG": "fr_FR.UTF-8"}, "", "language").stdout,
		"Le portail vous écrit ses e-mails en Español.", "--lang and LANG word the answer, not the e-mails' language")

	r := ana.runIn(nil, "", "language", "klingon")
	assert.NotEqual(t, 0, r.code)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, "en, pt-BR, es, fr")
	assert.Contains(t, ana.ok("language"), "Español", "a refused value changes nothing")
}

func TestTables_WordTheEditionAndKeyStatusInTheChosenLanguage(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	pt := map[string]string{"LANG": "pt_BR.UTF-8"}
	r := ana.runIn(pt, "", "solutions")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Profissional")
	assert.NotContains(t, r.stdout, "professional")
	r = ana.runIn(pt, "", "keys")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `Ativa\s+\d{2}/\d{2}/\d{4}`, r.stdout)
	assert.Contains(t, ana.ok("solutions"), "professional", "English keeps the portal's value, as scripts read it")
}

func TestQueuedWrites_AreDescribedInTheChosenLanguage(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")
	p.Stop()
	pt := map[string]string{"LANG": "pt_BR.UTF-8"}
	r := ana.runIn(pt, "", "seats", "assign", "--license", lic.LicenseID, "--email", "dora@acme.example")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "atribuir uma licença de "+lic.LicenseID+" a dora@acme.example")
	r = ana.runIn(pt, "", "status")
	assert.Contains(t, r.stdout, "atribuir uma licença de "+lic.LicenseID+" a dora@acme.example")
	assert.NotContains(t, r.stdout, "i18n:")
	r = ana.runIn(nil, "", "status", "--json")
	assert.Contains(t, r.stdout, `"summary": "assign a seat of `+lic.LicenseID+` to dora@acme.example"`, "JSON carries it in English")
}
