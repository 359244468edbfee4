package activation_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
)

func TestRequest_RoundTripsThroughTheDocumentedFormat(t *testing.T) {
	req := sampleRequest(t)
	file := encode(t, req)

	got, err := activation.ParseRequest(file)
	require.NoError(t, err)
	assert.Equal(t, req.Normalize(), got)
	assert.Equal(t, 1, got.Version)
	assert.NotContains(t, got.Fingerprint, "board", "an unreadable component is left out")
	assert.Equal(t, string(armor(activation.RequestType, bodyOf(t, file))), string(file), "the file is the documented armor")
	assert.Equal(t, `{"version":1,"key":"`+string(req.Key)+`","machine":"print-srv-01 (Lisboa)",`+
		`"fingerprint":{"cpu":"9f86d081884c7d65","disk":"2c26b46b68ffc68f","mac":"fcde2b2edba56bf4"},`+
		`"nonce":"deadbeef0102030405060708090a0b0c","created":"2026-03-01T12:00:00Z"}`, string(bodyOf(t, file)))
	assert.Less(t, len(file), 1024, "small enough for one QR code")
}

func TestRequest_EncodeNormalisesWhatPeopleType(t *testing.T) {
	req := sampleRequest(t)
	req.Key = core.Key(strings.ToLower(strings.ReplaceAll(string(req.Key), "-", " ")))
	req.Machine = "  print-srv-01 (Lisboa)\t"
	req.Created = t0.Add(700 * time.Millisecond).In(time.FixedZone("BRT", -3*3600))
	got, err := activation.ParseRequest(encode(t, req))
	require.NoError(t, err)
	assert.Equal(t, testKey(t), got.Key)
	assert.Equal(t, "print-srv-01 (Lisboa)", got.Machine)
	assert.Equal(t, t0, got.Created)
}

func TestRequest_EncodeRefusesBadFields(t *testing.T) {
	tests := []struct {
		name   string
		change func(*activation.Request)
	}{
		{"no key", func(r *activation.Request) { r.Key = "" }},
		{"a key with a typo", func(r *activation.Request) { r.Key = core.Key(string(r.Key[:len(r.Key)-1]) + "0") }},
		{"no machine name", func(r *activation.Request) { r.Machine = " " }},
		{"a control character in the machine name", func(r *activation.Request) { r.Machine = "srv\x07" }},
		{"a machine name of 101 characters", func(r *activation.Request) { r.Machine = strings.Repeat("m", 101) }},
		{"no readable component", func(r *activation.Request) { r.Fingerprint = core.Fingerprint{"cpu": ""} }},
		{"an upper-case component name", func(r *activation.Request) { r.Fingerprint = core.Fingerprint{"CPU": "ab"} }},
		{"a component hash with a space", func(r *activation.Request) { r.Fingerprint = core.Fingerprint{"cpu": "a b"} }},
		{"17 components", func(r *activation.Request) {
			r.Fingerprint = core.Fingerprint{}
			for i := 0; i < 17; i++ {
				r.Fingerprint[string(rune('a'+i))] = "00"
			}
		}},
		{"a short nonce", func(r *activation.Request) { r.Nonce = "abcd" }},
		{"an upper-case nonce", func(r *activation.Request) { r.Nonce = strings.ToUpper(r.Nonce) }},
		{"no creation time", func(r *activation.Request) { r.Created = time.Time{} }},
		{"a newer version", func(r *activation.Request) { r.Version = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleRequest(t)
			tt.change(&r)
			_, err := r.Encode()
			require.Error(t, err)
			assert.Equal(t, core.Invalid, core.KindOf(err))
			assert.Contains(t, []string{activation.CodeRequestInvalid, activation.CodeRequestVersion}, core.CodeOf(err), err.Error())
		})
	}
}

func TestParseRequest_RefusesBadFilesWithClearCodes(t *testing.T) {
	good := encode(t, sampleRequest(t))
	body := bodyOf(t, good)
	withBody := func(b string) []byte { return armor(activation.RequestType, []byte(b)) }
	replace := func(old, new string) []byte { return withBody(strings.Replace(string(body), old, new, 1)) }
	tests := []struct {
		name string
		file []byte
		code string
	}{
		{"empty", nil, activation.CodeRequestMalformed},
		{"oversized", append(bytes.Repeat([]byte("A"), activation.MaxFileSize), good...), activation.CodeRequestTooLarge},
		{"truncated: last line lost", good[:bytes.LastIndexByte(good[:len(good)-1], '\n')+1], activation.CodeRequestMalformed},
		{"truncated: half the file", good[:len(good)/2], activation.CodeRequestMalformed},
		{"truncated: final newline lost", good[:len(good)-1], activation.CodeRequestMalformed},
		{"CRLF line endings", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), activation.CodeRequestMalformed},
		{"a payload character changed", flipPayload(good), activation.CodeRequestChecksum},
		{"a payload line lost", dropLine(good, 2), activation.CodeRequestChecksum},
		{"a license file instead", []byte("-----BEGIN LICENSE DESK LICENSE-----\nKey-Id: x\nAA==\n=x\n-----END LICENSE DESK LICENSE-----\n"), activation.CodeRequestMalformed},
		{"a receipt instead", bytes.ReplaceAll(good, []byte(activation.RequestType), []byte(activation.ReceiptType)), activation.CodeRequestMalformed},
		{"leading blank line", append([]byte("\n"), good...), activation.CodeRequestMalformed},
		{"trailing blank line", append(append([]byte{}, good...), '\n'), activation.CodeRequestMalformed},
		{"re-wrapped at 76 columns", rewrap(good, 76), activation.CodeRequestMalformed},
		{"edited: another key, checksum recomputed", replace(string(testKey(t)), string(otherKey(t))+""), ""},
		{"edited: an unknown field", replace(`"created"`, `"x":1,"created"`), activation.CodeRequestMalformed},
		{"edited: extra spaces", replace(`"machine":`, `"machine": `), activation.CodeRequestMalformed},
		{"edited: keys reordered", withBody(reorder(t, body)), activation.CodeRequestMalformed},
		{"edited: trailing data", withBody(string(body) + "{}"), activation.CodeRequestMalformed},
		{"edited: not JSON", withBody("hello"), activation.CodeRequestMalformed},
		{"edited: no version", replace(`"version":1,`, ``), activation.CodeRequestMalformed},
		{"edited: a newer version with new fields", replace(`"version":1,`, `"version":2,"lease":true,`), activation.CodeRequestVersion},
		{"edited: a lower-case key", replace(string(testKey(t)), strings.ToLower(string(testKey(t)))), activation.CodeRequestInvalid},
		{"edited: a time with a zone", replace(`2026-03-01T12:00:00Z`, `2026-03-01T09:00:00-03:00`), activation.CodeRequestInvalid},
		{"edited: an empty component", replace(`"cpu":"9f86d081884c7d65"`, `"cpu":""`), activation.CodeRequestInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := activation.ParseRequest(tt.file)
			if tt.code == "" {
				// A well-formed edit is a valid request: the portal, not the
				// file, decides whether the caller holds the key.
				require.NoError(t, err)
				assert.Equal(t, otherKey(t), r.Key)
				return
			}
			requireRefusal(t, err, tt.code)
			assert.Equal(t, core.Invalid, core.KindOf(err))
		})
	}
}

func TestParseRequest_EveryChangedByteIsRefused(t *testing.T) {
	good := encode(t, sampleRequest(t))
	for i := range good {
		for _, delta := range []byte{1, 0x20} {
			bad := bytes.Clone(good)
			bad[i] ^= delta
			if _, err := activation.ParseRequest(bad); err == nil {
				// Base64 letters whose change only alters padding bits are the
				// one way to write the same bytes differently; strict base64
				// and the canonical check must catch even those.
				t.Fatalf("byte %d changed (^%#x) and still parsed", i, delta)
			}
		}
	}
}

func TestReceipt_RoundTripsAndVerifiesWithTheActivationSecretOnly(t *testing.T) {
	nonce := sampleRequest(t).Nonce
	r, err := activation.NewReceipt("act_123", nonce, t0.Add(1500*time.Millisecond), secret)
	require.NoError(t, err)
	file, err := r.Encode()
	require.NoError(t, err)
	assert.Equal(t, string(armor(activation.ReceiptType, bodyOf(t, file))), string(file))

	got, err := activation.ParseReceipt(file)
	require.NoError(t, err)
	assert.Equal(t, r, got)
	assert.Equal(t, t0.Add(time.Second), got.Deactivated, "whole seconds")
	require.NoError(t, got.Verify(secret))

	other := bytes.Clone(secret)
	other[0] ^= 1
	requireRefusal(t, got.Verify(other), activation.CodeReceiptMAC)
	assert.Equal(t, core.Forbidden, core.KindOf(got.Verify(other)))
	requireRefusal(t, got.Verify(nil), activation.CodeReceiptMAC)

	// Moving the time, with the checksum recomputed, breaks the MAC.
	body := strings.Replace(string(bodyOf(t, file)), "12:00:01Z", "11:00:01Z", 1)
	forged, err := activation.ParseReceipt(armor(activation.ReceiptType, []byte(body)))
	require.NoError(t, err)
	requireRefusal(t, forged.Verify(secret), activation.CodeReceiptMAC)
}

func TestReceipt_RefusesBadInput(t *testing.T) {
	nonce := sampleRequest(t).Nonce
	_, err := activation.NewReceipt("act 1", nonce, t0, secret)
	requireRefusal(t, err, activation.CodeReceiptInvalid)
	_, err = activation.NewReceipt("act_1", "nonce", t0, secret)
	requireRefusal(t, err, activation.CodeReceiptInvalid)
	_, err = activation.NewReceipt("act_1", nonce, time.Time{}, secret)
	requireRefusal(t, err, activation.CodeReceiptInvalid)
	_, err = activation.NewReceipt("act_1", nonce, t0, secret[:5])
	requireRefusal(t, err, activation.CodeReceiptInvalid)
	_, err = activation.Receipt{Version: 1, ActivationID: "a", Nonce: nonce, Deactivated: t0}.Encode()
	requireRefusal(t, err, activation.CodeReceiptInvalid)

	r, err := activation.NewReceipt("act_1", nonce, t0, secret)
	require.NoError(t, err)
	good, err := r.Encode()
	require.NoError(t, err)
	body := string(bodyOf(t, good))
	for name, tc := range map[string]struct {
		file []byte
		code string
	}{
		"truncated":        {good[:len(good)-20], activation.CodeReceiptMalformed},
		"oversized":        {bytes.Repeat([]byte("x"), activation.MaxFileSize+1), activation.CodeReceiptTooLarge},
		"changed byte":     {flipPayload(good), activation.CodeReceiptChecksum},
		"a request":        {encode(t, sampleRequest(t)), activation.CodeReceiptMalformed},
		"upper-case MAC":   {armor(activation.ReceiptType, []byte(strings.Replace(body, hexMAC(body), strings.ToUpper(hexMAC(body)), 1))), activation.CodeReceiptMalformed},
		"short MAC":        {armor(activation.ReceiptType, []byte(strings.Replace(body, hexMAC(body), "abcd", 1))), activation.CodeReceiptInvalid},
		"newer version":    {armor(activation.ReceiptType, []byte(strings.Replace(body, `"version":1`, `"version":3`, 1))), activation.CodeReceiptVersion},
		"bad activationID": {armor(activation.ReceiptType, []byte(strings.Replace(body, `"act_1"`, `"act 1"`, 1))), activation.CodeReceiptInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := activation.ParseReceipt(tc.file)
			requireRefusal(t, err, tc.code)
		})
	}
}

func TestResponse_OpensForTheRequestItAnswersWithTrustedKeysOnly(t *testing.T) {
	portal := testSigner(t, "portal")
	req := sampleRequest(t)
	file := respond(t, portal, req, "act_1")

	r, p, err := activation.OpenResponse(file, req, trust(portal))
	require.NoError(t, err)
	assert.Equal(t, "act_1", r.ActivationID)
	assert.Equal(t, req.Nonce, r.Nonce)
	assert.Equal(t, secret, r.Secret)
	assert.Equal(t, licensefile.KindActivation, p.Kind)
	assert.True(t, p.NodeLocked())
	assert.Equal(t, map[string]string(req.Normalize().Fingerprint), p.Fingerprint)
	assert.True(t, strings.HasPrefix(string(file), "-----BEGIN LICENSE DESK ACTIVATION RESPONSE-----\n"))

	t.Run("signed by a key not trusted", func(t *testing.T) {
		_, _, err := activation.OpenResponse(file, req, trust(testSigner(t, "other")))
		requireRefusal(t, err, activation.CodeResponseUntrusted)
		assert.Equal(t, core.Forbidden, core.KindOf(err))
	})
	t.Run("a response to another request of the same machine", func(t *testing.T) {
		again := req
		again.Nonce = activation.NewNonce([16]byte{1})
		_, _, err := activation.OpenResponse(file, again, trust(portal))
		requireRefusal(t, err, activation.CodeResponseMismatch)
	})
	t.Run("a response made for another machine", func(t *testing.T) {
		other := req
		other.Fingerprint = core.Fingerprint{"cpu": "ffff"}
		_, _, err := activation.OpenResponse(respond(t, portal, other, "act_1"), req, trust(portal))
		requireRefusal(t, err, activation.CodeResponseMismatch)
	})
	t.Run("a response for another key", func(t *testing.T) {
		other := req
		other.Key = otherKey(t)
		_, _, err := activation.OpenResponse(respond(t, portal, other, "act_1"), req, trust(portal))
		requireRefusal(t, err, activation.CodeResponseMismatch)
	})
	t.Run("every changed byte is refused", func(t *testing.T) {
		for i := range file {
			bad := bytes.Clone(file)
			bad[i] ^= 1
			if _, _, err := activation.OpenResponse(bad, req, trust(portal)); err == nil {
				t.Fatalf("byte %d changed and the response still opened", i)
			}
		}
	})
	t.Run("truncated", func(t *testing.T) {
		_, _, err := activation.OpenResponse(file[:len(file)/2], req, trust(portal))
		requireRefusal(t, err, activation.CodeResponseMalformed)
	})
}

func TestResponse_SealRefusesIncompleteResponses(t *testing.T) {
	s := testSigner(t, "portal")
	req := sampleRequest(t)
	ok := activation.Response{ActivationID: "act_1", Key: req.Key, Nonce: req.Nonce, Secret: secret, License: []byte("x")}
	for name, change := range map[string]func(*activation.Response){
		"no activation ID": func(r *activation.Response) { r.ActivationID = "" },
		"a short secret":   func(r *activation.Response) { r.Secret = r.Secret[:16] },
		"no license":       func(r *activation.Response) { r.License = nil },
		"bad nonce":        func(r *activation.Response) { r.Nonce = "x" },
		"bad key":          func(r *activation.Response) { r.Key = "LIC-1" },
	} {
		r := ok
		change(&r)
		_, err := r.Seal(s)
		requireRefusal(t, err, activation.CodeResponseMalformed)
		_ = name
	}
}

// flipPayload changes one base64 character in the middle of the first
// content line to another valid one.
func flipPayload(file []byte) []byte {
	bad := bytes.Clone(file)
	i := bytes.IndexByte(bad, '\n') + 10
	if bad[i] == 'A' {
		bad[i] = 'B'
	} else {
		bad[i] = 'A'
	}
	return bad
}

func dropLine(file []byte, n int) []byte {
	lines := strings.SplitAfter(string(file), "\n")
	return []byte(strings.Join(append(lines[:n-1:n-1], lines[n:]...), ""))
}

func rewrap(file []byte, width int) []byte {
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	content := strings.Join(lines[1:len(lines)-2], "")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for len(content) > width {
		b.WriteString(content[:width] + "\n")
		content = content[width:]
	}
	b.WriteString(content + "\n" + lines[len(lines)-2] + "\n" + lines[len(lines)-1] + "\n")
	return []byte(b.String())
}

// reorder moves the key field after the machine field.
func reorder(t *testing.T, body []byte) string {
	s := string(body)
	key := `"key":"` + string(testKey(t)) + `",`
	require.Contains(t, s, key)
	s = strings.Replace(s, key, "", 1)
	return strings.Replace(s, `"fingerprint"`, key+`"fingerprint"`, 1)
}

func hexMAC(body string) string {
	i := strings.Index(body, `"mac":"`) + len(`"mac":"`)
	return body[i : i+64]
}
