package core

import (
	"errors"
	"strconv"
)

// Kind classifies a refusal so that callers can react to the class of
// problem (ask again, show a conflict, log in, retry later) without parsing
// messages. The portal maps each Kind to one HTTP status.
type Kind int

// The kinds of refusal. Other is the zero value so that an error that is not
// an *Error classifies as Other rather than as something it is not.
const (
	Other     Kind = iota // not classified; not produced by core itself
	Invalid               // the input is malformed; fixing it may help
	NotFound              // the thing referred to does not exist or is not held
	Conflict              // the input is fine but clashes with the current state
	Forbidden             // the actor may not do this
	Offline               // this needs the portal and the portal is out of reach
	Expired               // a time limit has passed
)

// String names the kind in lower case, as it appears in logs.
func (k Kind) String() string {
	switch k {
	case Other:
		return "other"
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Offline:
		return "offline"
	case Expired:
		return "expired"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the one error type core returns. Code is a stable machine code
// ("seat.duplicate") that clients may switch on and that never changes once
// published; Msg is one line for humans and may be reworded at any time.
type Error struct {
	Kind Kind
	Code string
	Msg  string
	Err  error // the underlying cause, if any
	// Args are the specifics a translation of the code may name, as name,
	// value pairs ("Email", "ana@example.com", "License", "L-1"): the
	// catalog's "error.<code>" text uses them as placeholders, so the
	// refusal reads as well in every language as Msg does in English.
	// Which names a code's sites give is documented in the registry
	// (api.Codes).
	Args []any
}

// Error returns the human message, followed by the cause when there is one,
// on one line, because the command line prints it as its one-line reason.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode is the stable code, by which a catalog words the refusal in the
// user's language ("error.<code>"); with ErrorArgs it makes *Error an
// i18n.Coded without core importing i18n.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorArgs are the name, value pairs the code's wording may name.
func (e *Error) ErrorArgs() []any { return e.Args }

// WithArgs returns err with the specifics its wording names, when err is an
// *Error; a copy, so that a refusal kept in a variable is never changed.
// Anything else comes back as it is.
func WithArgs(err error, kv ...any) error {
	e, ok := err.(*Error)
	if !ok || e == nil {
		return err
	}
	c := *e
	c.Args = append([]any(nil), kv...)
	return &c
}

// Is lets errors.Is match on the stable parts of a template error: a target
// with a Code matches that code, a target with a Kind matches that kind, and
// the message is ignored because it is not stable.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code != "" && t.Code != e.Code {
		return false
	}
	if t.Kind != Other && t.Kind != e.Kind {
		return false
	}
	return t.Code != "" || t.Kind != Other
}

// E builds a refusal. It returns error rather than *Error so that a nil
// *Error can never masquerade as a non-nil error.
func E(kind Kind, code, msg string) error {
	return &Error{Kind: kind, Code: code, Msg: msg}
}

// Wrap builds a refusal that keeps its cause, so the detail survives for
// logs while the code stays stable for clients.
func Wrap(err error, kind Kind, code, msg string) error {
	return &Error{Kind: kind, Code: code, Msg: msg, Err: err}
}

// KindOf reports the Kind of the outermost *Error in err's chain, or Other
// when there is none (including for nil).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// CodeOf reports the Code of the outermost *Error in err's chain, or "" when
// there is none (including for nil).
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
