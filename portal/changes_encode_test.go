package portal

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
)

// The feed's hand-written encoder must send exactly what encoding/json
// sends for the same page, escapes and omitted fields included.
func TestAppendChanges_EncodesAPageAsEncodingJSONDoes(t *testing.T) {
	data, err := json.Marshal(api.Solution{LicenseID: "lic_1", Product: "Eberick <&> \u2028 \"q\"", Seats: []api.Seat{{ID: "lic_1.1", State: "available"}}})
	require.NoError(t, err)
	cases := map[string]api.Changes{
		"empty":    {Cursor: "12", Complete: true, Changes: []api.Change{}},
		"nil list": {Cursor: "s3.1.lic_<9>"},
		"snapshot": {Cursor: "s7.1.lic_1", Resync: true, Changes: []api.Change{
			{Kind: api.KindSolution, ID: "lic_1", Data: data},
			{Kind: api.KindSolution, ID: "lic_\"2\"", Deleted: true},
			{Kind: "news", ID: "n&1", Data: json.RawMessage(`{"a":1}`)},
		}},
	}
	for name, page := range cases {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			require.NoError(t, json.NewEncoder(&want).Encode(page))
			if page.Changes == nil {
				// The store always sends a list; the encoder writes [] for nil.
				want.Reset()
				page2 := page
				page2.Changes = []api.Change{}
				require.NoError(t, json.NewEncoder(&want).Encode(page2))
			}
			require.Equal(t, want.String(), string(appendChanges(nil, page)))
		})
	}
}
