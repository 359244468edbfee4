package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// Kind classifies what went wrong with a call to the portal, so that callers
// react to the class (fix the input, log in, wait) rather than to messages.
type Kind int

// The kinds of failure. Unknown is the zero value: an error that is not an
// *Error classifies as Unknown rather than as something it is not.
const (
	Unknown      Kind = iota
	Invalid           // the request is malformed; fixing it may help
	NotFound          // no such object, or not one the user may see
	Conflict          // the request clashes with the portal's current state
	Forbidden         // the user may not do this
	Unauthorized      // not logged in, or the session ended
	Expired           // a time limit has passed
	Offline           // the portal could not be reached (network, timeout)
	Unavailable       // the portal answered but failed or asked us to slow down
)

// String names the kind in lower case.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Unauthorized:
		return "unauthorized"
	case Expired:
		return "expired"
	case Offline:
		return "offline"
	case Unavailable:
		return "unavailable"
	}
	return "unknown"
}

// Error is a failed call to the portal, or a write refused before it was
// queued. The error model is one across the wire (after upspin's errors):
//
//   - A refusal (the portal's problem+json answer, or the client's own check
//     of a write's input) carries core's error as its cause: Err is a
//     *core.Error with the same Code and the core.Kind the portal made it
//     with (rebuilt from the answer's status and the code registry,
//     api.LookupCode). So errors.Is(err, &core.Error{Code: core.CodeSeatFull}),
//     core.CodeOf and core.KindOf answer on the client as on the portal.
//   - A transport failure (no answer, the portal failing or throttling, the
//     session ended) is the client's own: Kind Offline, Unavailable or
//     Unauthorized, Err the network cause; there is no core error in it
//     then, except that an ended session (auth.*) still names its code.
//
// Kind is the class the client reacts to: it mirrors the core kind of a
// refusal and names the transport failures core has no kind for.
type Error struct {
	Kind Kind
	// Code is the stable code (api.Codes lists them all): the portal's
	// ("seat.full"), or the client's own ("network", "timeout",
	// "response.malformed", "request.argument").
	Code string
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Msg is one line for people: the registry's wording for the code, else
	// the portal's detail.
	Msg string
	// RetryAfter is how long the portal asked us to wait (429, 503).
	RetryAfter time.Duration
	// Err is the underlying cause: the *core.Error of a refusal, the
	// network error of a transport failure.
	Err error
	// Args are the values of a transport failure's message (Host, Why) as
	// name, value pairs, for a face that words the code in the user's
	// language (i18n's "error.<code>").
	Args []any
}

// Error returns the one-line message.
func (e *Error) Error() string { return e.Msg }

// ErrorCode is the stable code, so that a face can word the error in the
// user's language (i18n.Coded).
func (e *Error) ErrorCode() string { return e.Code }

// ErrorArgs are the message's values: a transport failure's own, else
// those of the refusal it carries.
func (e *Error) ErrorArgs() []any {
	if e.Args != nil {
		return e.Args
	}
	var c interface{ ErrorArgs() []any }
	if e.Err != nil && errors.As(e.Err, &c) {
		return c.ErrorArgs()
	}
	return nil
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Transient reports whether asking again later may succeed without anyone
// changing anything: the portal was out of reach, failed, or throttled us.
func (e *Error) Transient() bool { return e.Kind == Offline || e.Kind == Unavailable }

// Refusal reports whether the portal gave a final answer to a write: it
// understood the request and said no. Replaying it would get the same no, so
// the outbox marks the write failed. An ended session is not a refusal of
// the write itself: the write waits for the next login.
func (e *Error) Refusal() bool {
	return e.Status >= 400 && e.Status < 500 && e.Kind != Unauthorized && !e.Transient()
}

// KindOf reports the Kind of the first *Error in err's chain, Unknown if none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unknown
}

// CodeOf reports the Code of the first *Error in err's chain, "" if none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsTransient reports whether err is a failure worth trying again later.
func IsTransient(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Transient()
}

// IsOffline is the one test of "the portal is out of reach, work from the
// cache": no answer came (Kind Offline), the portal failed or throttled
// (Unavailable), a refusal core classes Offline (it needs the portal), or a
// deadline passed before the answer. The caller's own cancellation
// (context.Canceled, Ctrl+C) is not offline.
func IsOffline(err error) bool {
	switch {
	case err == nil:
		return false
	case KindOf(err) == Offline, KindOf(err) == Unavailable, core.KindOf(err) == core.Offline:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// messageFor returns the one line the client shows for a code, worded for
// someone at a command line or in the window, or "" for a code whose own
// detail should be shown. The wording lives in the code registry.
func messageFor(code string) string {
	info, _ := api.LookupCode(code)
	return info.Message
}

// refusal rebuilds core's error from a problem+json answer: the code as the
// portal sent it, the kind its status stands for (or, for a status that
// stands for none, the one the registry gives the code), the portal's
// detail as the message.
func refusal(status int, p api.Problem) *core.Error {
	kind, ok := api.KindOfStatus(status)
	if !ok {
		info, _ := api.LookupCode(p.Code)
		kind = info.Kind
	}
	msg := p.Detail
	if msg == "" {
		msg = strings.ToLower(p.Title)
	}
	return &core.Error{Kind: kind, Code: p.Code, Msg: msg, Args: problemArgs(p.Args)}
}

// problemArgs are a problem's args as core.Error.Args (name, value pairs in
// name order), so that the code's wording in the user's language names the
// specifics the portal's English detail names.
func problemArgs(m map[string]string) []any {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]any, 0, 2*len(names))
	for _, k := range names {
		out = append(out, k, m[k])
	}
	return out
}

// problemError turns a problem+json answer into an *Error.
func problemError(status int, p api.Problem, retryAfter time.Duration) *Error {
	e := &Error{Status: status, Code: p.Code, RetryAfter: retryAfter}
	e.Kind = kindOfStatus(status)
	if e.Code == "" {
		// Not a problem+json answer of the portal (a proxy's, say): no core
		// error to rebuild.
		e.Code = "http." + strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	} else {
		e.Err = refusal(status, p)
	}
	switch {
	case messageFor(e.Code) != "":
		e.Msg = messageFor(e.Code)
	case p.Detail != "":
		e.Msg = p.Detail
	case p.Title != "":
		e.Msg = strings.ToLower(p.Title)
	default:
		e.Msg = fmt.Sprintf("the portal answered %d %s", status, http.StatusText(status))
	}
	// Throttling carries its own useful wait ("try again in 3 minutes").
	if status == http.StatusTooManyRequests && p.Detail != "" {
		e.Msg = p.Detail
	}
	return e
}

// kindOfCore is the client's class of a refusal of a core kind.
func kindOfCore(k core.Kind) Kind {
	switch k {
	case core.Invalid:
		return Invalid
	case core.NotFound:
		return NotFound
	case core.Conflict:
		return Conflict
	case core.Forbidden:
		return Forbidden
	case core.Expired:
		return Expired
	case core.Offline:
		return Offline
	}
	return Unknown
}

// kindOfStatus classifies an HTTP status.
func kindOfStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return Unauthorized
	case status == http.StatusForbidden:
		return Forbidden
	case status == http.StatusNotFound:
		return NotFound
	case status == http.StatusConflict:
		return Conflict
	case status == http.StatusGone:
		return Expired
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout:
		return Unavailable
	case status >= 500:
		return Unavailable
	case status >= 400:
		return Invalid
	}
	return Unknown
}
