package demo_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/demo"
)

func TestDemoPortal_StopsAndStartsAgainOnTheSameAddress(t *testing.T) {
	p, err := demo.Start(context.Background(), demo.Options{Seed: true, Background: true})
	require.NoError(t, err)
	dir := p.Dir
	health := func() error {
		resp, err := http.Get(p.URL + "/v1/health")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	require.NoError(t, health())
	require.NotEmpty(t, p.Logins, "seeded")

	p.Stop()
	assert.Error(t, health(), "stopped: clients go offline")
	p.Stop() // stopping twice is harmless

	require.NoError(t, p.Start())
	assert.NoError(t, health(), "back on the address the clients know")
	require.NoError(t, p.Start(), "starting a running portal is harmless")

	p.Close()
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err), "a throwaway folder goes with the portal")
}
