package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Error is a refusal or failure worded for people but not yet put in a
// language: a catalog key, its placeholders, and the cause it wraps. Its
// Error() is the English text (for logs and for English users); a face puts
// it in the user's language with Lang.Err.
type Error struct {
	Key  string
	Args []any // name, value pairs, as for Lang.T
	Err  error
}

// Errorf builds an Error; kv are name, value pairs for the key's
// placeholders.
func Errorf(key string, kv ...any) error { return &Error{Key: key, Args: kv} }

// Wrap builds an Error that keeps cause, so that errors.Is and errors.As
// still see it and the text ends with the cause's (": cause").
func Wrap(cause error, key string, kv ...any) error {
	return &Error{Key: key, Args: kv, Err: cause}
}

// Error is the English text.
func (e *Error) Error() string {
	s := English().T(e.Key, e.Args...)
	if e.Err != nil {
		return s + ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Coded is an error with a stable code (core.Error is one): the catalog
// words it as "error.<code>" with its Args, when it has a wording there.
// i18n does not import core; core's error satisfies this.
type Coded interface {
	error
	ErrorCode() string
	ErrorArgs() []any
}

// Err words err in this language. A chain of Errors and Coded errors is
// translated link by link ("could not assign: no seat is available"); a
// link this package cannot translate (a plain fmt.Errorf context) is
// skipped in favour of the translatable link inside it, and an error with
// no translatable link at all is shown as it is, in English. In English
// the text is err.Error() unchanged.
func (l *Lang) Err(err error) string {
	if err == nil {
		return ""
	}
	if l.tag == English().tag {
		return err.Error()
	}
	if s, ok := l.errText(err); ok {
		return s
	}
	return err.Error()
}

// Worded is an error of another package that keeps its own type (callers
// match it with errors.As and read its fields) and has a wording in the
// catalogs: Err words it as Words() says. desk's typed errors are Worded.
type Worded interface {
	error
	Words() *Error
}

// errText words the first translatable link of err's chain, outermost
// first: an Error, a Worded error or a Coded one with a wording.
func (l *Lang) errText(err error) (string, bool) {
	for link := err; link != nil; link = errors.Unwrap(link) {
		switch e := link.(type) {
		case *Error:
			s := l.T(e.Key, e.Args...)
			if e.Err != nil {
				if c, ok := l.errText(e.Err); ok {
					return l.cause(s, c), true
				}
				return l.cause(s, e.Err.Error()), true
			}
			return s, true
		case Worded:
			return l.errText(e.Words())
		case Coded:
			key := "error." + e.ErrorCode()
			if !l.Has(key) {
				continue
			}
			s := l.T(key, e.ErrorArgs()...)
			// A client's error that carries the portal's refusal of the
			// same code says it once.
			inner := errors.Unwrap(e)
			for c, ok := inner.(Coded); ok && c.ErrorCode() == e.ErrorCode(); c, ok = inner.(Coded) {
				inner = errors.Unwrap(inner)
			}
			if inner != nil {
				if t, ok := l.errText(inner); ok {
					return l.cause(s, t), true
				}
			}
			return s, true
		}
	}
	return "", false
}

// cause joins a wording and its cause the language's way ("x: y" in
// English, "x : y" in French).
func (l *Lang) cause(text, cause string) string {
	return l.T("format.cause", "Text", text, "Cause", cause)
}

// String is the language's tag, for logs.
func (l *Lang) String() string { return l.tag.String() }

// storedPrefix marks a text kept for later (a finding's note in the cache)
// as a catalog key with its placeholders rather than words: it is put in
// the language of whoever reads it, when they read it.
const storedPrefix = "i18n:"

// Stored encodes a catalog key and its placeholders (name, value pairs;
// values kept as text) for a text that is stored and shown later, perhaps
// in another language; Lang.Text words it.
func Stored(key string, kv ...any) string {
	m := storedText{Key: key}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Args = append(m.Args, fmt.Sprint(kv[i]), fmt.Sprint(kv[i+1]))
	}
	b, _ := json.Marshal(m)
	return storedPrefix + string(b)
}

type storedText struct {
	Key  string   `json:"k"`
	Args []string `json:"a,omitempty"`
}

// Text words a stored text (Stored) in this language; any other text,
// such as one stored before texts were kept this way, is returned as it is.
func (l *Lang) Text(s string) string {
	rest, ok := strings.CutPrefix(s, storedPrefix)
	if !ok {
		return s
	}
	var m storedText
	if err := json.Unmarshal([]byte(rest), &m); err != nil || m.Key == "" {
		return s
	}
	kv := make([]any, len(m.Args))
	for i, a := range m.Args {
		kv[i] = l.Text(a) // a stored text may hold another (a note about a write)
	}
	return l.T(m.Key, kv...)
}
