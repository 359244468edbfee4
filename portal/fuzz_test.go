package portal_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/licdesk/licdesk/portal/store/storetest"
)

// fuzzRoutes are the endpoints the API fuzz test sends bytes to; "{x}" is
// replaced by a fuzzed path parameter, "{acct}" by the caller's account.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/v1/signup"},
	{"POST", "/v1/login"},
	{"POST", "/v1/verify"},
	{"POST", "/v1/verify/resend"},
	{"POST", "/v1/products"},
	{"POST", "/v1/accounts/{acct}/orders"},
	{"POST", "/v1/accounts/{acct}/members"},
	{"DELETE", "/v1/accounts/{acct}/members/{x}"},
	{"POST", "/v1/accounts/{acct}/owner"},
	{"POST", "/v1/offers/{x}/accept"},
	{"POST", "/v1/licenses/{x}/seats"},
	{"DELETE", "/v1/licenses/{x}/seats/{x}"},
	{"POST", "/v1/keys"},
	{"POST", "/v1/requests"},
	{"GET", "/v1/changes?cursor={x}"},
	{"GET", "/v1/licenses/{x}"},
	{"PATCH", "/v1/accounts/{acct}/integrations/{x}"},
	{"PUT", "/v1/accounts/{acct}/delegation"},
	{"POST", "/v1/assigned/adopt"},
	{"GET", "/v1/{x}"},
}

// FuzzPortalAPI sends arbitrary bodies and path parameters to the API on
// every store: whatever the input, the portal refuses it (4xx) or does it,
// and never answers 500.
func FuzzPortalAPI(f *testing.F) {
	f.Add(uint8(0), "x", []byte(`{"email":"a\u0000@b.example","password":"correct horse battery","name":"\u202e"}`))
	f.Add(uint8(4), "x", []byte(`{"number":"\u0000"}`))
	f.Add(uint8(4), "x", []byte(`{"product":"\u0000"}`))
	f.Add(uint8(5), "x", []byte(`{"product":"P\u0000","edition":"professional","quantity":1}`))
	f.Add(uint8(6), "x", []byte(`{"email":"b@b.example","role":"partner"}`))
	f.Add(uint8(10), "lic_\x00", []byte(`{"email":"x@y.example"}`))
	f.Add(uint8(14), "s1.2.\x00", []byte(nil))
	f.Add(uint8(15), "%00", []byte(nil))
	f.Add(uint8(2), "x", []byte(`{"email":"x@y.example","code":"\u0000\u0000"}`))
	f.Add(uint8(12), "x", []byte(`{"key":"\u0000","machine":"\u0000"}`))
	f.Add(uint8(13), "x", []byte(`{"product":"\u0000","title":"\u0000","description":"\u0000"}`))
	f.Add(uint8(16), "Eberick\x00", []byte(`{"product_integration":true}`))
	f.Add(uint8(1), "x", []byte(`null`))
	f.Add(uint8(18), "x", []byte(`{"license_id":"\u0000"}`))
	f.Add(uint8(7), "\x00@x.example", []byte(nil))
	f.Add(uint8(9), "acc_\x00", []byte(nil))

	type target struct {
		p           *testPortal
		token, acct string
	}
	var targets []target
	for _, b := range storetest.Backends(f) {
		p := startPortal(f, b.DSN)
		s := p.signup("fuzz@acme.example", "Fuzz")
		targets = append(targets, target{p, s.Token, p.accountOf(s.Token)})
	}
	f.Fuzz(func(t *testing.T, route uint8, param string, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		for _, tg := range targets {
			path := strings.ReplaceAll(rt.path, "{acct}", tg.acct)
			path = strings.ReplaceAll(path, "{x}", escapeAny(param))
			req, err := http.NewRequest(rt.method, tg.p.URL+path, bytes.NewReader(body))
			if err != nil {
				return // not a request a client could send
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tg.token)
			resp, err := tg.p.http.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", rt.method, path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("%s %s %q on %s: %d %s", rt.method, path, body, tg.p.Store.Dialect(), resp.StatusCode, b)
			}
		}
	})
}

// escapeAny percent-encodes every byte that is not a plain letter or
// digit, so that any fuzzed string is a valid path segment.
func escapeAny(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && i < 512; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}
