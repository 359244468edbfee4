package portal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// Every status the portal answers has a title in every catalog, and the
// English one is the status's own text, as the portal wrote before.
func TestProblemTitles_EveryStatusIsTitledInEveryLanguage(t *testing.T) {
	statuses := []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusConflict, http.StatusGone, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusRequestedRangeNotSatisfiable, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusServiceUnavailable}
	for _, c := range api.Codes() {
		if c.Status != 0 {
			assert.Contains(t, statuses, c.Status, "%s answers a status this test does not list", c.Code)
		}
	}
	for _, st := range statuses {
		assert.Equal(t, http.StatusText(st), i18n.English().T("kind."+titleKind(st)), "status %d", st)
		for _, tag := range i18n.Supported {
			l := i18n.New(tag)
			assert.True(t, l.Has("kind."+titleKind(st)), "%s has no title for %d", tag, st)
			assert.Equal(t, l.T("kind."+titleKind(st)), localize(api.Problem{Status: st, Code: "internal"}, l, nil).Title)
		}
	}
}

// A refusal that lacks a specific its wording names (one replayed from the
// idempotency record keeps no Args) keeps the portal's English detail
// rather than show a hole.
func TestLocalize_AWordingWithAMissingSpecificKeepsTheEnglishDetail(t *testing.T) {
	pt := i18n.New(language.BrazilianPortuguese)
	p := api.Problem{Status: http.StatusNotFound, Code: "member.no_account", Detail: "x@y.example has no account yet"}
	assert.Equal(t, "x@y.example has no account yet", localize(p, pt, nil).Detail)
	assert.Equal(t, "Não encontrado", localize(p, pt, nil).Title)
	err := core.WithArgs(core.E(core.NotFound, "member.no_account", "x@y.example has no account yet"), "Email", "x@y.example")
	got, _, _ := problemIn(err, pt)
	assert.Equal(t, "x@y.example ainda não tem conta: atribua uma licença para convidar e depois ofereça a participação", got.Detail)
	assert.Equal(t, map[string]string{"Email": "x@y.example"}, got.Args)
	en, _, _ := problemIn(err, i18n.English())
	assert.Equal(t, "x@y.example has no account yet", en.Detail, "English is the portal's own detail")
}
