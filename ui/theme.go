package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// contrastTheme is Fyne's theme with the colours that read too faintly
// raised to WCAG's contrast against the background, in both variants: text
// (and placeholders) at least 4.5:1, disabled controls and the progress
// bar's fill at least 3:1.
type contrastTheme struct{ fyne.Theme }

func newContrastTheme() fyne.Theme { return contrastTheme{theme.DefaultTheme()} }

// minContrast is what each colour must reach against the background.
var minContrast = map[fyne.ThemeColorName]float64{
	theme.ColorNameForeground:  4.5,
	theme.ColorNamePlaceHolder: 4.5,
	theme.ColorNameDisabled:    3,
	theme.ColorNamePrimary:     3,
}

// Color raises a colour to its contrast by moving it away from the
// background, keeping its hue.
func (t contrastTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c := t.Theme.Color(n, v)
	want, ok := minContrast[n]
	if !ok {
		return c
	}
	bg := t.Theme.Color(theme.ColorNameBackground, v)
	return reach(c, bg, want)
}

// reach blends c towards black or white (whichever is away from bg) until
// it has the contrast wanted against bg.
func reach(c, bg color.Color, want float64) color.Color {
	if contrast(c, bg) >= want {
		return c
	}
	target := color.Color(color.White)
	if luminance(bg) > 0.5 {
		target = color.Black
	}
	r, g, b, a := c.RGBA()
	tr, tg, tb, _ := target.RGBA()
	for f := 0.05; f <= 1.0001; f += 0.05 {
		mix := func(x, y uint32) uint8 { return uint8((float64(x)*(1-f) + float64(y)*f) / 257) }
		m := color.NRGBA{mix(r, tr), mix(g, tg), mix(b, tb), uint8(a / 257)}
		if contrast(m, bg) >= want {
			return m
		}
	}
	return target
}

// luminance is WCAG's relative luminance of a colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG's contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
