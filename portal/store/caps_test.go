package store_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/store"
)

func TestCaps_AnAccountHasAtMost200OpenRequests(t *testing.T) {
	eachContentBackend(t, func(t *testing.T, f *contentFixture) {
		ana := f.c(f.ana)
		var first api.ServiceRequest
		for i := range 200 {
			r, err := f.s.CreateServiceRequest(f.ctx, ana, store.Write{}, api.NewServiceRequest{AccountID: f.acme,
				Product: "Eberick", Title: fmt.Sprint("request ", i), Description: "x"})
			require.NoError(t, err)
			if i == 0 {
				first = r
			}
		}
		_, err := f.s.CreateServiceRequest(f.ctx, ana, store.Write{}, api.NewServiceRequest{AccountID: f.acme,
			Product: "Eberick", Title: "one more", Description: "x"})
		assert.Equal(t, "account.requests_limit", core.CodeOf(err))
		assert.Equal(t, core.Conflict, core.KindOf(err))

		_, err = f.s.CloseServiceRequest(f.ctx, ana, store.Write{}, first.ID)
		require.NoError(t, err)
		_, err = f.s.CreateServiceRequest(f.ctx, ana, store.Write{}, api.NewServiceRequest{AccountID: f.acme,
			Product: "Eberick", Title: "room again", Description: "x"})
		require.NoError(t, err, "closing one makes room")
	})
}
