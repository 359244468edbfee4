package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"
)

func TestTheme_TextDisabledControlsAndProgressReadInBothVariants(t *testing.T) {
	th := newContrastTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		bg := th.Color(theme.ColorNameBackground, v)
		for name, want := range map[fyne.ThemeColorName]float64{
			theme.ColorNameForeground:  4.5,
			theme.ColorNamePlaceHolder: 4.5,
			theme.ColorNameDisabled:    3,
			theme.ColorNamePrimary:     3,
		} {
			assert.GreaterOrEqual(t, contrast(th.Color(name, v), bg), want, "%s in variant %d", name, v)
		}
	}
	// The test is not a tautology: Fyne's own disabled text is fainter.
	d := theme.DefaultTheme()
	assert.Less(t, contrast(d.Color(theme.ColorNameDisabled, theme.VariantDark), d.Color(theme.ColorNameBackground, theme.VariantDark)), 3.0)
}
