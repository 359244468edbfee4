package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoPortal_StopsAndStartsAgainOnTheSameAddress(t *testing.T) {
	d, err := startDemo(context.Background())
	require.NoError(t, err)
	defer d.stop()
	health := func() error {
		resp, err := http.Get("http://" + d.addr + "/v1/health")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	require.NoError(t, health())
	require.NotEmpty(t, d.users)
	assert.Equal(t, "ana@acme.example", d.users[0].Email, "the demo signs in as the owner first")

	d.stopPortal()
	assert.Error(t, health(), "stopped: the window goes offline")
	d.stopPortal() // stopping twice is harmless

	require.NoError(t, d.startPortal())
	assert.NoError(t, health(), "back on the address the window knows")
	require.NoError(t, d.startPortal(), "starting a running portal is harmless")
}
