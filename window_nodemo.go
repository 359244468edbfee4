//go:build release

package main

import (
	"context"
	"errors"
)

// startDemoSession refuses: a release build carries no demo portal (nor
// the database drivers it needs). `make demo` runs it from source.
func startDemoSession(context.Context) (demoSession, error) {
	return nil, errors.New("this build of License Desk has no demo: run it from the source tree with make demo")
}
