package words

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/i18n"
)

func TestPlural_FollowsTheCatalogAndFallsBackToEnglishForAnUnknownNoun(t *testing.T) {
	en, pt, fr := i18n.English(), i18n.New(language.BrazilianPortuguese), i18n.New(language.French)
	for _, c := range []struct {
		l    *i18n.Lang
		n    int
		noun string
		want string
	}{
		{en, 1, "seats", "1 seat"}, {en, 0, "day", "0 days"}, {en, 3, "day", "3 days"}, {en, 2, "licenses", "2 licenses"},
		{en, 2, "new finding", "2 new findings"},
		{pt, 1, "seats", "1 licença"}, {pt, 2, "seats", "2 licenças"}, {pt, 2, "licenses", "2 soluções"},
		{pt, 1, "day", "1 dia"}, {fr, 0, "day", "0 jour"}, {fr, 2, "write", "2 modifications"},
		{en, 1, "widget", "1 widget"}, {pt, 3, "widget", "3 widgets"}, {en, 2, "gizmos", "2 gizmos"},
	} {
		assert.Equal(t, c.want, Plural(c.l, c.n, c.noun), "%s %d %s", c.l, c.n, c.noun)
	}
}

func TestAgo_SaysHowLongBeforeNowInTheLanguage(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	en, es := i18n.English(), i18n.New(language.Spanish)
	for _, c := range []struct {
		l    *i18n.Lang
		t    time.Time
		want string
	}{
		{en, time.Time{}, "never"},
		{en, now.Add(-30 * time.Second), "just now"},
		{en, now.Add(-time.Minute), "1 minute ago"},
		{en, now.Add(-5 * time.Minute), "5 minutes ago"},
		{en, now.Add(-47 * time.Hour), "47 hours ago"},
		{en, now.Add(-72 * time.Hour), "3 days ago"},
		{es, now.Add(-72 * time.Hour), "hace 3 días"},
	} {
		assert.Equal(t, c.want, Ago(c.l, c.t, now))
	}
}

func TestSize_WritesTheLocalesDecimalMark(t *testing.T) {
	assert.Equal(t, "1.5 MiB", Size(i18n.English(), 3<<19))
	assert.Equal(t, "1,5 MiB", Size(i18n.New(language.BrazilianPortuguese), 3<<19))
	assert.Equal(t, "512 B", Size(i18n.English(), 512))
	assert.Equal(t, "?", Size(i18n.English(), -1))
}

func TestSafe_NeutralisesEscapesAndBidiInOtherPeoplesText(t *testing.T) {
	assert.Equal(t, "Eberick\uFFFD[31m red", Safe("Eberick\x1b[31m red"))
	assert.Equal(t, "invoice\uFFFDexe.pdf", Safe("invoice\u202Eexe.pdf"))
	assert.Equal(t, "a\uFFFDb", Safe("a\nb"))
	assert.Equal(t, "a\nb\tc\uFFFD", SafeText("a\nb\tc\x07"))
	assert.Equal(t, "José Lima", Safe("José Lima"))
}
