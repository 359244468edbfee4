package portal_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/licdesk/licdesk/portal"
)

// TestOpenAPI_DescribesExactlyTheRoutesTheServerAnswers keeps
// api/openapi.yaml and the router in step, in both directions.
func TestOpenAPI_DescribesExactlyTheRoutesTheServerAnswers(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.yaml")
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	var spec []string
	for path, ops := range doc.Paths {
		for method := range ops {
			spec = append(spec, strings.ToUpper(method)+" "+path)
		}
	}
	var served []string
	for _, r := range portal.New(portal.Config{}).Routes() {
		served = append(served, r.Pattern)
	}
	sort.Strings(spec)
	sort.Strings(served)
	assert.Equal(t, served, spec)
}
