package profile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/licdesk/licdesk/profile"
)

// brokenKeyring is a machine without a Secret Service.
type brokenKeyring struct{}

var errNoBus = errors.New("dbus: no session bus")

func (brokenKeyring) Get(string, string) (string, error) { return "", errNoBus }
func (brokenKeyring) Set(string, string, string) error   { return errNoBus }
func (brokenKeyring) Delete(string, string) error        { return errNoBus }

func TestDefaultDir_HonoursLICDESK_HOME(t *testing.T) {
	dir := t.TempDir()
	got, err := profile.DefaultDir(func(k string) string {
		if k == profile.EnvHome {
			return dir
		}
		return ""
	})
	require.NoError(t, err)
	assert.Equal(t, dir, got)
}

func TestSecrets_UseTheKeyringWhenItAnswers(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := profile.NewSecrets(dir, profile.KeyringOrFile, profile.SystemKeyring{})
	place, err := s.Set("token a", "secret-1")
	require.NoError(t, err)
	assert.Equal(t, profile.InKeyring, place)
	_, err = os.Stat(s.FilePath())
	assert.True(t, os.IsNotExist(err), "no file when the keyring works")
	v, place, err := s.Get("token a")
	require.NoError(t, err)
	assert.Equal(t, "secret-1", v)
	assert.Equal(t, profile.InKeyring, place)
	require.NoError(t, s.Delete("token a"))
	_, _, err = s.Get("token a")
	assert.ErrorIs(t, err, profile.ErrNoSecret)
}

func TestSecrets_FallBackToAPrivateFileWithoutASecretService(t *testing.T) {
	dir := t.TempDir()
	s := profile.NewSecrets(dir, profile.KeyringOrFile, brokenKeyring{})
	place, err := s.Set("token a", "secret-1")
	require.NoError(t, err)
	assert.Equal(t, profile.InFile, place)
	assert.ErrorIs(t, s.KeyringError(), errNoBus, "the reason is kept to tell the user")
	info, err := os.Stat(filepath.Join(dir, "secrets.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	v, place, err := s.Get("token a")
	require.NoError(t, err)
	assert.Equal(t, "secret-1", v)
	assert.Equal(t, profile.InFile, place)

	require.NoError(t, s.Delete("token a"))
	_, err = os.Stat(s.FilePath())
	assert.True(t, os.IsNotExist(err), "the last secret's removal removes the file")
}

func TestSecrets_KeyringOnlyRefusesTheFile(t *testing.T) {
	dir := t.TempDir()
	s := profile.NewSecrets(dir, profile.KeyringOnly, brokenKeyring{})
	_, err := s.Set("token a", "secret-1")
	assert.ErrorIs(t, err, errNoBus)
	_, err = os.Stat(s.FilePath())
	assert.True(t, os.IsNotExist(err))
}

func TestSecrets_FileOnlyNeverTouchesTheKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("must not be called"))
	s := profile.NewSecrets(t.TempDir(), profile.FileOnly, profile.SystemKeyring{})
	place, err := s.Set("t", "v")
	require.NoError(t, err)
	assert.Equal(t, profile.InFile, place)
	v, _, err := s.Get("t")
	require.NoError(t, err)
	assert.Equal(t, "v", v)
}

func TestParseSecretsMode(t *testing.T) {
	tests := []struct {
		in   string
		want profile.SecretsMode
		ok   bool
	}{
		{"", profile.KeyringOrFile, true}, {"auto", profile.KeyringOrFile, true},
		{"keyring", profile.KeyringOnly, true}, {"file", profile.FileOnly, true}, {"vault", 0, false},
	}
	for _, tt := range tests {
		got, err := profile.ParseSecretsMode(tt.in)
		assert.Equal(t, tt.ok, err == nil, tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, got)
		}
	}
}

func TestOpen_MakesAPrivateFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	p, err := profile.Open(dir, "file")
	require.NoError(t, err)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	assert.Equal(t, filepath.Join(dir, "cache.db"), p.CachePath())
	_, err = profile.Open(dir, "bogus")
	assert.Error(t, err)
}
