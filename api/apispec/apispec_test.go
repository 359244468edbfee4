package apispec_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api/apispec"
)

type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestGuard_ReportsAnAnswerTheDocumentDoesNotDescribe(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		status                   int
		answer, contentType      string
		wantErr                  bool
	}{
		{"described", "GET", "/v1/health", "", 200, `{"status":"ok"}`, "application/json", false},
		{"a field of the wrong type", "GET", "/v1/me", "", 200, `{"user":{"id":1,"email":"a@b.example","name":"A"},"memberships":[]}`, "application/json", true},
		{"an undescribed status", "GET", "/v1/me", "", 418, `{}`, "application/json", true},
		{"a problem as described", "GET", "/v1/me", "", 401, `{"type":"about:blank","title":"Unauthorized","status":401,"code":"auth.required"}`, "application/problem+json", false},
		{"an accepted request the document refuses", "POST", "/v1/login", `{"email":5}`, 200, `{}`, "application/json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := apispec.Guard(&rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.answer)
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer x")
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, tt.answer, string(got), "the answer passes unchanged")
			assert.Equal(t, tt.wantErr, len(rec.errs) > 0, "%v", rec.errs)
		})
	}
}
