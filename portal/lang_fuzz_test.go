package portal

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/i18n"
)

// Accept-Language is untrusted bytes: whatever it holds, a request gets
// one of the catalogs' languages, and English for an oversized header.
func FuzzRequestTag(f *testing.F) {
	for _, s := range []string{"", "pt-BR", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "es-419", "*", "x;q=", "pt-BR;q=0,fr",
		"zh-Hant-TW-u-co-pinyin", strings.Repeat("a-", 200), "en-US;q=1.5", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Accept-Language"] = []string{h}
		tag := requestTag(r)
		if !slices.Contains(i18n.Supported, tag) {
			t.Fatalf("Accept-Language %q gave %v, not a catalog's language", h, tag)
		}
		if len(h) > maxAcceptLanguage && tag != language.English {
			t.Fatalf("an oversized header (%d bytes) gave %v", len(h), tag)
		}
	})
}
