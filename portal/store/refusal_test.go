package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
)

func TestAsRefusal_MapsDatabaseErrorsTheRequestCausedTo4xxKinds(t *testing.T) {
	for _, tc := range []struct {
		code string
		kind core.Kind
	}{
		{"23505", core.Conflict}, // unique violation
		{"23503", core.Conflict}, // foreign key
		{"22021", core.Invalid},  // NUL or invalid byte sequence in text
		{"22P02", core.Invalid},  // invalid text representation
		{"22001", core.Invalid},  // value too long
	} {
		err := store.AsRefusal(fmt.Errorf("write: %w", &pgconn.PgError{Code: tc.code, Message: "secret SQL detail"}))
		assert.Equal(t, tc.kind, core.KindOf(err), tc.code)
		var ce *core.Error
		if assert.True(t, errors.As(err, &ce)) {
			assert.NotContains(t, ce.Msg, "secret SQL detail", "the client's message names no SQL")
		}
	}
	other := &pgconn.PgError{Code: "53300"} // too many connections: the portal's problem
	assert.Same(t, error(other), store.AsRefusal(other))
}
