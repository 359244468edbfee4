package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemo_SignsInAsTheOwnerFirst(t *testing.T) {
	d, err := startDemo(context.Background())
	require.NoError(t, err)
	defer d.Close()
	require.NotEmpty(t, d.users)
	assert.Equal(t, "ana@acme.example", d.users[0].Email, "the demo signs in as the owner first")
	assert.Equal(t, d.URL, d.users[0].Portal)
}
