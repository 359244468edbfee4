package i18n

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetect_SettingThenPOSIXOrderThenEnglish(t *testing.T) {
	for _, c := range []struct {
		name    string
		setting string
		env     map[string]string
		want    language.Tag
	}{
		{"LANG alone", "", map[string]string{"LANG": "pt_BR.UTF-8"}, language.BrazilianPortuguese},
		{"LC_ALL beats LANG", "", map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "pt_BR.UTF-8"}, language.French},
		{"LC_MESSAGES beats LANG", "", map[string]string{"LC_MESSAGES": "es_ES.UTF-8", "LANG": "fr_FR.UTF-8"}, language.Spanish},
		{"the setting beats the system", "es", map[string]string{"LANG": "fr_FR.UTF-8"}, language.Spanish},
		{"an unknown setting falls back to the system", "xx-YY", map[string]string{"LANG": "fr_FR.UTF-8"}, language.French},
		{"C is English", "", map[string]string{"LANG": "C"}, language.English},
		{"nothing is English", "", nil, language.English},
		{"an unsupported language is English", "", map[string]string{"LANG": "de_DE.UTF-8"}, language.English},
		{"Portuguese of Portugal reads Brazilian", "", map[string]string{"LANG": "pt_PT.UTF-8"}, language.BrazilianPortuguese},
		{"Mexican Spanish reads Spanish", "", map[string]string{"LANG": "es_MX.UTF-8"}, language.Spanish},
		{"Canadian French reads French", "", map[string]string{"LANG": "fr_CA.UTF-8"}, language.French},
		{"LANGUAGE orders when a locale is set", "", map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "fr:en"}, language.French},
		{"LANGUAGE alone is ignored with LANG=C", "", map[string]string{"LANG": "C", "LANGUAGE": "fr"}, language.English},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Detect(c.setting, env(c.env)))
		})
	}
}

func TestParse_NamesTheSupportedLanguagesWhenItCannotUseASetting(t *testing.T) {
	tag, err := Parse("pt_BR.UTF-8")
	require.NoError(t, err)
	assert.Equal(t, language.BrazilianPortuguese, tag)
	for _, bad := range []string{"klingon!", "de", ""} {
		_, err := Parse(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "en, pt-BR, es, fr")
	}
}

func TestFormat_DatesNumbersSizesAndPluralsFollowTheLocale(t *testing.T) {
	day := time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		tag                   language.Tag
		date, number, size    string
		one, two, state, ago2 string
	}{
		{language.English, "2026-11-26", "1,234", "1.5 MiB", "1 seat", "2 seats", "Pending", "2 days ago"},
		{language.BrazilianPortuguese, "26/11/2026", "1.234", "1,5 MiB", "1 licença", "2 licenças", "Aguardando", "há 2 dias"},
		{language.Spanish, "26/11/2026", "1.234", "1,5 MiB", "1 puesto", "2 puestos", "Pendiente", "hace 2 días"},
		{language.French, "26/11/2026", "1\u00a0234", "1,5 MiB", "1 poste", "2 postes", "En attente", "il y a 2 jours"},
	} {
		t.Run(c.tag.String(), func(t *testing.T) {
			l := New(c.tag)
			assert.Equal(t, c.date, l.Date(day))
			assert.Equal(t, c.number, l.Number(1234))
			assert.Equal(t, c.size, l.Size(3<<19))
			assert.Equal(t, c.one, l.N("common.seats", 1))
			assert.Equal(t, c.two, l.N("common.seats", 2))
			assert.Equal(t, c.state, l.T("enum.seat.pending"))
			assert.Equal(t, c.ago2, l.Ago(day.Add(-49*time.Hour), day))
			assert.Equal(t, "-", l.Date(time.Time{}))
		})
	}
}

func TestT_AMissingKeyShowsTheKeyNotNothing(t *testing.T) {
	assert.Equal(t, "no.such.key", New(language.French).T("no.such.key"))
	assert.False(t, New(language.French).Has("no.such.key"))
	assert.True(t, New(language.French).Has("enum.seat.pending"))
}

type coded struct{ code string }

func (c coded) Error() string     { return "english " + c.code }
func (c coded) ErrorCode() string { return c.code }
func (c coded) ErrorArgs() []any  { return nil }

func TestErr_TranslatesTheWordedLinksAndKeepsEnglishAsIs(t *testing.T) {
	inner := Errorf("enum.seat.pending")
	wrapped := fmt.Errorf("context only in English: %w", Wrap(inner, "enum.seat.assigned"))
	assert.Equal(t, "Atribuído: Aguardando", New(language.BrazilianPortuguese).Err(wrapped))
	assert.Equal(t, "context only in English: Assigned: Pending", English().Err(wrapped))
	plain := errors.New("disk full")
	assert.Equal(t, "disk full", New(language.French).Err(plain), "an untranslatable error is shown as it is")
	assert.Equal(t, "english no.code", New(language.French).Err(coded{"no.code"}), "a code without a wording keeps its text")
	assert.True(t, errors.Is(wrapped, inner))
}

func TestEnum_WordsDomainValuesInTheVendorsTerms(t *testing.T) {
	pt := New(language.BrazilianPortuguese)
	assert.Equal(t, "Aguardando", pt.Enum("seat", "pending"))
	assert.Equal(t, "Disponível", pt.Enum("seat", "available"))
	assert.Equal(t, "Licenças indisponíveis", pt.Enum("switch", "Licenses not available"))
	assert.Equal(t, "mystery", pt.Enum("seat", "mystery"), "an unknown value is shown as it is")
}

// worded is a typed error of another package with a wording.
type worded struct{ product string }

func (w worded) Error() string { return w.Words().Error() }
func (w worded) Words() *Error {
	return &Error{Key: "enum.seat.pending", Args: []any{"Product", w.product}}
}

func TestErr_WordsATypedErrorByItsWordingAndTheOutermostLinkFirst(t *testing.T) {
	pt := New(language.BrazilianPortuguese)
	assert.Equal(t, "Aguardando", pt.Err(worded{"Eberick"}))
	assert.Equal(t, "Atribuído: Aguardando", pt.Err(Wrap(worded{"x"}, "enum.seat.assigned")), "the outer wording comes first")
	assert.Equal(t, "Aguardando", pt.Err(fmt.Errorf("plain context: %w", worded{"x"})))
	var w worded
	assert.True(t, errors.As(fmt.Errorf("c: %w", worded{"y"}), &w), "the type stays visible to callers")
}

func TestErr_JoinsAWordingAndItsCauseTheLanguagesWay(t *testing.T) {
	cause := errors.New("disk full")
	assert.Equal(t, "Pending: disk full", English().Err(Wrap(cause, "enum.seat.pending")))
	assert.Equal(t, "Aguardando: disk full", New(language.BrazilianPortuguese).Err(Wrap(cause, "enum.seat.pending")))
	assert.Equal(t, "En attente : disk full", New(language.French).Err(Wrap(cause, "enum.seat.pending")))
}

// carrier is a client's error that carries a refusal of the same code.
type carrier struct {
	code string
	err  error
}

func (c carrier) Error() string     { return "carrier " + c.code }
func (c carrier) ErrorCode() string { return c.code }
func (c carrier) ErrorArgs() []any  { return nil }
func (c carrier) Unwrap() error     { return c.err }

func TestErr_ACodeWithoutAWordingLooksInsideIt(t *testing.T) {
	l := New(language.BrazilianPortuguese)
	assert.Equal(t, "carrier no.code", l.Err(carrier{"no.code", coded{"no.code"}}), "nothing to word: the error's own text")
	assert.Equal(t, "Aguardando", l.Err(carrier{"no.code", Errorf("enum.seat.pending")}), "the worded link inside is found")
}

func TestText_AStoredTextIsWordedWhenItIsRead(t *testing.T) {
	s := Stored("enum.seat.pending")
	assert.Equal(t, "Aguardando", New(language.BrazilianPortuguese).Text(s))
	assert.Equal(t, "Pending", English().Text(s))
	assert.Equal(t, "an old note in English", New(language.French).Text("an old note in English"), "a text kept before is shown as it is")
	assert.Equal(t, "i18n:{broken", New(language.French).Text("i18n:{broken"))
}
