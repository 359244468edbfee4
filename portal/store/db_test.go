package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

func TestOpen_MigratesToLatestVersionOnceAndAgainIsANoop(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			v1, err := s.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Positive(t, v1)
			require.NoError(t, s.Close())

			s, err = store.Open(ctx, b.DSN, store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			defer s.Close()
			v2, err := s.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, v1, v2)
			require.Equal(t, b.Name, s.Dialect())
		})
	}
}

func TestOpen_RefusesAnUnknownDatabaseAndHidesPasswords(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://u:secret@h/db")
	require.ErrorContains(t, err, "unknown database")
	require.NotContains(t, err.Error(), "secret")
}
