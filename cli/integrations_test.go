package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

func evaState(t *testing.T, u *user, extra ...string) string {
	t.Helper()
	var ins []api.Integration
	require.NoError(t, json.Unmarshal([]byte(u.ok(append([]string{"integrations", "list", "--json", "--account", "Cobalt Telecom"}, extra...)...)), &ins))
	require.Len(t, ins, 1)
	for _, x := range ins[0].Users {
		if x.Email == "eva@cobalt.example" {
			return x.State
		}
	}
	t.Fatalf("no eva in %+v", ins[0].Users)
	return ""
}

// Carlos manages MiTeam Meetings in Cobalt Telecom: read-only under the
// external controller, then, with the controller off, Eva's license,
// offline first.
func TestIntegrationsStory_ReadOnlyThenControllerOffThenEvaOffline(t *testing.T) {
	p := seeded(t)
	carlos := newUser(t)
	carlos.login(p, "carlos@cobalt.example", "demo-password")

	out := carlos.ok("integrations", "list")
	assert.Regexp(t, `Cobalt Telecom .*MiTeam Meetings\s+on\s+on\s+\d+\s+carlos@cobalt.example\s+read-only on`, out)
	assert.Regexp(t, `eva@cobalt.example\s+No licenses`, out)

	r := carlos.run("", "integrations", "user", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings",
		"--email", "eva@cobalt.example", "--on")
	assert.Equal(t, 1, r.code)
	assert.Regexp(t, `^licdesk integrations: refused: .*external controller[^\n]*\n$`, r.stderr)
	assert.Contains(t, carlos.ok("sync", "--dismiss-failed"), "dismissed 1")

	for _, bad := range [][]string{
		{"integrations", "set", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings"},
		{"integrations", "set", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings", "--controller", "maybe"},
		{"integrations", "user", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings", "--email", "eva@cobalt.example"},
		{"integrations", "frobnicate"},
	} {
		r := carlos.run("", bad...)
		assert.Equal(t, 2, r.code, "%v", bad)
		assert.Regexp(t, `^licdesk integrations: [^\n]+\n$`, r.stderr)
	}

	out = carlos.ok("integrations", "set", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings", "--controller", "off")
	assert.Contains(t, out, "done: MiTeam Meetings · product integration on · external controller off")
	assert.Regexp(t, `eva@cobalt.example\s+off`, out)

	p.Stop()
	r = carlos.run("", "integrations", "user", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings",
		"--email", "eva@cobalt.example", "--on")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "queued: will be sent when the portal is reachable")
	assert.Equal(t, "on", evaState(t, carlos, "--offline"), "the queued switch shows at once")
	assert.Contains(t, carlos.ok("integrations", "list", "--offline"), "*")

	p.Start()
	assert.Contains(t, carlos.ok("sync"), "sent 1 writes, 0 refused")
	assert.Equal(t, "on", evaState(t, carlos))

	var outcome struct{ Status string }
	require.NoError(t, json.Unmarshal([]byte(carlos.ok("integrations", "user", "--json", "--account", "Cobalt Telecom",
		"--product", "MiTeam Meetings", "--email", "eva@cobalt.example", "--off")), &outcome))
	assert.Equal(t, "done", outcome.Status)
	assert.Equal(t, "off", evaState(t, carlos))
}
