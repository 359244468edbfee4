package main

import (
	"encoding/json"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allowedArrows is the dependency direction of docs/design.md
// ("Packages and their arrows"): for each package of the project, the
// project packages it may import. A package missing here fails the test:
// placing a new one is a design decision, made here and in the design.
var allowedArrows = map[string][]string{
	"":                       {"cli", "ui", "desk", "mailbox/imapdemo", "portal/demo", "profile", "internal/quietinit", "version", "i18n"},
	"cmd/licportal":          {"portal", "portal/store", "portal/mail", "api", "core", "version"},
	"cmd/benchratio":         {},
	"core":                   {},
	"core/licensefile":       {},
	"core/activation":        {"core", "core/licensefile"},
	"api":                    {"core"},
	"api/apispec":            {"api"},
	"portal":                 {"api", "core", "core/activation", "core/licensefile", "portal/blobs", "portal/mail", "portal/store", "i18n"},
	"portal/blobs":           {"core"},
	"portal/mail":            {"i18n"},
	"portal/store":           {"api", "core", "core/activation", "core/licensefile", "portal/blobs"},
	"portal/store/storetest": {},
	"portal/demo":            {"portal", "portal/mail", "portal/store"},
	"portal/portaltest":      {"api", "api/apispec", "core", "portal", "portal/demo", "portal/mail", "portal/store"},
	"sync":                   {"api", "core", "version", "i18n"},
	"machine/machinetest":    {"machine"},
	"machine":                {"core", "core/activation", "core/licensefile"},
	"check":                  {"core", "core/licensefile", "machine"},
	"checkcmd":               {"machine"},
	"cmd/licdesk-check":      {"checkcmd", "machine", "version"},
	"profile":                {},
	"mailscan":               {"core", "i18n"},
	"mailbox":                {},
	"mailbox/imapdemo":       {"portal/mail"},
	"desk":                   {"api", "core", "core/activation", "core/licensefile", "machine", "mailbox", "mailscan", "profile", "sync", "i18n"},
	"ui":                     {"api", "assets", "core", "core/activation", "core/licensefile", "desk", "internal/words", "machine", "sync", "i18n"},
	"ui/internal/startbench": {"ui"},
	"cli":                    {"api", "checkcmd", "core", "desk", "internal/words", "machine", "profile", "sync", "i18n"},
	"assets":                 {},
	"internal/quietinit":     {},
	"internal/words":         {"core", "i18n"},
	"version":                {},
	"i18n":                   {},
}

func TestArchitecture_PackagesImportOnlyAlongTheAllowedArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	require.NoError(t, err)
	const mod = "github.com/licdesk/licdesk"
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct{ ImportPath string }
		var imports struct{ Imports []string }
		var raw json.RawMessage
		require.NoError(t, dec.Decode(&raw))
		require.NoError(t, json.Unmarshal(raw, &p))
		require.NoError(t, json.Unmarshal(raw, &imports))
		name := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		allowed, ok := allowedArrows[name]
		if !assert.True(t, ok, "package %q has no place in the design: add it to allowedArrows and docs/design.md", name) {
			continue
		}
		seen++
		for _, imp := range imports.Imports {
			if !strings.HasPrefix(imp, mod+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, mod+"/")
			assert.Contains(t, allowed, dep, "%s may not import %s", path.Join(mod, name), dep)
		}
	}
	assert.Equal(t, len(allowedArrows), seen, "every package of the design exists")
}

func TestReleaseBuild_LeavesTheDemoPortalAndItsDriversOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "release", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	for _, d := range deps {
		assert.False(t, strings.HasPrefix(d, "github.com/licdesk/licdesk/portal"), "a release licdesk links %s", d)
		assert.False(t, strings.HasPrefix(d, "github.com/jackc/pgx"), "a release licdesk links %s", d)
	}
	assert.Contains(t, deps, "github.com/licdesk/licdesk/ui", "the window is still there")
}
