# License Desk: `make demo` runs the app on its demo portal, `make test` runs
# every test. Both install what a fresh Debian machine lacks.
SHELL := /bin/bash
GO    ?= go

# Fyne's thread checks are off once the code is migrated to fyne.Do.
export GOFLAGS := -tags=migrated_fynedo
export LANG    := en_US.UTF-8

# Fyne's cgo build needs the GL and X11 headers; the store tests need a real
# PostgreSQL server, the mailbox tests a real Dovecot (and openssl for its
# certificate).
DEB_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxrandr-dev \
	libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev postgresql \
	dovecot-imapd openssl

BIN := bin

.PHONY: all deps build test vet fmt-check demo demo-portal bench clean screenshots

all: build

deps:
	@scripts/install-deps.sh $(DEB_PACKAGES)

build: deps
	$(GO) build -o $(BIN)/licdesk .
	$(GO) build -o $(BIN)/licportal ./cmd/licportal

fmt-check:
	@scripts/check-fmt.sh

vet:
	$(GO) vet ./...

test: deps fmt-check vet
	scripts/with-postgres.sh scripts/with-dovecot.sh $(GO) test -race -count=1 ./...

# The window on a built-in demo portal; demo-portal serves a licportal alone
# for the command line.
demo: build
	$(BIN)/licdesk --demo

demo-portal: build
	BIN=$(BIN) scripts/demo.sh

# PNGs of every tab, the sign-in screen and the offline state, from the real
# window under Xvfb.
screenshots: build
	BIN=$(BIN) scripts/screenshots.sh

# Benchmarks behind BENCHMARKS.md; each figure there names the command that
# produced it. Needs PostgreSQL, like the tests.
bench: deps
	scripts/with-postgres.sh $(GO) test -run '^$$' -bench 'SeatAssign|RawWriteTx' -benchtime 3000x ./portal/
	scripts/with-postgres.sh $(GO) test -run '^$$' -bench 'FeedFullPull' -benchtime 3x ./portal/
	scripts/with-postgres.sh $(GO) test -run '^$$' -bench 'FeedNoChange' -benchtime 300x ./portal/
	$(GO) test -run '^$$' -bench . -count 5 ./core/licensefile/
	scripts/with-postgres.sh $(GO) test -run '^$$' -bench 'BenchmarkDownload|BenchmarkServeContentBaseline' -benchtime 200x ./portal/
	$(GO) test -run '^$$' -bench . -benchtime 3x ./sync/
	$(GO) test -run '^$$' -bench . -count 5 ./machine/
	$(GO) test -run '^$$' -bench CheckProcess -benchtime 100x -count 5 .
	$(GO) test -run '^$$' -bench FilterKeystroke -benchtime 100x ./ui/
	scripts/startbench.sh

clean:
	rm -rf $(BIN)
