// Package profile is where License Desk keeps a user's things on this
// computer: a folder (LICDESK_HOME, by default the user's config folder)
// holding the offline cache and settings, and the session token, kept in the
// operating system's keyring and never in the cache, a log or the settings.
// Where no keyring service answers (a headless field machine), the token
// goes to a file only the user can read, and the profile says so.
package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Environment variables that steer the profile.
const (
	// EnvHome overrides the profile folder.
	EnvHome = "LICDESK_HOME"
	// EnvSecrets chooses where secrets go: "keyring" (only the keyring),
	// "file" (only the profile's token file), or unset for the keyring with
	// the file as fallback.
	EnvSecrets = "LICDESK_SECRETS"
)

// Profile is one user's License Desk folder on this computer.
type Profile struct {
	// Dir is the folder.
	Dir string
	// Secrets keeps the session tokens.
	Secrets *Secrets
}

// DefaultDir returns the profile folder: $LICDESK_HOME, or "licdesk" in the
// user's config folder. getenv is os.Getenv outside tests.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv(EnvHome); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no profile folder: set %s (%w)", EnvHome, err)
	}
	return filepath.Join(base, "licdesk"), nil
}

// Open opens (creating if needed, readable by the user only) the profile in
// dir. secretsMode is the value of LICDESK_SECRETS.
func Open(dir, secretsMode string) (*Profile, error) {
	mode, err := ParseSecretsMode(secretsMode)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create profile folder: %w", err)
	}
	return &Profile{Dir: dir, Secrets: NewSecrets(dir, mode, SystemKeyring{})}, nil
}

// CachePath is the offline cache's file.
func (p *Profile) CachePath() string { return filepath.Join(p.Dir, "cache.db") }

// DownloadsDir is where downloads go unless told otherwise.
func (p *Profile) DownloadsDir() string { return filepath.Join(p.Dir, "downloads") }

// Exists reports whether a profile folder holds a cache already.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "cache.db"))
	return !errors.Is(err, os.ErrNotExist)
}
