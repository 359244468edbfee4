package sync_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lsync "github.com/licdesk/licdesk/sync"
)

func TestParsePortalURL_RefusesPlainHTTPToAnotherHostUnlessInsecure(t *testing.T) {
	for _, u := range []string{"http://portal.example", "http://192.0.2.10:8470", "http://[2001:db8::1]:8470", "http://localhost.evil.example"} {
		_, err := lsync.ParsePortalURL(u)
		assert.Equal(t, "portal.insecure", lsync.CodeOf(err), u)
		_, err = lsync.NewClient(lsync.ClientConfig{BaseURL: u})
		assert.Equal(t, "portal.insecure", lsync.CodeOf(err), u)
		_, err = lsync.NewClient(lsync.ClientConfig{BaseURL: u, Insecure: true})
		assert.NoError(t, err, "--insecure allows %s", u)
	}
	for _, u := range []string{"https://portal.example", "http://127.0.0.1:8470", "http://localhost:8470", "http://[::1]:8470", "http://127.9.9.9"} {
		_, err := lsync.ParsePortalURL(u)
		assert.NoError(t, err, u)
	}
}

func TestOpenCache_CreatesTheFileReadableOnlyByItsUser(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	c, err := lsync.OpenCache(context.Background(), path)
	require.NoError(t, err)
	defer c.Close()
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	if wal, err := os.Stat(path + "-wal"); err == nil {
		assert.Equal(t, os.FileMode(0o600), wal.Mode().Perm(), "the WAL holds the same data")
	}

	// A cache an older version left world-readable is tightened.
	old := filepath.Join(dir, "old.db")
	require.NoError(t, os.WriteFile(old, nil, 0o644))
	c2, err := lsync.OpenCache(context.Background(), old)
	require.NoError(t, err)
	defer c2.Close()
	info, err = os.Stat(old)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
