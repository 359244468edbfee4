//go:build release

package main

import (
	"context"

	"github.com/licdesk/licdesk/i18n"
)

// startDemoSession refuses: a release build carries no demo portal (nor
// the database drivers it needs). `make demo` runs it from source.
func startDemoSession(context.Context) (demoSession, error) {
	return nil, i18n.Errorf("ui.demo.release")
}
