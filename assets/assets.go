// Package assets holds the resources compiled into License Desk: the
// application icon, embedded so that the window and the tray show it without
// any file beside the binary.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon returns the application icon (a fresh resource each call, so that no
// package-level value is shared and mutable).
func Icon() fyne.Resource { return fyne.NewStaticResource("icon.png", iconPNG) }
