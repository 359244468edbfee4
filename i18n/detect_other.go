//go:build !windows

package i18n

import "golang.org/x/text/language"

func systemTags(getenv func(string) string) []language.Tag { return envTags(getenv) }
