package desk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lsync "github.com/licdesk/licdesk/sync"
)

func TestSetEmailLanguage_KeepsTheNearestCatalogOnTheAccountAndRefusesOthers(t *testing.T) {
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	ctx := context.Background()

	u, err := d.SetEmailLanguage(ctx, "pt")
	require.NoError(t, err)
	assert.Equal(t, "pt-BR", u.Language)
	got, err := d.EmailLanguage(ctx)
	require.NoError(t, err)
	assert.Equal(t, "pt-BR", got)

	_, err = d.SetEmailLanguage(ctx, "klingon")
	require.Error(t, err)
	assert.Equal(t, "account.language", lsync.CodeOf(err))
	got, err = d.EmailLanguage(ctx)
	require.NoError(t, err)
	assert.Equal(t, "pt-BR", got, "a refused language changes nothing")
}
