package licensefile_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
)

func TestSignThenVerifyReturnsTheSignedPayload(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	minimal := licensefile.Payload{Kind: licensefile.KindLicense, LicenseID: "L-1", Product: "P", Issued: t0}
	tests := []struct {
		name string
		in   licensefile.Payload
	}{
		{"node-locked license with modules and lease", samplePayload()},
		{"minimal license without expiry, modules or fingerprint", minimal},
		{"lease", func() licensefile.Payload {
			p := minimal
			p.Kind, p.LeaseEnd = licensefile.KindLease, t0.Add(72*time.Hour)
			return p
		}()},
		{"activation", func() licensefile.Payload {
			p := samplePayload()
			p.Kind, p.ActivationID, p.Nonce = licensefile.KindActivation, "ACT-7", "n-123"
			return p
		}()},
		{"deactivation receipt", func() licensefile.Payload {
			p := minimal
			p.Kind, p.ActivationID, p.Nonce = licensefile.KindDeactivationReceipt, "ACT-7", "n-456"
			return p
		}()},
		{"non-ASCII and HTML-special strings", func() licensefile.Payload {
			p := minimal
			p.Owner, p.Product, p.Modules = "Órgão & Cia <ç@exemplo.br>", "Ünïcode 产品", []string{"a<b", "日本"}
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := s.Sign(tt.in)
			require.NoError(t, err)
			got, err := licensefile.Verify(file, trusted)
			require.NoError(t, err)

			want := tt.in
			want.Version = licensefile.CurrentVersion
			want.KeyID = s.KeyID
			if len(want.Modules) > 0 {
				want.Modules = append([]string(nil), want.Modules...)
				sortStrings(want.Modules)
			}
			assert.Equal(t, want, got)

			again, err := s.Sign(got)
			require.NoError(t, err)
			assert.Equal(t, string(file), string(again), "re-signing a verified payload reproduces the file")
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestFileFollowsTheDocumentedFormat(t *testing.T) {
	s := testSigner(t, "A")
	file := sign(t, s, samplePayload())

	lines := strings.Split(string(file), "\n")
	require.Equal(t, "", lines[len(lines)-1], "file ends with one newline")
	lines = lines[:len(lines)-1]
	assert.Equal(t, "-----BEGIN LICENSE DESK LICENSE-----", lines[0])
	assert.Equal(t, "Key-Id: "+s.KeyID, lines[1])
	assert.Equal(t, "-----END LICENSE DESK LICENSE-----", lines[len(lines)-1])
	payloadLines := lines[2 : len(lines)-2]
	require.Greater(t, len(payloadLines), 1, "sample payload spans several lines")
	for _, l := range payloadLines[:len(payloadLines)-1] {
		assert.Len(t, l, 64)
	}
	assert.True(t, strings.HasPrefix(lines[len(lines)-2], "="))

	payload := payloadOf(t, file)
	assert.Contains(t, string(payload), `"version":1,"kind":"license","license_id":"LIC-0001"`)
	assert.Contains(t, string(payload), `"modules":["cam","export-dwg","render"]`)
	assert.Contains(t, string(payload), `"issued":"2026-03-01T12:00:00Z"`)
	assert.Contains(t, string(payload), `"key_id":"`+s.KeyID+`"`)

	sig := ed25519.Sign(s.Key, signedMessage("LICENSE", s.KeyID, payload))
	assert.Equal(t, string(armor("LICENSE", s.KeyID, payload, sig)), string(file),
		"an independent implementation of the documented format produces the same bytes")
	assert.True(t, ed25519.Verify(s.Public(), []byte("licdesk-license-v1\x00"+s.KeyID+"\x00"+string(payload)), sig))
}

func TestSignNormalizesWithoutTouchingTheCaller(t *testing.T) {
	s := testSigner(t, "A")
	sp := time.FixedZone("BRT", -3*3600)
	modules := []string{"z", "a", "m"}
	in := licensefile.Payload{
		Kind: licensefile.KindLicense, LicenseID: "L", Product: "P",
		Modules:     modules,
		Fingerprint: map[string]string{},
		Issued:      time.Date(2026, 3, 1, 9, 0, 0, 999_999_999, sp),
		Expiry:      time.Date(2027, 3, 1, 9, 0, 0, 500, sp),
		KeyID:       "ignored-and-overwritten",
	}
	got, err := licensefile.Verify(sign(t, s, in), trust(t, s))
	require.NoError(t, err)
	assert.Equal(t, []string{"z", "a", "m"}, modules, "caller's slice untouched")
	assert.Equal(t, []string{"a", "m", "z"}, got.Modules)
	assert.Nil(t, got.Fingerprint, "empty fingerprint means not node-locked")
	assert.False(t, got.NodeLocked())
	assert.Equal(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), got.Issued, "UTC, truncated to the second")
	assert.Equal(t, time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), got.Expiry)
	assert.Equal(t, s.KeyID, got.KeyID)
	assert.True(t, got.HasModule("m"))
	assert.False(t, got.HasModule("x"))
}

func TestSignRefusesInvalidPayloads(t *testing.T) {
	s := testSigner(t, "A")
	edit := func(f func(p *licensefile.Payload)) licensefile.Payload {
		p := samplePayload()
		f(&p)
		return p
	}
	tests := []struct {
		name string
		in   licensefile.Payload
		want error
	}{
		{"unknown version", edit(func(p *licensefile.Payload) { p.Version = 2 }), licensefile.ErrUnsupportedVersion},
		{"unknown kind", edit(func(p *licensefile.Payload) { p.Kind = "trial" }), licensefile.ErrInvalidPayload},
		{"empty kind", edit(func(p *licensefile.Payload) { p.Kind = "" }), licensefile.ErrInvalidPayload},
		{"empty license ID", edit(func(p *licensefile.Payload) { p.LicenseID = "" }), licensefile.ErrInvalidPayload},
		{"empty product", edit(func(p *licensefile.Payload) { p.Product = "" }), licensefile.ErrInvalidPayload},
		{"invalid UTF-8 owner", edit(func(p *licensefile.Payload) { p.Owner = "\xff" }), licensefile.ErrInvalidPayload},
		{"duplicate module", edit(func(p *licensefile.Payload) { p.Modules = []string{"a", "b", "a"} }), licensefile.ErrInvalidPayload},
		{"empty module name", edit(func(p *licensefile.Payload) { p.Modules = []string{""} }), licensefile.ErrInvalidPayload},
		{"empty fingerprint hash", edit(func(p *licensefile.Payload) { p.Fingerprint = map[string]string{"cpu": ""} }), licensefile.ErrInvalidPayload},
		{"issued not set", edit(func(p *licensefile.Payload) { p.Issued = time.Time{} }), licensefile.ErrInvalidPayload},
		{"expiry not after issued", edit(func(p *licensefile.Payload) { p.Expiry = p.Issued }), licensefile.ErrInvalidPayload},
		{"lease end before issued", edit(func(p *licensefile.Payload) { p.LeaseEnd = p.Issued.Add(-time.Hour) }), licensefile.ErrInvalidPayload},
		{"year beyond 9999", edit(func(p *licensefile.Payload) { p.Expiry = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), licensefile.ErrInvalidPayload},
		{"lease without lease end", edit(func(p *licensefile.Payload) { p.Kind, p.LeaseEnd = licensefile.KindLease, time.Time{} }), licensefile.ErrInvalidPayload},
		{"activation without activation ID", edit(func(p *licensefile.Payload) { p.Kind = licensefile.KindActivation }), licensefile.ErrInvalidPayload},
		{"activation without fingerprint", edit(func(p *licensefile.Payload) {
			p.Kind, p.ActivationID, p.Fingerprint = licensefile.KindActivation, "A", nil
		}), licensefile.ErrInvalidPayload},
		{"receipt without nonce", edit(func(p *licensefile.Payload) {
			p.Kind, p.ActivationID = licensefile.KindDeactivationReceipt, "A"
		}), licensefile.ErrInvalidPayload},
		{"payload too large for a file", edit(func(p *licensefile.Payload) { p.Product = strings.Repeat("x", licensefile.MaxFileSize) }), licensefile.ErrTooLarge},
		{"encoded file just over the limit", edit(func(p *licensefile.Payload) { p.Product = strings.Repeat("x", licensefile.MaxFileSize/4*3-400) }), licensefile.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := s.Sign(tt.in)
			requireOneLineError(t, err, tt.want)
			assert.Nil(t, file)
		})
	}
}

func TestSignRefusesUnusableSigners(t *testing.T) {
	good := testSigner(t, "A")
	tests := []struct {
		name string
		s    licensefile.Signer
	}{
		{"empty key ID", licensefile.Signer{Key: good.Key}},
		{"key ID with a space", licensefile.Signer{KeyID: "a b", Key: good.Key}},
		{"key ID with a newline", licensefile.Signer{KeyID: "a\nb", Key: good.Key}},
		{"key ID over 64 characters", licensefile.Signer{KeyID: strings.Repeat("a", 65), Key: good.Key}},
		{"no private key", licensefile.Signer{KeyID: good.KeyID}},
		{"short private key", licensefile.Signer{KeyID: good.KeyID, Key: good.Key[:32]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Sign(samplePayload())
			requireOneLineError(t, err, licensefile.ErrInvalidKey)
		})
	}
}

func TestNewSignerDerivesKeyIDAndRefusesBadKeys(t *testing.T) {
	priv := testKey("A")
	s, err := licensefile.NewSigner(priv)
	require.NoError(t, err)
	assert.Equal(t, licensefile.KeyID(priv.Public().(ed25519.PublicKey)), s.KeyID)

	_, err = licensefile.NewSigner(priv[:10])
	requireOneLineError(t, err, licensefile.ErrInvalidKey)

	mismatched := append(ed25519.PrivateKey(nil), priv[:32]...)
	mismatched = append(mismatched, testKey("B")[32:]...)
	_, err = licensefile.NewSigner(mismatched)
	requireOneLineError(t, err, licensefile.ErrInvalidKey)
}

func TestKeyIDIsSixteenHexDigitsOfSHA256(t *testing.T) {
	a := testKey("A").Public().(ed25519.PublicKey)
	b := testKey("B").Public().(ed25519.PublicKey)
	kid := licensefile.KeyID(a)
	assert.Len(t, kid, 16)
	_, err := hex.DecodeString(kid)
	assert.NoError(t, err)
	assert.Equal(t, kid, licensefile.KeyID(a), "deterministic")
	assert.NotEqual(t, kid, licensefile.KeyID(b))
}

func TestVerifyRefusesAFileSignedByAnUntrustedKey(t *testing.T) {
	file := sign(t, testSigner(t, "A"), samplePayload())
	for name, trusted := range map[string]licensefile.TrustedKeys{
		"nil trust":           nil,
		"empty trust":         {},
		"only another key ID": trust(t, testSigner(t, "B")),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := licensefile.Verify(file, trusted)
			requireOneLineError(t, err, licensefile.ErrUnknownKey)
		})
	}
}

func TestVerifyRefusesAnotherKeyUnderATrustedKeyID(t *testing.T) {
	a := testSigner(t, "A")
	impostor := licensefile.Signer{KeyID: a.KeyID, Key: testKey("B")}
	file := sign(t, impostor, samplePayload())
	_, err := licensefile.Verify(file, trust(t, a))
	requireOneLineError(t, err, licensefile.ErrBadSignature)
}

func TestVerifyRefusesATrustedKeyOfTheWrongLengthWithoutPanicking(t *testing.T) {
	a := testSigner(t, "A")
	file := sign(t, a, samplePayload())
	_, err := licensefile.Verify(file, licensefile.TrustedKeys{a.KeyID: a.Public()[:31]})
	requireOneLineError(t, err, licensefile.ErrInvalidKey)
}

func TestVerifyAcceptsEveryTrustedKeyDuringRotation(t *testing.T) {
	old, cur := testSigner(t, "old"), testSigner(t, "new")
	oldFile, newFile := sign(t, old, samplePayload()), sign(t, cur, samplePayload())
	both := trust(t, old, cur)

	p, err := licensefile.Verify(oldFile, both)
	require.NoError(t, err)
	assert.Equal(t, old.KeyID, p.KeyID)
	p, err = licensefile.Verify(newFile, both)
	require.NoError(t, err)
	assert.Equal(t, cur.KeyID, p.KeyID)

	retired := trust(t, cur)
	_, err = licensefile.Verify(oldFile, retired)
	requireOneLineError(t, err, licensefile.ErrUnknownKey)
	_, err = licensefile.Verify(newFile, retired)
	require.NoError(t, err)
}

// verifyFails asserts file is refused with one of the package's errors.
func verifyFails(t *testing.T, file []byte, trusted licensefile.TrustedKeys, what string) {
	t.Helper()
	_, err := licensefile.Verify(file, trusted)
	if err == nil {
		t.Fatalf("%s: verified", what)
	}
	for _, known := range []error{licensefile.ErrMalformed, licensefile.ErrBadSignature, licensefile.ErrUnknownKey, licensefile.ErrTooLarge} {
		if errors.Is(err, known) {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s: multi-line error %q", what, err)
			}
			return
		}
	}
	t.Fatalf("%s: unexpected error %v", what, err)
}

func TestVerifyRefusesEverySingleBitFlipAtEveryByte(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	file := sign(t, s, samplePayload())
	for i := range file {
		for bit := 0; bit < 8; bit++ {
			mutated := bytes.Clone(file)
			mutated[i] ^= 1 << bit
			verifyFails(t, mutated, trusted, "byte "+itoa(i)+" bit "+itoa(bit))
		}
	}
}

func TestVerifyRefusesEveryByteReplacedByOtherCharacters(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	file := sign(t, s, samplePayload())
	// Every position gets a sample of base64 and armor characters plus both
	// neighbours of the original (the likeliest single-symbol corruption).
	const alphabet = "Aa0+/=-: \n\r\t"
	for i := range file {
		for _, c := range append([]byte(alphabet), file[i]-1, file[i]+1) {
			if c == file[i] {
				continue
			}
			mutated := bytes.Clone(file)
			mutated[i] = c
			verifyFails(t, mutated, trusted, "byte "+itoa(i)+" set to "+string(rune(c)))
		}
	}
}

func TestVerifyRefusesEveryDeletedByte(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	file := sign(t, s, samplePayload())
	for i := range file {
		mutated := append(bytes.Clone(file[:i]), file[i+1:]...)
		verifyFails(t, mutated, trusted, "deleted byte "+itoa(i))
	}
}

func TestVerifyRefusesEveryInsertedByte(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	file := sign(t, s, samplePayload())
	for i := 0; i <= len(file); i++ {
		for _, c := range []byte{'A', '=', '\n', ' ', '\r'} {
			mutated := append(append(bytes.Clone(file[:i]), c), file[i:]...)
			verifyFails(t, mutated, trusted, "inserted "+string(rune(c))+" at "+itoa(i))
		}
	}
}

func TestVerifyRefusesEveryTruncation(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	file := sign(t, s, samplePayload())
	for n := 0; n < len(file); n++ {
		verifyFails(t, file[:n], trusted, "truncated to "+itoa(n))
		verifyFails(t, file[len(file)-n:], trusted, "first "+itoa(len(file)-n)+" bytes cut")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestVerifyRefusesNonCanonicalArmor(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	p := samplePayload()
	file := string(sign(t, s, p))
	for len(payloadOf(t, []byte(file)))%3 == 0 { // make the payload's base64 end in padding
		p.LicenseID += "x"
		file = string(sign(t, s, p))
	}
	payload := payloadOf(t, []byte(file))
	sig := ed25519.Sign(s.Key, signedMessage("LICENSE", s.KeyID, payload))
	b64 := strings.Split(file, "\n")

	rewrapped := func(width int) string {
		enc := strings.Join(b64[2:len(b64)-3], "")
		var out []string
		for len(enc) > width {
			out = append(out, enc[:width])
			enc = enc[width:]
		}
		out = append(out, enc)
		return strings.Join(append(append(b64[:2:2], out...), b64[len(b64)-3:]...), "\n")
	}
	tests := []struct {
		name string
		file string
	}{
		{"CRLF line endings", strings.ReplaceAll(file, "\n", "\r\n")},
		{"no final newline", strings.TrimSuffix(file, "\n")},
		{"extra final newline", file + "\n"},
		{"trailing garbage", file + "x"},
		{"a second copy appended", file + file},
		{"leading blank line", "\n" + file},
		{"byte-order mark", "\ufeff" + file},
		{"trailing space on a line", strings.Replace(file, "-----\n", "----- \n", 1)},
		{"lower-case header name", strings.Replace(file, "Key-Id:", "key-id:", 1)},
		{"no space after header colon", strings.Replace(file, "Key-Id: ", "Key-Id:", 1)},
		{"payload wrapped at 76 columns", rewrapped(76)},
		{"payload wrapped at 63 columns", rewrapped(63)},
		{"payload on one line", rewrapped(1 << 20)},
		{"blank line before signature", strings.Replace(file, "\n=", "\n\n=", 1)},
		{"signature line without =", strings.Replace(file, "\n=", "\n", 1)},
		{"signature on a Signature header", strings.Replace(file, "\n=", "\nSignature: ", 1)},
		{"empty file", ""},
		{"only armor lines", "-----BEGIN LICENSE DESK LICENSE-----\n-----END LICENSE DESK LICENSE-----\n"},
		{"another document type", string(armor("ACTIVATION RESPONSE", s.KeyID, payload, sig))},
		{"signature with non-zero padding bits", setPaddingBit(t, file, len(b64)-3)},
		{"signature not base64", strings.Replace(file, "==\n-----END", "=!\n-----END", 1)},
		{"payload with non-zero padding bits", setPaddingBit(t, file, len(b64)-4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, file, tt.file, "the case must change the file")
			_, err := licensefile.Verify([]byte(tt.file), trusted)
			requireOneLineError(t, err, licensefile.ErrMalformed)
		})
	}
}

// setPaddingBit sets the lowest (padding) bit of the last base64 symbol
// before the "=" padding on line i (0-based) of file.
func setPaddingBit(t *testing.T, file string, i int) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	lines := strings.Split(file, "\n")
	l := lines[i]
	j := strings.IndexByte(l, '=')
	if j <= 0 {
		j = strings.IndexByte(l[1:], '=') + 1 // signature line starts with "="
	}
	if j <= 0 {
		t.Skipf("line %d has no base64 padding", i+1)
	}
	v := strings.IndexByte(alphabet, l[j-1])
	require.GreaterOrEqual(t, v, 0)
	require.Zero(t, v&1, "canonical encoding has zero padding bits")
	lines[i] = l[:j-1] + string(alphabet[v|1]) + l[j:]
	return strings.Join(lines, "\n")
}

func TestVerifyExplainsCRLFAndWrongDocumentType(t *testing.T) {
	s := testSigner(t, "A")
	file := string(sign(t, s, samplePayload()))
	_, err := licensefile.Verify([]byte(strings.ReplaceAll(file, "\n", "\r\n")), trust(t, s))
	assert.ErrorContains(t, err, "CRLF")
	env, err := s.SealEnvelope("ACTIVATION RESPONSE", []byte("{}"))
	require.NoError(t, err)
	_, err = licensefile.Verify(env, trust(t, s))
	assert.ErrorContains(t, err, "this is a LICENSE DESK ACTIVATION RESPONSE, not a LICENSE")
}

func TestVerifyRefusesOversizedFilesBeforeParsing(t *testing.T) {
	s := testSigner(t, "A")
	file := sign(t, s, samplePayload())
	big := append(bytes.Clone(file), bytes.Repeat([]byte{'A'}, licensefile.MaxFileSize)...)
	_, err := licensefile.Verify(big, trust(t, s))
	requireOneLineError(t, err, licensefile.ErrTooLarge)

	garbage := bytes.Repeat([]byte{0xff}, licensefile.MaxFileSize+1)
	_, err = licensefile.Verify(garbage, trust(t, s))
	requireOneLineError(t, err, licensefile.ErrTooLarge)

	atLimit := bytes.Repeat([]byte{0xff}, licensefile.MaxFileSize)
	_, err = licensefile.Verify(atLimit, trust(t, s))
	requireOneLineError(t, err, licensefile.ErrMalformed)
}

func TestVerifyRefusesValidlySignedButBadPayloads(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	kid := s.KeyID
	good := `{"version":1,"kind":"license","license_id":"L","product":"P","issued":"2026-03-01T12:00:00Z","key_id":"` + kid + `"}`
	_, err := licensefile.Verify(forge(s, good), trusted)
	require.NoError(t, err, "the baseline forged payload is valid")

	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"unknown field", strings.Replace(good, `"product":"P"`, `"product":"P","seats":5`, 1), licensefile.ErrMalformed},
		{"future version", strings.Replace(good, `"version":1`, `"version":2`, 1), licensefile.ErrUnsupportedVersion},
		{"future version with unknown fields", strings.Replace(good, `"version":1`, `"version":2,"new":true`, 1), licensefile.ErrUnsupportedVersion},
		{"missing version", strings.Replace(good, `"version":1,`, ``, 1), licensefile.ErrMalformed},
		{"version as string", strings.Replace(good, `"version":1`, `"version":"1"`, 1), licensefile.ErrMalformed},
		{"key_id differs from header", strings.Replace(good, kid, "0000000000000000", 1), licensefile.ErrMalformed},
		{"missing key_id", strings.Replace(good, `,"key_id":"`+kid+`"`, ``, 1), licensefile.ErrInvalidPayload},
		{"unknown kind", strings.Replace(good, `"license"`, `"trial"`, 1), licensefile.ErrInvalidPayload},
		{"missing product", strings.Replace(good, `"product":"P",`, ``, 1), licensefile.ErrInvalidPayload},
		{"extra whitespace", strings.Replace(good, `"kind":`, `"kind": `, 1), licensefile.ErrMalformed},
		{"fields out of order", strings.Replace(good, `"version":1,"kind":"license"`, `"kind":"license","version":1`, 1), licensefile.ErrMalformed},
		{"duplicate field", strings.Replace(good, `"product":"P"`, `"product":"P","product":"Q"`, 1), licensefile.ErrMalformed},
		{"field name in other case", strings.Replace(good, `"product"`, `"Product"`, 1), licensefile.ErrMalformed},
		{"empty optional field present", strings.Replace(good, `"product":"P"`, `"product":"P","edition":""`, 1), licensefile.ErrMalformed},
		{"empty modules list present", strings.Replace(good, `"product":"P"`, `"product":"P","modules":[]`, 1), licensefile.ErrMalformed},
		{"modules not sorted", strings.Replace(good, `"product":"P"`, `"product":"P","modules":["b","a"]`, 1), licensefile.ErrInvalidPayload},
		{"time with offset", strings.Replace(good, `12:00:00Z`, `09:00:00-03:00`, 1), licensefile.ErrMalformed},
		{"time with fractional seconds", strings.Replace(good, `12:00:00Z`, `12:00:00.5Z`, 1), licensefile.ErrMalformed},
		{"date only", strings.Replace(good, `2026-03-01T12:00:00Z`, `2026-03-01`, 1), licensefile.ErrMalformed},
		{"escaped character not in canonical form", strings.Replace(good, `"product":"P"`, `"product":"\u0050"`, 1), licensefile.ErrMalformed},
		{"invalid UTF-8", strings.Replace(good, `"product":"P"`, "\"product\":\"P\xff\"", 1), licensefile.ErrMalformed},
		{"trailing data", good + `{}`, licensefile.ErrMalformed},
		{"trailing newline", good + "\n", licensefile.ErrMalformed},
		{"not an object", `[1]`, licensefile.ErrMalformed},
		{"null", `null`, licensefile.ErrMalformed},
		{"not JSON", `license=yes`, licensefile.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, good, tt.payload)
			_, err := licensefile.Verify(forge(s, tt.payload), trusted)
			requireOneLineError(t, err, tt.want)
		})
	}
}

func TestCheckTime(t *testing.T) {
	p := samplePayload() // issued t0, lease end t0+30d, expiry t0+1y
	skew := licensefile.DefaultSkew
	tests := []struct {
		name string
		p    licensefile.Payload
		now  time.Time
		skew time.Duration
		want error
	}{
		{"at issue time", p, t0, skew, nil},
		{"issued 4m59s ahead of this clock is within skew", p, t0.Add(-skew + time.Second), skew, nil},
		{"issued exactly skew ahead is within skew", p, t0.Add(-skew), skew, nil},
		{"issued more than 5 minutes ahead is refused", p, t0.Add(-skew - time.Second), skew, licensefile.ErrNotYetValid},
		{"issued a day ahead is refused", p, t0.Add(-24 * time.Hour), skew, licensefile.ErrNotYetValid},
		{"negative skew counts as zero", p, t0.Add(-time.Second), -time.Hour, licensefile.ErrNotYetValid},
		{"one second before lease end", p, p.LeaseEnd.Add(-time.Second), skew, nil},
		{"at lease end the lease has ended", p, p.LeaseEnd, skew, licensefile.ErrLeaseEnded},
		{"skew does not extend the lease", p, p.LeaseEnd.Add(time.Minute), skew, licensefile.ErrLeaseEnded},
		{"at expiry the license has expired", p, p.Expiry, skew, licensefile.ErrExpired},
		{"expiry is reported before lease end", p, p.Expiry.Add(time.Hour), skew, licensefile.ErrExpired},
		{"no expiry and no lease never expire", licensefile.Payload{Issued: t0}, t0.AddDate(100, 0, 0), skew, nil},
		{"now in another zone compares as an instant", p, p.Expiry.In(time.FixedZone("X", 5*3600)), skew, licensefile.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.CheckTime(tt.now, tt.skew)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			requireOneLineError(t, err, tt.want)
		})
	}
}

func TestCheckClockRefusesAClockSetBack(t *testing.T) {
	skew := licensefile.DefaultSkew
	assert.NoError(t, licensefile.CheckClock(t0, time.Time{}, skew), "nothing seen yet")
	assert.NoError(t, licensefile.CheckClock(t0, t0, skew))
	assert.NoError(t, licensefile.CheckClock(t0.Add(time.Hour), t0, skew))
	assert.NoError(t, licensefile.CheckClock(t0.Add(-skew), t0, skew), "within skew")
	requireOneLineError(t, licensefile.CheckClock(t0.Add(-skew-time.Second), t0, skew), licensefile.ErrClockRollback)
	requireOneLineError(t, licensefile.CheckClock(t0.AddDate(0, 0, -3), t0, skew), licensefile.ErrClockRollback)
}

func TestPublicKeysRoundTrip(t *testing.T) {
	a, b := testSigner(t, "A"), testSigner(t, "B")
	trusted := trust(t, a, b)
	doc, err := licensefile.MarshalPublicKeys(trusted)
	require.NoError(t, err)
	assert.True(t, bytes.HasSuffix(doc, []byte("}\n")))
	assert.Contains(t, string(doc), `"alg": "Ed25519"`)
	got, err := licensefile.ParsePublicKeys(doc)
	require.NoError(t, err)
	assert.Equal(t, trusted, got)

	again, err := licensefile.MarshalPublicKeys(got)
	require.NoError(t, err)
	assert.Equal(t, string(doc), string(again), "deterministic, sorted by key ID")

	_, err = licensefile.Verify(sign(t, b, samplePayload()), got)
	assert.NoError(t, err, "imported keys verify files")
}

func TestTrustedKeysAddUsesTheDerivedKeyID(t *testing.T) {
	a := testSigner(t, "A")
	tk := licensefile.TrustedKeys{}
	kid, err := tk.Add(a.Public())
	require.NoError(t, err)
	assert.Equal(t, a.KeyID, kid)
	_, err = licensefile.Verify(sign(t, a, samplePayload()), tk)
	assert.NoError(t, err)

	_, err = tk.Add(a.Public()[:5])
	requireOneLineError(t, err, licensefile.ErrInvalidKey)
	_, err = licensefile.TrustedKeys(nil).Add(a.Public())
	requireOneLineError(t, err, licensefile.ErrInvalidKey)
}

func TestMarshalPublicKeysRefusesUnusableKeys(t *testing.T) {
	a := testSigner(t, "A")
	for name, tk := range map[string]licensefile.TrustedKeys{
		"no keys":         {},
		"short key":       {a.KeyID: a.Public()[:31]},
		"invalid key ID":  {"a b": a.Public()},
		"empty key ID":    {"": a.Public()},
		"private key too": {a.KeyID: ed25519.PublicKey(a.Key)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := licensefile.MarshalPublicKeys(tk)
			requireOneLineError(t, err, licensefile.ErrInvalidKey)
		})
	}
}

func TestParsePublicKeysRefusesBadDocuments(t *testing.T) {
	a := testSigner(t, "A")
	doc, err := licensefile.MarshalPublicKeys(trust(t, a))
	require.NoError(t, err)
	good := string(doc)
	pub := good[strings.Index(good, `"public_key": "`)+len(`"public_key": "`):]
	pub = pub[:strings.IndexByte(pub, '"')]
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"empty", "", licensefile.ErrMalformed},
		{"not JSON", "kid=abc", licensefile.ErrMalformed},
		{"no keys", `{"keys":[]}`, licensefile.ErrMalformed},
		{"null", `null`, licensefile.ErrMalformed},
		{"unknown top-level field", strings.Replace(good, `"keys"`, `"issuer": "x", "keys"`, 1), licensefile.ErrMalformed},
		{"unknown key field", strings.Replace(good, `"alg"`, `"use": "sig", "alg"`, 1), licensefile.ErrMalformed},
		{"trailing data", good + "{}", licensefile.ErrMalformed},
		{"other algorithm", strings.Replace(good, "Ed25519", "RS256", 1), licensefile.ErrMalformed},
		{"short key", strings.Replace(good, pub, pub[:40]+"==", 1), licensefile.ErrMalformed},
		{"key not base64", strings.Replace(good, pub, "!"+pub[1:], 1), licensefile.ErrMalformed},
		{"URL-safe base64", strings.Replace(good, pub, strings.NewReplacer("+", "-", "/", "_").Replace(pub)+"", 1), licensefile.ErrMalformed},
		{"invalid key ID", strings.Replace(good, a.KeyID, "a/b", 1), licensefile.ErrMalformed},
		{"duplicate key ID", `{"keys":[{"kid":"k","alg":"Ed25519","public_key":"` + pub + `"},{"kid":"k","alg":"Ed25519","public_key":"` + pub + `"}]}`, licensefile.ErrMalformed},
		{"oversized", good + strings.Repeat(" ", licensefile.MaxFileSize), licensefile.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "URL-safe base64" && !strings.ContainsAny(pub, "+/") {
				t.Skip("test key has no + or / in base64")
			}
			_, err := licensefile.ParsePublicKeys([]byte(tt.doc))
			requireOneLineError(t, err, tt.want)
		})
	}
	compact := `{"keys":[{"kid":"` + a.KeyID + `","alg":"Ed25519","public_key":"` + pub + `"}]}`
	got, err := licensefile.ParsePublicKeys([]byte(compact))
	require.NoError(t, err, "any JSON whitespace is accepted")
	assert.Equal(t, trust(t, a), got)
}

func TestEnvelopeRoundTripAndTypeSeparation(t *testing.T) {
	s := testSigner(t, "A")
	trusted := trust(t, s)
	body := []byte(`{"activation_id":"ACT-1"}`)
	env, err := s.SealEnvelope("ACTIVATION RESPONSE", body)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(env, []byte("-----BEGIN LICENSE DESK ACTIVATION RESPONSE-----\nKey-Id: "+s.KeyID+"\n")))

	got, kid, err := licensefile.OpenEnvelope(env, "ACTIVATION RESPONSE", trusted)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	assert.Equal(t, s.KeyID, kid)

	_, _, err = licensefile.OpenEnvelope(env, "ACTIVATION REQUEST", trusted)
	requireOneLineError(t, err, licensefile.ErrMalformed)

	// Relabelling a signed document as another type breaks the signature,
	// because the type is part of the signed domain prefix.
	relabelled := bytes.ReplaceAll(env, []byte("ACTIVATION RESPONSE"), []byte("ACTIVATION REQUEST"))
	_, _, err = licensefile.OpenEnvelope(relabelled, "ACTIVATION REQUEST", trusted)
	requireOneLineError(t, err, licensefile.ErrBadSignature)

	license := sign(t, s, samplePayload())
	asEnvelope := bytes.ReplaceAll(license, []byte("DESK LICENSE-----"), []byte("DESK ACTIVATION RESPONSE-----"))
	_, _, err = licensefile.OpenEnvelope(asEnvelope, "ACTIVATION RESPONSE", trusted)
	requireOneLineError(t, err, licensefile.ErrBadSignature)

	payloadSealed, err := s.SealEnvelope("LICENSE X", payloadOf(t, license))
	require.NoError(t, err)
	asLicense := bytes.ReplaceAll(payloadSealed, []byte("DESK LICENSE X-----"), []byte("DESK LICENSE-----"))
	_, err = licensefile.Verify(asLicense, trusted)
	requireOneLineError(t, err, licensefile.ErrBadSignature)
}

func TestEnvelopeRefusesBadTypesAndBodies(t *testing.T) {
	s := testSigner(t, "A")
	for _, typ := range []string{"", "LICENSE", "lower", "TWO  SPACES", " LEAD", "TRAIL ", "DASH-ED", "NEW\nLINE", strings.Repeat("A", 41)} {
		_, err := s.SealEnvelope(typ, []byte("x"))
		requireOneLineError(t, err, licensefile.ErrInvalidPayload)
		_, _, err = licensefile.OpenEnvelope([]byte("x"), typ, trust(t, s))
		requireOneLineError(t, err, licensefile.ErrInvalidPayload)
	}
	_, err := s.SealEnvelope("RECEIPT", nil)
	requireOneLineError(t, err, licensefile.ErrInvalidPayload)
	_, err = s.SealEnvelope("RECEIPT", make([]byte, licensefile.MaxFileSize))
	requireOneLineError(t, err, licensefile.ErrTooLarge)
}
