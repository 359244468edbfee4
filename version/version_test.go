package version

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The release number is written in four places: Number (what --version
// prints), FyneApp.toml (which `make package` reads for the packages' and
// the installer's versions), the AppStream metainfo's latest release and the
// Debian changelog's latest entry. A release that bumps one and forgets
// another fails here.

func readRepoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(rel)))
	require.NoError(t, err)
	return b
}

// fyneAppVersion is [Details] Version in FyneApp.toml, as the Makefile's
// sed reads it: the one Version line of the file.
func fyneAppVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]*)"\s*$`).FindAllSubmatch(readRepoFile(t, "FyneApp.toml"), -1)
	require.Len(t, m, 1, "FyneApp.toml must have exactly one Version line")
	return string(m[0][1])
}

type metainfo struct {
	Releases []struct {
		Version string `xml:"version,attr"`
		Date    string `xml:"date,attr"`
	} `xml:"releases>release"`
}

func TestVersion_FyneAppTomlCarriesNumber(t *testing.T) {
	assert.Equal(t, Number, fyneAppVersion(t))
}

func TestVersion_MetainfoLatestReleaseIsNumber(t *testing.T) {
	var m metainfo
	require.NoError(t, xml.Unmarshal(readRepoFile(t, "packaging/linux/io.github.licdesk.licdesk.metainfo.xml"), &m))
	require.NotEmpty(t, m.Releases, "the metainfo lists no release")
	assert.Equal(t, Number, m.Releases[0].Version, "the first <release> is the latest")
	assert.NotEmpty(t, m.Releases[0].Date)
	for i := 1; i < len(m.Releases); i++ {
		assert.Greater(t, m.Releases[i-1].Date, m.Releases[i].Date, "releases are listed newest first")
	}
}

func TestVersion_DebianChangelogTopEntryIsNumber(t *testing.T) {
	m := regexp.MustCompile(`^licdesk \(([^)]+)\) `).FindSubmatch(readRepoFile(t, "packaging/debian/changelog"))
	require.NotNil(t, m, "packaging/debian/changelog does not start with a licdesk entry")
	assert.Equal(t, Number, string(m[1]))
}

func TestVersion_StringStartsWithProgramAndNumber(t *testing.T) {
	assert.Regexp(t, `^licdesk `+regexp.QuoteMeta(Number)+`( |$)`, String("licdesk"))
}
