package core

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindOfAndCodeOf_ReadTheOutermostCoreErrorThroughWrapping(t *testing.T) {
	base := E(Conflict, CodeSeatFull, "no seat")
	wrapped := fmt.Errorf("assigning: %w", base)
	tests := []struct {
		name string
		err  error
		kind Kind
		code string
	}{
		{"nil", nil, Other, ""},
		{"plain error", io.EOF, Other, ""},
		{"core error", base, Conflict, CodeSeatFull},
		{"wrapped by fmt", wrapped, Conflict, CodeSeatFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.kind, KindOf(tt.err))
			assert.Equal(t, tt.code, CodeOf(tt.err))
		})
	}
}

func TestError_MessageIsOneLineWithCauseAndUnwraps(t *testing.T) {
	err := Wrap(io.EOF, Invalid, CodeEmailInvalid, "not an e-mail address")
	assert.Equal(t, "not an e-mail address: EOF", err.Error())
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, "no seat", E(Conflict, CodeSeatFull, "no seat").Error())
}

func TestErrorIs_MatchesOnCodeAndKindNotMessage(t *testing.T) {
	err := fmt.Errorf("x: %w", E(Conflict, CodeSeatFull, "license L1 has no seat"))
	assert.ErrorIs(t, err, &Error{Code: CodeSeatFull})
	assert.ErrorIs(t, err, &Error{Kind: Conflict})
	assert.ErrorIs(t, err, &Error{Kind: Conflict, Code: CodeSeatFull, Msg: "other words"})
	assert.NotErrorIs(t, err, &Error{Code: CodeSeatDuplicate})
	assert.NotErrorIs(t, err, &Error{Kind: Forbidden, Code: CodeSeatFull})
	assert.NotErrorIs(t, err, &Error{}, "an empty template must not match everything")
}

func TestKind_StringNamesEveryKind(t *testing.T) {
	for k := Other; k <= Expired; k++ {
		assert.NotContains(t, k.String(), "Kind(")
	}
	assert.Equal(t, "Kind(99)", Kind(99).String())
	assert.Equal(t, "not found", NotFound.String())
}

func TestE_ReturnsAnErrorThatIsACoreError(t *testing.T) {
	var e *Error
	require.True(t, errors.As(E(Forbidden, CodeAccessDenied, "no"), &e))
	assert.Equal(t, Forbidden, e.Kind)
}

func TestWithArgs_GivesTheCodeAndItsSpecificsWithoutChangingTheOriginal(t *testing.T) {
	base := E(Conflict, CodeSeatDuplicate, "ana@example.com already holds a seat of license L-1")
	err := WithArgs(base, "Email", "ana@example.com", "License", "L-1")
	var coded interface {
		ErrorCode() string
		ErrorArgs() []any
	}
	require.True(t, errors.As(err, &coded))
	assert.Equal(t, CodeSeatDuplicate, coded.ErrorCode())
	assert.Equal(t, []any{"Email", "ana@example.com", "License", "L-1"}, coded.ErrorArgs())
	assert.Equal(t, base.Error(), err.Error(), "the English message is unchanged")
	assert.Nil(t, base.(*Error).Args, "the original refusal keeps no arguments")
	plain := errors.New("disk full")
	assert.Same(t, plain, WithArgs(plain, "X", 1), "an error that is not core's is returned as it is")
}
