package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeEmail_TrimsAndLowercases(t *testing.T) {
	e, err := NormalizeEmail("  Ana.Souza@Example.COM \n")
	require.NoError(t, err)
	assert.Equal(t, Email("ana.souza@example.com"), e)
}

func TestNormalizeEmail_AcceptsOrdinaryAddresses(t *testing.T) {
	for _, s := range []string{
		"a@b.co", "first.last+tag@sub.example.com.br", "x_y-z@my-host.example", "josé@exemplo.com.br", "a@münchen.de",
	} {
		_, err := NormalizeEmail(s)
		assert.NoError(t, err, s)
	}
}

func TestNormalizeEmail_RefusesWhatIsNotABareAddressWithADottedDomain(t *testing.T) {
	tests := []struct {
		name, in, code string
	}{
		{"empty", "   ", CodeEmailEmpty},
		{"display name", "Ana <ana@example.com>", CodeEmailInvalid},
		{"angle brackets alone", "<ana@example.com>", CodeEmailInvalid},
		{"quoted local part", `"ana souza"@example.com`, CodeEmailInvalid},
		{"comment", "ana@example.com (Ana)", CodeEmailInvalid},
		{"no at", "ana.example.com", CodeEmailInvalid},
		{"no dot in domain", "ana@localhost", CodeEmailInvalid},
		{"empty label", "ana@example..com", CodeEmailInvalid},
		{"trailing dot", "ana@example.com.", CodeEmailInvalid},
		{"label starts with hyphen", "ana@-example.com", CodeEmailInvalid},
		{"label ends with hyphen", "ana@example-.com", CodeEmailInvalid},
		{"address literal", "ana@[192.0.2.1]", CodeEmailInvalid},
		{"two addresses", "a@b.co, c@d.co", CodeEmailInvalid},
		{"local part over 64", strings.Repeat("a", 65) + "@example.com", CodeEmailInvalid},
		{"label over 63", "a@" + strings.Repeat("b", 64) + ".com", CodeEmailInvalid},
		{"over 254", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", CodeEmailTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeEmail(tt.in)
			require.Error(t, err)
			assert.Equal(t, Invalid, KindOf(err))
			assert.Equal(t, tt.code, CodeOf(err))
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestNormalizeEmail_AcceptsExactly254Characters(t *testing.T) {
	local := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	s := local + "@" + domain
	require.Len(t, s, 254)
	_, err := NormalizeEmail(s)
	assert.NoError(t, err)
}
