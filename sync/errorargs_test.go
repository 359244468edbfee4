package sync_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// A refusal's specifics (the problem's args) come back as core's Args, so
// that the client words the code in its user's language with them.
func TestRefusal_KeepsTheProblemsArgsForTheUsersLanguage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", api.ProblemContentType)
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"type":"x","title":"Not Found","status":404,"code":"member.no_account",` +
			`"detail":"ghost@x.example has no account yet","args":{"Email":"ghost@x.example"}}`))
	}))
	t.Cleanup(srv.Close)
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, Retry: fastRetry()})
	require.NoError(t, err)
	err = cl.Health(context.Background())
	require.Error(t, err)
	var ce *core.Error
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, []any{"Email", "ghost@x.example"}, ce.Args)
	assert.Equal(t, "ghost@x.example ainda não tem conta: atribua uma licença para convidar e depois ofereça a participação",
		i18n.New(language.BrazilianPortuguese).Err(err))
}
