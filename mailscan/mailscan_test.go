package mailscan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/mailscan"
)

const (
	licKey = "LIC-04106-1050R-3GG28-A1C60-T3GFK"
	insKey = "INS-144GJ-28914-4GJ28-9144G-J2896"
	serA   = "0000-03NQ-K8N1"
	serB   = "0000-0XDW-T5HG"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// pairs reduces findings to "kind value" for comparison.
func pairs(fs []mailscan.Finding) []string {
	out := []string{}
	for _, f := range fs {
		v := f.Value
		if strings.HasPrefix(v, "-----BEGIN") {
			v = strings.SplitN(v, "\n", 2)[0]
		}
		out = append(out, string(f.Kind)+" "+v)
	}
	return out
}

func TestParse_RecognisesWhatRealLookingMessagesCarry(t *testing.T) {
	tests := []struct {
		file    string
		subject string
		from    string
		want    []string
	}{
		{"purchase-alternative-qp.eml", "Your order — EstruBase Pro", "Vendor Sales <sales@vendor.example>",
			[]string{"license-number ACME-EB-2026", "license-key " + licKey}},
		{"serial-latin1-base64.eml", "Numéro de série", "François <f@vendor.example>",
			[]string{"serial " + serA, "license-number C-9Q2X7"}},
		{"html-only-install-key.eml", "Install key", "shop@vendor.example",
			[]string{"install-key " + insKey, "serial " + serB}},
		{"forwarded-rfc822.eml", "Fwd: Serial", "Boss <boss@example.com>",
			[]string{"license-key " + licKey, "serial " + serA}},
		{"response-attachment.eml", "response for the lab PC", "it@example.com",
			[]string{"activation-response -----BEGIN LICENSE DESK ACTIVATION RESPONSE-----"}},
		{"portal-seat-assigned.eml", "Ana assigned you a EstruBase license", "License Desk <no-reply@licdesk.invalid>",
			[]string{"seat-assigned lic_4f9a2c"}},
		{"no-findings.eml", "lunch", "friend@example.com", []string{}},
		{"malformed-mime.eml", "broken", "x@example.com", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := mailscan.Parse(read(t, tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.subject, m.Subject)
			assert.Equal(t, tt.from, m.From)
			assert.ElementsMatch(t, tt.want, pairs(m.Findings))
		})
	}
}

func TestParse_PortalHeadersCarryTheObjectIDs(t *testing.T) {
	m, err := mailscan.Parse(read(t, "portal-seat-assigned.eml"))
	require.NoError(t, err)
	require.Len(t, m.Findings, 1)
	f := m.Findings[0]
	assert.Equal(t, mailscan.Finding{Kind: mailscan.SeatAssigned, Value: "lic_4f9a2c", Product: "EstruBase",
		License: "lic_4f9a2c", Contract: "ACME-EB-2026", Portal: "https://portal.example", In: "headers"}, f)
	assert.Equal(t, "p1@licdesk.invalid", m.MessageID)
	assert.Equal(t, time.Date(2026, 11, 15, 8, 0, 0, 0, time.UTC), m.Date)
}

func TestParse_AResponseKeepsTheFileFormatsLFLines(t *testing.T) {
	m, err := mailscan.Parse(read(t, "response-attachment.eml"))
	require.NoError(t, err)
	require.Len(t, m.Findings, 1)
	assert.Equal(t, "lab.lda", m.Findings[0].In)
	assert.NotContains(t, m.Findings[0].Value, "\r")
	assert.True(t, strings.HasSuffix(m.Findings[0].Value, "-----END LICENSE DESK ACTIVATION RESPONSE-----\n"))
}

func TestParse_ATypoedKeyOrSerialIsNotAFinding(t *testing.T) {
	bad := strings.Replace(licKey, "T3GFK", "T3GFA", 1)
	msg := "Subject: x\r\n\r\nLicense key: " + bad + "\r\nSerial: 0000-03NQ-K8N2\r\n"
	m, err := mailscan.Parse([]byte(msg))
	require.NoError(t, err)
	assert.Empty(t, m.Findings)
}

func TestParse_RefusesAMessageLargerThanTheLimit(t *testing.T) {
	big := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("a"), mailscan.MaxMessageSize)...)
	_, err := mailscan.Parse(big)
	assert.ErrorIs(t, err, mailscan.ErrTooLarge)
}

func TestParse_NotAMessageIsOneError(t *testing.T) {
	_, err := mailscan.Parse([]byte("\x00\x01 not a header line"))
	assert.Error(t, err)
}

func TestParse_DeepNestingAndManyPartsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Subject: nest\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 0; i < 50; i++ {
		b.WriteString("--b" + string(rune('0'+i%10)) + "\r\nContent-Type: multipart/mixed; boundary=\"b" + string(rune('0'+(i+1)%10)) + "\"\r\n\r\n")
	}
	b.WriteString("License key: " + licKey + "\r\n")
	m, err := mailscan.Parse([]byte(b.String()))
	require.NoError(t, err)
	assert.Empty(t, m.Findings, "a key 50 levels deep is past the depth bound")

	var many strings.Builder
	many.WriteString("Subject: many\r\nContent-Type: multipart/mixed; boundary=\"z\"\r\n\r\n")
	for i := 0; i < 500; i++ {
		many.WriteString("--z\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	}
	many.WriteString("--z\r\nContent-Type: text/plain\r\n\r\nLicense key: " + licKey + "\r\n--z--\r\n")
	m, err = mailscan.Parse([]byte(many.String()))
	require.NoError(t, err)
	assert.Empty(t, m.Findings, "parts past the count bound are not read")
}

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	require.NoError(f, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			require.NoError(f, err)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mailscan.Parse(raw)
		if err != nil {
			return
		}
		for _, fd := range m.Findings {
			if fd.Kind == mailscan.ActivationResponse || fd.Kind == mailscan.LicenseFile {
				if len(fd.Value) > 64<<10 {
					t.Fatalf("armored finding of %d bytes", len(fd.Value))
				}
			}
			if fd.Value == "" && fd.Product == "" {
				t.Fatalf("empty finding %+v", fd)
			}
		}
	})
}
