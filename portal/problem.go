package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
)

// httpError is a refusal of the HTTP layer itself (authentication, rate
// limits, request shape), with the status and stable code it answers with.
type httpError struct {
	status     int
	code       string
	msg        string
	retryAfter int // seconds, for 429
}

func (e *httpError) Error() string { return e.msg }

func refuse(status int, code, msg string) error {
	return &httpError{status: status, code: code, msg: msg}
}

func kindName(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusGone:
		return "expired"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusTooManyRequests:
		return "too_many"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "internal"
}

// problemOf turns any error into the answer a client gets. Errors that are
// neither domain refusals nor HTTP-layer refusals are internal: the client
// gets a generic answer and the details go only to the log.
func problemOf(err error) (api.Problem, int, bool) {
	err = store.AsRefusal(err)
	var he *httpError
	if errors.As(err, &he) {
		return api.Problem{Status: he.status, Code: he.code, Detail: he.msg}, he.retryAfter, false
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		// A refusal answers with its kind's status, except a code the
		// registry answers 401 (an ended session: log in again).
		st := api.StatusOf(ce.Kind)
		if info, ok := api.LookupCode(ce.Code); ok && info.Status == http.StatusUnauthorized {
			st = info.Status
		}
		return api.Problem{Status: st, Code: ce.Code, Detail: ce.Msg, Args: wireArgs(ce.Args)}, 0, false
	}
	return api.Problem{Status: http.StatusInternalServerError, Code: "internal",
		Detail: "the portal failed to answer; try again later"}, 0, true
}

// writeProblem answers a problem; its title is the status's English text
// unless localize put it in the request's language.
func writeProblem(w http.ResponseWriter, p api.Problem, retryAfter int) {
	p.Kind = kindName(p.Status)
	p.Type = "https://licdesk.invalid/problems/" + p.Code
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", api.ProblemContentType)
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="licportal"`)
	}
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
