package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return slicesCompactStrings(out)
}

func slicesCompactStrings(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func TestCatalogs_EveryLanguageHasEveryKeyOfEnglishAndNoOther(t *testing.T) {
	en, err := Keys(language.English)
	require.NoError(t, err)
	for _, tag := range Supported[1:] {
		keys, err := Keys(tag)
		require.NoError(t, err, tag)
		missing, extra := diff(en, keys)
		assert.Empty(t, missing, "%s lacks these keys of en.json", tag)
		assert.Empty(t, extra, "%s has keys en.json lacks", tag)
	}
}

func diff(want, got []string) (missing, extra []string) {
	w, g := map[string]bool{}, map[string]bool{}
	for _, k := range want {
		w[k] = true
	}
	for _, k := range got {
		g[k] = true
		if !w[k] {
			extra = append(extra, k)
		}
	}
	for _, k := range want {
		if !g[k] {
			missing = append(missing, k)
		}
	}
	return missing, extra
}

func TestCatalogs_ATranslationKeepsExactlyThePlaceholdersOfEnglish(t *testing.T) {
	en, err := Messages(language.English)
	require.NoError(t, err)
	for _, tag := range Supported[1:] {
		m, err := Messages(tag)
		require.NoError(t, err)
		for key, forms := range m {
			base, ok := en[key]
			if !ok {
				continue // the key test reports it
			}
			want := placeholders(base["other"])
			for form, text := range forms {
				got := placeholders(text)
				if form == "one" || form == "many" {
					// "1 licença" may spell the count out; it may drop
					// {{.Count}} but no other placeholder.
					got = without(got, "Count")
					assert.Subset(t, want, got, "%s %s (%s) adds a placeholder", tag, key, form)
					assert.Subset(t, got, without(want, "Count"), "%s %s (%s) drops a placeholder", tag, key, form)
					continue
				}
				assert.Equal(t, want, got, "%s %s (%s): placeholders differ from English", tag, key, form)
			}
		}
	}
}

func without(s []string, drop string) []string {
	var out []string
	for _, v := range s {
		if v != drop {
			out = append(out, v)
		}
	}
	return out
}

func TestCatalogs_APluralMessageHasOneAndOtherAndEveryTextIsNonEmpty(t *testing.T) {
	for _, tag := range Supported {
		m, err := Messages(tag)
		require.NoError(t, err)
		for key, forms := range m {
			for form, text := range forms {
				assert.NotEmpty(t, strings.TrimSpace(text), "%s %s (%s) is empty", tag, key, form)
				assert.Contains(t, []string{"zero", "one", "two", "few", "many", "other"}, form, "%s %s: unknown plural form", tag, key)
			}
			if len(forms) > 1 {
				assert.Contains(t, forms, "one", "%s %s: a plural message needs a one form", tag, key)
				assert.Contains(t, forms, "other", "%s %s: a plural message needs an other form", tag, key)
			}
		}
	}
}

// untranslatedOK are the keys whose text may be the same as English in
// another language: words that are the same (Portal, Downloads, Status,
// OK) and formats.
func untranslatedOK(key, text string) bool {
	if strings.HasPrefix(key, "format.") {
		return true
	}
	// One or two words are often the same in these languages (portal,
	// total, e-mail, Status); a longer text that is identical was not
	// translated.
	return len(strings.Fields(placeholder.ReplaceAllString(text, ""))) <= 2
}

func TestCatalogs_ALongerTextIsTranslatedNotCopiedFromEnglish(t *testing.T) {
	en, err := Messages(language.English)
	require.NoError(t, err)
	for _, tag := range Supported[1:] {
		m, err := Messages(tag)
		require.NoError(t, err)
		for key, forms := range m {
			for form, text := range forms {
				if base, ok := en[key][form]; ok && base == text && !untranslatedOK(key, text) {
					t.Errorf("%s %s (%s) is the English text: %q", tag, key, form, text)
				}
			}
		}
	}
}

func TestCatalogs_EveryCatalogParsesAndNamesItsLanguage(t *testing.T) {
	for _, tag := range Supported {
		l := New(tag)
		assert.Equal(t, tag, l.Tag())
		assert.NotEqual(t, "lang.name", l.Name(), tag)
	}
}
