//go:build windows

package i18n

import (
	"golang.org/x/sys/windows"
	"golang.org/x/text/language"
)

// systemTags on Windows: the POSIX variables when a shell set them (MSYS,
// Cygwin), else the user's preferred UI languages, which is what Windows
// itself shows its menus in.
func systemTags(getenv func(string) string) []language.Tag {
	if tags := envTags(getenv); len(tags) > 0 {
		return tags
	}
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil {
		return nil
	}
	var tags []language.Tag
	for _, s := range langs {
		if t, ok := parseLocale(s); ok {
			tags = append(tags, t)
		}
	}
	return tags
}
