// Package apispec checks HTTP traffic against api/openapi.yaml with a real
// OpenAPI validator (libopenapi-validator), so that the document cannot
// drift from what the portal really answers. The portal's test harnesses
// put Guard in front of the server: every request the portal accepts must
// be one the document describes, and every answer it gives, accepted or
// refused, must be one the document describes.
package apispec

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/licdesk/licdesk/api"
)

// Reporter is where violations go: a *testing.T or *testing.B.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Guard wraps a handler: each request and its answer are checked against
// the document, and each difference is reported as a test error naming the
// call. The answer reaches the caller unchanged.
func Guard(r Reporter, next http.Handler) http.Handler {
	v, err := New()
	if err != nil {
		r.Errorf("%v", err)
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, req)
		answer := rec.Body.Bytes()
		if req.Method == http.MethodHead {
			answer = nil // the server drops a HEAD answer's body
		}
		for _, problem := range v.Check(req.Method, req.URL.String(), req.Header, body, rec.Code, rec.Header(), answer) {
			r.Errorf("%s", problem)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
}

// Validator checks calls against the document. It is safe for concurrent
// use.
type Validator struct {
	mu gosync.Mutex // the validator's caches are not safe for concurrent use
	v  validator.Validator
}

// New reads the document and builds its validator.
func New() (*Validator, error) {
	doc, err := libopenapi.NewDocument(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("api/openapi.yaml: %v", errs)
	}
	return &Validator{v: v}, nil
}

// Check lists how one call differs from the document: the request when the
// portal accepted it (a refused request may be malformed on purpose), and
// the answer always.
func (v *Validator) Check(method, target string, reqHeader http.Header, reqBody []byte, status int, respHeader http.Header, respBody []byte) []string {
	req, err := http.NewRequest(method, "http://portal.invalid"+target, bytes.NewReader(reqBody))
	if err != nil {
		return []string{fmt.Sprintf("%s %s: %v", method, target, err)}
	}
	req.Header = reqHeader.Clone()
	resp := &http.Response{StatusCode: status, Header: respHeader.Clone(), Body: io.NopCloser(bytes.NewReader(respBody)), Request: req}
	// A route the portal does not have is, by definition, not in the
	// document: its problem+json answer is the portal's own business.
	if (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) &&
		(bytes.Contains(respBody, []byte(`"route.unknown"`)) || bytes.Contains(respBody, []byte(`"route.method"`))) {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	where := fmt.Sprintf("%s %s -> %d", method, target, status)
	if status < 400 {
		if ok, errs := v.v.ValidateHttpRequestSync(req); !ok {
			for _, e := range errs {
				out = append(out, where+": request: "+describe(e.Message, e.Reason, e.SchemaValidationErrors))
			}
		}
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	if ok, errs := v.v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			out = append(out, where+": answer: "+describe(e.Message, e.Reason, e.SchemaValidationErrors))
		}
	}
	return out
}

// describe words a validation error with the fields that failed.
func describe(msg, reason string, fails []*verrors.SchemaValidationFailure) string {
	out := msg + ": " + reason
	var fields []string
	for _, f := range fails {
		fields = append(fields, f.FieldPath+" "+f.Reason)
	}
	if len(fields) > 0 {
		out += " (" + strings.Join(fields, "; ") + ")"
	}
	return out
}
