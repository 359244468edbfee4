package i18n

import "golang.org/x/text/language"

// Detect chooses the language: the explicit setting first (--lang,
// LICDESK_LANG or the window's setting, passed as setting), then the
// system's (LC_ALL, LC_MESSAGES, LANG on Linux and macOS, in POSIX order;
// the user's UI languages on Windows), then English. An unusable setting is
// ignored here; the faces check it with Parse to say so.
func Detect(setting string, getenv func(string) string) language.Tag {
	if setting != "" {
		if t, err := Parse(setting); err == nil {
			return t
		}
	}
	return Match(systemTags(getenv)...)
}

// envTags reads the POSIX locale variables: LC_ALL wins, then LC_MESSAGES,
// then LANG; LANGUAGE (GNU's priority list, "pt_BR:en") is consulted only
// when one of those names a language, as gettext does.
func envTags(getenv func(string) string) []language.Tag {
	var base string
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			base = s
			break
		}
	}
	bt, ok := parseLocale(base)
	if !ok {
		return nil
	}
	var tags []language.Tag
	for _, s := range splitList(getenv("LANGUAGE")) {
		if t, ok := parseLocale(s); ok {
			tags = append(tags, t)
		}
	}
	return append(tags, bt)
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ':' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
