package portal_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestOpenAPI_ValidatesCleanAndEveryOperationIsDescribed checks
// api/openapi.yaml with a real OpenAPI validator (libopenapi's model and
// libopenapi-validator's schema check of the document), and the rules a
// linter adds: every operation has a summary, a unique operationId and an
// answer for the client's mistakes (a 4xx or a default).
func TestOpenAPI_ValidatesCleanAndEveryOperationIsDescribed(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.yaml")
	require.NoError(t, err)
	doc, err := libopenapi.NewDocument(raw)
	require.NoError(t, err)
	v, errs := validator.NewValidator(doc)
	require.Empty(t, errs)
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		msg := e.Message + ": " + e.Reason
		for _, s := range e.SchemaValidationErrors {
			msg += fmt.Sprintf("\n    %s (line %d): %s", s.FieldPath, s.Line, s.Reason)
		}
		t.Error(msg)
	}
	assert.True(t, ok)

	model, err := doc.BuildV3Model()
	require.NoError(t, err)
	ids := map[string]string{}
	var problems []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			if strings.TrimSpace(op.Summary) == "" {
				problems = append(problems, where+": no summary")
			}
			switch prev, dup := ids[op.OperationId]; {
			case op.OperationId == "":
				problems = append(problems, where+": no operationId")
			case dup:
				problems = append(problems, where+": operationId "+op.OperationId+" also names "+prev)
			default:
				ids[op.OperationId] = where
			}
			has4xx := op.Responses != nil && op.Responses.Default != nil
			if op.Responses != nil {
				for code := range op.Responses.Codes.KeysFromOldest() {
					has4xx = has4xx || strings.HasPrefix(code, "4")
				}
			}
			if !has4xx {
				problems = append(problems, where+": no 4xx or default answer")
			}
		}
	}
	sort.Strings(problems)
	assert.Empty(t, problems)

	// An unquoted comma in a flow-style description ("{description: ISO
	// 3166-1 alpha-2, any case}") makes the rest a key with no value, which
	// the schema check above cannot see: no key of the file may be empty.
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &root))
	assert.Empty(t, emptyKeys(&root, ""))
}

// emptyKeys lists the mapping keys whose value is null, by their path.
func emptyKeys(n *yaml.Node, path string) []string {
	var out []string
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, emptyKeys(c, path)...)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				out = append(out, fmt.Sprintf("%s/%s (line %d)", path, k.Value, k.Line))
			}
			out = append(out, emptyKeys(v, path+"/"+k.Value)...)
		}
	}
	return out
}
