package sync

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
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

// Error is a failed call to the portal: either the portal's refusal
// (problem+json, with its stable Code) or the client's own failure to get an
// answer (Kind Offline, Code "network" or "timeout").
type Error struct {
	Kind Kind
	// Code is the portal's stable problem code ("seat.full"), or the
	// client's own: "network", "timeout", "response.too_large",
	// "response.malformed".
	Code string
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Msg is one line for people.
	Msg string
	// RetryAfter is how long the portal asked us to wait (429, 503).
	RetryAfter time.Duration
	// Err is the underlying cause, if any.
	Err error
}

// Error returns the one-line message.
func (e *Error) Error() string { return e.Msg }

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

// messageFor returns the one-line explanation of one of the portal's known
// problem codes, worded for someone at a command line or in the window, or
// "" for a code whose own detail should be shown.
func messageFor(code string) string {
	switch code {
	case "auth.required":
		return "not logged in: run licdesk login"
	case "auth.token":
		return "your session has ended: log in again with licdesk login"
	case "auth.credentials":
		return "wrong e-mail or password"
	case "account.exists":
		return "an account already exists for this e-mail: log in instead"
	case "account.password":
		return "the password must have 10 to 256 characters"
	case "seat.full":
		return "no seat of this license is free: remove someone first or buy more seats"
	case "seat.duplicate":
		return "that e-mail already holds a seat of this license"
	case "seat.not_held":
		return "no seat of this license is held by that e-mail"
	case "license.not_found":
		return "no such license in your accounts"
	case "not_found":
		return "no such object in your accounts"
	case "adoption.none":
		return "no license of that product is assigned to you"
	case "adoption.not_held":
		return "that license is not assigned to you"
	case "access.no_role":
		return "you have no role in that account"
	case "access.denied":
		return "your role in that account does not allow this"
	case "order.not_found":
		return "no such order"
	case "order.assigned":
		return "that order was already assigned to a customer"
	case "order.customer":
		return "no such customer account, or it did not buy from you"
	case "order.not_partner":
		return "only a partner account assigns orders"
	case "idempotency.reused":
		return "this write's key was already used for a different request (a client bug): write it again"
	case "request.too_large":
		return "the request is too large for the portal"
	case "request.content_type":
		return "the portal refused the request's content type (a client bug)"
	case "feed.cursor":
		return "the portal refused the sync position; run licdesk sync again"
	case "internal":
		return "the portal failed to answer; try again later"
	}
	return ""
}

// problemError turns a problem+json answer into an *Error.
func problemError(status int, p api.Problem, retryAfter time.Duration) *Error {
	e := &Error{Status: status, Code: p.Code, RetryAfter: retryAfter}
	e.Kind = kindOfStatus(status)
	if e.Code == "" {
		e.Code = "http." + strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
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
