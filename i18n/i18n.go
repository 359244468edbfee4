// Package i18n puts License Desk's words in the user's language: the
// catalogs (one JSON file per language, embedded), the choice of language
// from the system or a setting, and the locale's way of writing dates,
// numbers, sizes and plurals. The window, the command line and the portal
// all read the same catalogs, so a word is the same in each of them.
//
// Keys are dotted and name where the text appears ("cli.seats.header.state",
// "ui.solutions.assign", "mail.invitation.subject", "error.seat.full").
// Placeholders are Go templates ({{.Email}}); a plural message has "one" and
// "other" forms and gets its count as {{.Count}}.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Supported are the languages with a catalog, English first: it is the
// fallback for a key a catalog lacks (a test keeps that from happening)
// and the language of logs.
var Supported = []language.Tag{language.English, language.BrazilianPortuguese, language.Spanish, language.French}

// catalogFile names a language's catalog file.
func catalogFile(t language.Tag) string { return "catalog/" + t.String() + ".json" }

// bundle parses the catalogs once per process, on first use, so that a
// command that prints nothing for people pays nothing. It is never changed
// after it is built.
var bundle = sync.OnceValue(func() *goi18n.Bundle {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, t := range Supported {
		data, err := catalogFS.ReadFile(catalogFile(t))
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s is not embedded: %v", t, err))
		}
		if _, err := b.ParseMessageFileBytes(data, t.String()+".json"); err != nil {
			// The catalogs are part of the binary and their test parses
			// them, so this is a build defect, not a user's input.
			panic(fmt.Sprintf("i18n: catalog %s: %v", t, err))
		}
	}
	return b
})

// Catalog returns the raw bytes of a language's catalog, for Fyne's lang
// package and for tests.
func Catalog(t language.Tag) ([]byte, error) { return catalogFS.ReadFile(catalogFile(Match(t))) }

// CatalogFS is the embedded catalog folder (catalog/<tag>.json).
func CatalogFS() fs.FS { return catalogFS }

// Match returns the supported language closest to t (English when none is
// close): pt-PT reads pt-BR, es-MX reads es, fr-CA reads fr.
func Match(tags ...language.Tag) language.Tag {
	m := language.NewMatcher(Supported)
	_, i, conf := m.Match(tags...)
	if conf == language.No {
		return language.English
	}
	return Supported[i]
}

// Parse reads a language setting ("pt-BR", "pt_BR.UTF-8", "fr", "es_MX")
// and returns the supported language closest to it, or an error naming the
// supported ones.
func Parse(s string) (language.Tag, error) {
	t, ok := parseLocale(s)
	if !ok {
		return language.English, fmt.Errorf("language %q: not a language tag; use one of %s", s, SupportedList())
	}
	m := language.NewMatcher(Supported)
	_, i, conf := m.Match(t)
	if conf == language.No {
		return language.English, fmt.Errorf("language %q is not available; use one of %s", s, SupportedList())
	}
	return Supported[i], nil
}

// SupportedList is the supported tags, comma-separated, for messages.
func SupportedList() string {
	s := make([]string, len(Supported))
	for i, t := range Supported {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// parseLocale reads a POSIX locale ("pt_BR.UTF-8@euro") or a BCP 47 tag.
// "C" and "POSIX" are no language.
func parseLocale(s string) (language.Tag, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if s == "" || s == "C" || s == "POSIX" {
		return language.Und, false
	}
	t, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return language.Und, false
	}
	return t, true
}

// Lang is one language's words and formats. The zero value is not usable;
// New makes one. A Lang is safe for concurrent use.
type Lang struct {
	tag language.Tag
	loc *goi18n.Localizer
}

// New returns the words of the supported language closest to t.
func New(t language.Tag) *Lang {
	t = Match(t)
	return &Lang{tag: t, loc: goi18n.NewLocalizer(bundle(), t.String())}
}

// English is the language of logs and the fallback.
func English() *Lang { return New(language.English) }

// Tag is the language's tag ("pt-BR").
func (l *Lang) Tag() language.Tag { return l.tag }

// Name is the language's name in itself ("Português (Brasil)"), for the
// language setting.
func (l *Lang) Name() string { return l.T("lang.name") }

// T is the text of key with its placeholders filled from kv, given as
// name, value pairs: T("cli.seats.assigned", "Email", e). A key missing from
// every catalog comes back as the key itself, so that a mistake shows
// rather than printing nothing; the catalog test keeps that from shipping.
func (l *Lang) T(key string, kv ...any) string {
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data(kv)})
	if err != nil && s == "" {
		return key
	}
	return s
}

// N is the plural text of key for count n ("1 licença", "2 licenças"); the
// template gets the count, written the locale's way, as {{.Count}}.
func (l *Lang) N(key string, n int, kv ...any) string {
	d := data(kv)
	d["Count"] = l.Number(n)
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, PluralCount: n, TemplateData: d})
	if err != nil && s == "" {
		return key
	}
	return s
}

// Has reports whether the catalogs know key (in this language or, failing
// that, in English).
func (l *Lang) Has(key string) bool {
	s, _ := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key})
	return s != ""
}

func data(kv []any) map[string]any {
	d := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			k = fmt.Sprint(kv[i])
		}
		d[k] = kv[i+1]
	}
	return d
}

// Keys lists the keys of a language's catalog, sorted (for tests and the
// lint).
func Keys(t language.Tag) ([]string, error) {
	m, err := Messages(t)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Messages decodes a language's catalog into key -> forms ("other" holds a
// plain message's text).
func Messages(t language.Tag) (map[string]map[string]string, error) {
	raw, err := catalogFS.ReadFile(catalogFile(t))
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", t, err)
	}
	out := make(map[string]map[string]string, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = map[string]string{"other": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("catalog %s: key %s: neither a text nor plural forms", t, k)
		}
		out[k] = forms
	}
	return out, nil
}

// Enum words a domain value (a seat's state, a role, a license's status)
// from the "enum.<kind>.<value>" keys, value being the core type's String()
// with spaces as underscores; an unknown value is shown as it is.
func (l *Lang) Enum(kind, value string) string {
	key := "enum." + kind + "." + strings.ReplaceAll(value, " ", "_")
	if !l.Has(key) {
		return value
	}
	return l.T(key)
}
