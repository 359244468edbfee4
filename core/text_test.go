package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCleanLine_RefusesControlBidiAndOverlongText(t *testing.T) {
	for _, tc := range []struct {
		name, in, code string
	}{
		{"NUL", "Ana\x00Lima", CodeTextInvalid},
		{"escape sequence", "Eberick\x1b[31m", CodeTextInvalid},
		{"newline", "a\nb", CodeTextInvalid},
		{"DEL", "a\x7fb", CodeTextInvalid},
		{"C1 control", "a\u0085b", CodeTextInvalid},
		{"right-to-left override", "invoice\u202Efdp.exe", CodeTextInvalid},
		{"isolate", "a\u2066b", CodeTextInvalid},
		{"line separator", "a\u2028b", CodeTextInvalid},
		{"byte-order mark", "\uFEFFAna", CodeTextInvalid},
		{"invalid UTF-8", "a\xffb", CodeTextInvalid},
		{"empty", "   ", CodeTextEmpty},
		{"too long", strings.Repeat("x", 101), CodeTextTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CleanLine(tc.in, 100, "", "the name")
			require.Error(t, err)
			assert.Equal(t, tc.code, CodeOf(err))
			assert.Equal(t, Invalid, KindOf(err))
		})
	}
}

func TestCleanLine_NormalisesToNFCAndTrims(t *testing.T) {
	got, err := CleanLine("  Jose\u0301 Lima ", 100, "", "the name")
	require.NoError(t, err)
	assert.Equal(t, "Jos\u00e9 Lima", got, "a decomposed accent becomes the one composed character")
	n, err := CleanLine(strings.Repeat("é", 100), 100, "", "the name")
	require.NoError(t, err, "the limit counts characters, not bytes")
	assert.Len(t, []rune(n), 100)
}

func TestCleanProductName_RefusesBidiAndHugeNames(t *testing.T) {
	_, err := CleanProductName("CAD\u202Epro")
	assert.Equal(t, CodeProductName, CodeOf(err))
	_, err = CleanProductName(strings.Repeat("P", 200*1024))
	assert.Equal(t, CodeProductName, CodeOf(err))
}

func TestNormalizeEmail_LookAlikeDomainsAreOneAddress(t *testing.T) {
	for _, in := range []string{
		"ana@bücher.example", "ana@xn--bcher-kva.example", "ana@BÜCHER.example",
		"ana@bu\u0308cher.example", // decomposed ü
		"ana@ｂüｃｈｅｒ.example",       // full-width letters
	} {
		e, err := NormalizeEmail(in)
		require.NoError(t, err, in)
		assert.Equal(t, Email("ana@xn--bcher-kva.example"), e, in)
	}
	_, err := NormalizeEmail("ana@exa\u202Emple.com")
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
	_, err = NormalizeEmail("ana\x00@example.com")
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
}

func TestNeutralizeText_ReplacesEscapesAndBidi(t *testing.T) {
	assert.Equal(t, "Eberick\uFFFD[31m x", NeutralizeText("Eberick\x1b[31m x", false))
	assert.Equal(t, "a\uFFFDb", NeutralizeText("a\u202Eb", false))
	assert.Equal(t, "a\uFFFDb", NeutralizeText("a\nb", false))
	assert.Equal(t, "a\nb", NeutralizeText("a\nb", true))
	assert.Equal(t, "Ana Lima", NeutralizeText("Ana Lima", false))
}
