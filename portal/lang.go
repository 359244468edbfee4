package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal/store"
)

// maxAcceptLanguage bounds the Accept-Language header the portal reads: a
// browser sends a few dozen bytes; a longer one is not worth parsing and
// is answered in English.
const maxAcceptLanguage = 256

// requestLang is the language a request asks for in its Accept-Language
// header (the closest the catalogs have); English when it names none of
// them, is unparseable, or is too long.
func requestLang(r *http.Request) *i18n.Lang {
	return i18n.New(requestTag(r))
}

// requestTag is requestLang's tag, for keeping on a new account.
func requestTag(r *http.Request) language.Tag {
	h := r.Header.Get("Accept-Language")
	if h == "" || len(h) > maxAcceptLanguage {
		return language.English
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return language.English
	}
	return i18n.Match(tags...)
}

// isEnglish reports whether l is the language of logs, whose texts are the
// portal's own English (Msg, http.StatusText) byte for byte.
func isEnglish(l *i18n.Lang) bool { return l.Tag() == language.English }

// problemIn is problemOf in the language l: the title and the detail are
// the catalog's ("kind.<kind>", "error.<code>" with the refusal's
// specifics), the code stays the same. English keeps the portal's own
// detail, which names the object concerned.
func problemIn(err error, l *i18n.Lang) (api.Problem, int, bool) {
	p, retry, internal := problemOf(err)
	return localize(p, l, argsOf(err)), retry, internal
}

// localize words a problem's title and detail in l.
func localize(p api.Problem, l *i18n.Lang, args []any) api.Problem {
	p.Title = http.StatusText(p.Status)
	if isEnglish(l) {
		return p
	}
	p.Title = l.T("kind." + titleKind(p.Status))
	key := "error." + p.Code
	if !l.Has(key) {
		return p
	}
	// A refusal replayed from the idempotency record, or one made before
	// its site gave the specifics, may lack one the wording names: then the
	// English detail, which has them, is better than a hole.
	if s := l.T(key, localArgs(l, args)...); !strings.Contains(s, "<no value>") {
		p.Detail = s
	}
	return p
}

// titleKind names a status for its title ("kind.<name>"): the problem's
// kind, and a name of its own for the two statuses that share the kind
// "internal" in kindName but not its title.
func titleKind(status int) string {
	switch status {
	case http.StatusUnsupportedMediaType:
		return "unsupported_type"
	case http.StatusRequestedRangeNotSatisfiable:
		return "range"
	}
	return kindName(status)
}

// argsOf is the specifics of the outermost core refusal in err.
func argsOf(err error) []any {
	var ce *core.Error
	if errors.As(store.AsRefusal(err), &ce) {
		return ce.Args
	}
	return nil
}

// localArgs writes dates and numbers of a refusal's specifics the locale's
// way.
func localArgs(l *i18n.Lang, kv []any) []any {
	out := make([]any, len(kv))
	copy(out, kv)
	for i := 1; i < len(out); i += 2 {
		switch v := out[i].(type) {
		case time.Time:
			out[i] = l.Date(v.UTC())
		case int:
			out[i] = l.Number(v)
		}
	}
	return out
}

// wireArgs are a refusal's specifics as the problem's "args" (name to
// text), so that a client words the code in its user's language with them;
// a date is written as YYYY-MM-DD.
func wireArgs(kv []any) map[string]string {
	if len(kv) < 2 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			continue
		}
		switch v := kv[i+1].(type) {
		case time.Time:
			m[name] = v.UTC().Format("2006-01-02")
		default:
			m[name] = fmt.Sprint(v)
		}
	}
	return m
}
