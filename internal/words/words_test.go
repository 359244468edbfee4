package words

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPlural_OneIsSingularOthersTakeAnS(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{{1, "seat", "1 seat"}, {0, "seat", "0 seats"}, {3, "seat", "3 seats"}, {2, "licenses", "2 licenses"}} {
		assert.Equal(t, c.want, Plural(c.n, c.noun))
	}
}

func TestAgo_SaysHowLongBeforeNow(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now.Add(-30 * time.Second), "just now"},
		{now.Add(-time.Minute), "1 minute ago"},
		{now.Add(-5 * time.Minute), "5 minutes ago"},
		{now.Add(-47 * time.Hour), "47 hours ago"},
		{now.Add(-72 * time.Hour), "3 days ago"},
	} {
		assert.Equal(t, c.want, Ago(c.t, now))
	}
}

func TestSafe_NeutralisesEscapesAndBidiInOtherPeoplesText(t *testing.T) {
	assert.Equal(t, "Eberick\uFFFD[31m red", Safe("Eberick\x1b[31m red"))
	assert.Equal(t, "invoice\uFFFDexe.pdf", Safe("invoice\u202Eexe.pdf"))
	assert.Equal(t, "a\uFFFDb", Safe("a\nb"))
	assert.Equal(t, "a\nb\tc\uFFFD", SafeText("a\nb\tc\x07"))
	assert.Equal(t, "José Lima", Safe("José Lima"))
}
