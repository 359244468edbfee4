package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/store"
)

func licportal(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestKeys_InitListRotateRevokeUnderAKeyFile(t *testing.T) {
	t.Setenv(store.EnvKeyFile, "")
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "portal.db")
	key := filepath.Join(dir, "portal.key")

	code, _, stderr := licportal(t, "keys", "list", "--db", db)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "--key-file", "no plain keys by default")

	code, stdout, stderr := licportal(t, "keys", "init", "--key-file", key)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "mode 0600")
	fi, err := os.Stat(key)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	code, _, stderr = licportal(t, "keys", "init", "--key-file", key)
	assert.Equal(t, 1, code, "an existing key file is never replaced")
	assert.Contains(t, stderr, "exists")

	t.Setenv(store.EnvKeyFile, key)
	code, stdout, stderr = licportal(t, "keys", "list", "--db", db)
	require.Equal(t, 0, code, stderr)
	first := strings.Fields(strings.Split(stdout, "\n")[1])[0]
	assert.Contains(t, stdout, "active")

	code, _, stderr = licportal(t, "keys", "revoke", first, "--db", db)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "rotate first")
	code, _, stderr = licportal(t, "keys", "rotate", "--db", db)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = licportal(t, "keys", "revoke", "--db", db, first)
	require.Equal(t, 0, code, stderr)
	code, stdout, _ = licportal(t, "keys", "list", "--db", db)
	require.Equal(t, 0, code)
	assert.Regexp(t, first+`\s+revoked`, stdout)

	code, _, stderr = licportal(t, "keys", "list", "--db", db, "--dev-plain-keys", "--key-file", "")
	assert.Equal(t, 1, code, "an encrypted database needs its key file")
	assert.Contains(t, stderr, "encrypted")
}
