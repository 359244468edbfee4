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
	chromium dovecot-imapd openssl

BIN := bin

# The release number lives in FyneApp.toml (version/version_test.go holds
# version.Number, the metainfo and the Debian changelog to it).
VERSION      := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILD_NUMBER := $(shell sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
DIST         := dist
# The `fyne` packaging command, at the version RECIPES.md verified.
FYNE_TOOLS   := fyne.io/tools/cmd/fyne@v1.7.4
FYNE         := .tmp/tools/fyne
# What `make package` needs beyond the build: the mingw cross-compiler,
# wixl (MSI), osslsigncode (Authenticode), imagemagick (icons), dpkg-dev
# (dpkg-shlibdeps); and what `make package-test` runs: lintian, the
# desktop-entry and AppStream validators, wine, openssl, curl.
PACKAGE_DEB_PACKAGES := gcc-mingw-w64-x86-64 wixl osslsigncode imagemagick dpkg-dev xz-utils
PACKAGE_TEST_DEB_PACKAGES := $(PACKAGE_DEB_PACKAGES) lintian desktop-file-utils appstream \
	wine64 openssl curl adduser man-db procps

.PHONY: all deps build test vet fmt-check demo demo-portal bench bench-portal bench-client bench-sync clean screenshots \
	package package-deps package-test

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

# The tests' profiles keep the second copy of their offline state in a
# throwaway folder, not in the user's config folder.
test: deps fmt-check vet
	d=$$(mktemp -d) && LICDESK_STATE_DIR=$$d scripts/with-postgres.sh scripts/with-dovecot.sh $(GO) test -race -count=1 ./...; s=$$?; rm -rf "$$d"; exit $$s

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
	$(MAKE) bench-portal
	$(MAKE) bench-client
	$(GO) run ./cmd/benchratio -pkg ./core/licensefile -rounds 9 -benchtime 20000x -bench 'Sign$$|Verify$$' \
		-ratio 'sign a license file / ed25519.Sign=Sign/file/Sign/ed25519' \
		-ratio 'verify a license file / ed25519.Verify=Verify/file/Verify/ed25519'
	scripts/with-postgres.sh $(GO) run ./cmd/benchratio -pkg ./portal -rounds $(BENCH_ROUNDS) -benchtime 200x -bench 'Download$$' \
		-ratio 'rate:full / sendfile, SQLite=Download/sqlite/full/Download/sqlite/baseline-sendfile' \
		-ratio 'rate:resumed / sendfile, SQLite=Download/sqlite/resumed/Download/sqlite/baseline-sendfile' \
		-ratio 'rate:full / usercopy, SQLite=Download/sqlite/full/Download/sqlite/baseline-usercopy' \
		-ratio 'rate:resumed / usercopy, SQLite=Download/sqlite/resumed/Download/sqlite/baseline-usercopy' \
		-ratio 'rate:full / sendfile, PostgreSQL=Download/postgres/full/Download/postgres/baseline-sendfile' \
		-ratio 'rate:resumed / sendfile, PostgreSQL=Download/postgres/resumed/Download/postgres/baseline-sendfile' \
		-ratio 'rate:full / usercopy, PostgreSQL=Download/postgres/full/Download/postgres/baseline-usercopy' \
		-ratio 'rate:resumed / usercopy, PostgreSQL=Download/postgres/resumed/Download/postgres/baseline-usercopy'
	$(MAKE) bench-sync

# The client's sync figures of BENCHMARKS.md ("Client: sync"), on `licportal
# seed --scale 10000`, each against its baseline in alternated rounds.
# About 5 minutes.
bench-sync: deps
	$(GO) run ./cmd/benchratio -pkg ./sync -rounds $(BENCH_ROUNDS) -benchtime 3x -bench 'FirstSync_100kSeats$$' \
		-ratio 'first sync, static server / floor=FirstSync_100kSeats/client-static/FirstSync_100kSeats/floor' \
		-ratio 'first sync, real portal / floor=FirstSync_100kSeats/client-portal/FirstSync_100kSeats/floor' \
		-ratio 'portal share / first sync, real portal=FirstSync_100kSeats/portal-bytes/FirstSync_100kSeats/client-portal'
	$(GO) run ./cmd/benchratio -pkg ./sync -rounds $(BENCH_ROUNDS) -benchtime 1000x -bench 'NoChangeSync$$|SubmitSeatAssign$$' \
		-ratio 'no-change sync / bare round trip=NoChangeSync/sync/NoChangeSync/bare' \
		-ratio 'GET /v1/changes alone / bare round trip=NoChangeSync/changes-request/NoChangeSync/bare' \
		-ratio 'queue a seat assignment with its effect / queue only=SubmitSeatAssign/effect/SubmitSeatAssign/queue-only'
	$(GO) run ./cmd/benchratio -pkg ./sync -rounds $(BENCH_ROUNDS) -benchtime 20x -bench 'SolutionsJSON$$' \
		-ratio 'licdesk solutions --json --offline / licdesk --version=SolutionsJSON/offline/SolutionsJSON/version' \
		-ratio 'licdesk solutions --json / licdesk --version=SolutionsJSON/online/SolutionsJSON/version'

# The portal's growth figures of BENCHMARKS.md: each benchmark and its
# baseline in alternated rounds (cmd/benchratio), ratios as median and
# range, the load average noted; fixed data sizes, the seeded databases
# kept for the run. About 10 minutes.
BENCH_ROUNDS ?= 5
bench-portal: deps
	scripts/with-postgres.sh $(GO) run ./cmd/benchratio -pkg ./portal -rounds $(BENCH_ROUNDS) -benchtime 1x \
		-bench 'FirstSync$$' \
		-ratio 'first sync 10k / 1k, SQLite=FirstSync/sqlite/10k/FirstSync/sqlite/1k' \
		-ratio 'first sync 50k / 10k, SQLite=FirstSync/sqlite/50k/FirstSync/sqlite/10k' \
		-ratio 'first sync 10k / 1k, PostgreSQL=FirstSync/postgres/10k/FirstSync/postgres/1k' \
		-ratio 'first sync 50k / 10k, PostgreSQL=FirstSync/postgres/50k/FirstSync/postgres/10k'
	scripts/with-postgres.sh $(GO) run ./cmd/benchratio -pkg ./portal -rounds $(BENCH_ROUNDS) -benchtime 400x \
		-bench 'SeatWrite$$' -metrics 'stmts/write,writes/s' \
		-ratio 'seat write 200 / 10 seats, SQLite=SeatWrite/sqlite/200/SeatWrite/sqlite/10' \
		-ratio 'seat write 1000 / 10 seats, SQLite=SeatWrite/sqlite/1000/SeatWrite/sqlite/10' \
		-ratio 'seat write 1000 / 10 seats, whole view, SQLite=SeatWrite/sqlite/1000-whole/SeatWrite/sqlite/10' \
		-ratio 'seat write 200 / 10 seats, PostgreSQL=SeatWrite/postgres/200/SeatWrite/postgres/10' \
		-ratio 'seat write 1000 / 10 seats, PostgreSQL=SeatWrite/postgres/1000/SeatWrite/postgres/10' \
		-ratio 'seat write 1000 / 10 seats, whole view, PostgreSQL=SeatWrite/postgres/1000-whole/SeatWrite/postgres/10'
	scripts/with-postgres.sh $(GO) run ./cmd/benchratio -pkg ./portal -rounds $(BENCH_ROUNDS) -benchtime 3000x \
		-bench 'SeatWrites64$$|RawWriteTx$$' -metrics 'writes/s,tx/s' \
		-ratio 'rate:seat writes / raw write tx, 64 clients, SQLite=SeatWrites64/sqlite/RawWriteTx/sqlite' \
		-ratio 'rate:seat writes / raw write tx, 64 clients, PostgreSQL=SeatWrites64/postgres/RawWriteTx/postgres'
	scripts/with-postgres.sh $(GO) run ./cmd/benchratio -pkg ./portal -rounds 3 -benchtime 300x \
		-bench 'FeedNoChange' \
		-ratio 'pull when nothing changed / GET /v1/me, SQLite=FeedNoChange/sqlite/changes/FeedNoChange/sqlite/baseline-me' \
		-ratio 'pull when nothing changed / GET /v1/me, PostgreSQL=FeedNoChange/postgres/changes/FeedNoChange/postgres/baseline-me'
	$(GO) run ./cmd/benchratio -pkg ./sync -rounds 3 -benchtime 1x -bench 'FirstSyncGrowth' \
		-ratio 'portal share / client share, 1k=FirstSyncGrowth/1k/portal/FirstSyncGrowth/1k/client' \
		-ratio 'portal share / client share, 10k=FirstSyncGrowth/10k/portal/FirstSyncGrowth/10k/client' \
		-ratio 'portal share / client share, 50k=FirstSyncGrowth/50k/portal/FirstSyncGrowth/50k/client' \
		-ratio 'portal share 50k / 10k=FirstSyncGrowth/50k/portal/FirstSyncGrowth/10k/portal' \
		-ratio 'client share 50k / 10k=FirstSyncGrowth/50k/client/FirstSyncGrowth/10k/client'

# The client's figures of BENCHMARKS.md (this machine's check, the
# fingerprint, the window): each against its baseline in alternated rounds
# (cmd/benchratio; scripts/startbench.sh alternates the windows itself),
# fixed iterations, the load average noted. About 5 minutes.
bench-client: deps
	$(GO) run ./cmd/benchratio -pkg ./machine -rounds $(BENCH_ROUNDS) -benchtime 2000x -bench 'Check$$|Collect$$' \
		-ratio 'fingerprint / the former reader=Collect/system/Collect/reference' \
		-ratio 'check, fixed fingerprint / ed25519.Verify=Check/check_fake_fingerprint/Check/ed25519_verify' \
		-ratio 'check, real fingerprint, new store / ed25519.Verify=Check/check_real_fingerprint/Check/ed25519_verify' \
		-ratio 'check, real fingerprint, again / ed25519.Verify=Check/check_real_fingerprint_again/Check/ed25519_verify'
	$(GO) run ./cmd/benchratio -pkg . -rounds $(BENCH_ROUNDS) -benchtime 200x -bench 'CheckProcess$$' \
		-ratio 'licdesk-check PRODUCT / hello-world=CheckProcess/licdesk_check_program/CheckProcess/hello' \
		-ratio 'licdesk check PRODUCT / hello-world=CheckProcess/licdesk_check/CheckProcess/hello' \
		-ratio 'licdesk --version / hello-world=CheckProcess/licdesk_version/CheckProcess/hello'
	$(GO) run ./cmd/benchratio -pkg ./ui -rounds $(BENCH_ROUNDS) -benchtime 100x -bench 'FilterKeystroke100kSeats$$' \
		-ratio 'keystroke / the same list refreshed=FilterKeystroke100kSeats/keystroke/FilterKeystroke100kSeats/refresh_only'
	RUNS=7 scripts/startbench.sh

# Installable packages into dist/: licdesk and licportal .deb, the fyne
# tarball, the signed licdesk.exe and MSI, SHA256SUMS (packaging/README.md).
# The Windows files need SIGN_CERT=FILE SIGN_KEY=FILE; without them it stops
# before building anything.
package: deps package-deps
	@scripts/check-signing.sh
	rm -rf $(DIST)
	VERSION=$(VERSION) BUILD_NUMBER=$(BUILD_NUMBER) DIST=$(DIST) FYNE=$(FYNE) scripts/package-linux.sh
	VERSION=$(VERSION) DIST=$(DIST) scripts/package-windows.sh
	cd $(DIST) && sha256sum -- * >SHA256SUMS
	@ls -l $(DIST)

package-deps:
	@scripts/install-deps.sh $(PACKAGE_DEB_PACKAGES)
	@[ -x $(FYNE) ] || GOFLAGS= GOBIN=$(CURDIR)/.tmp/tools $(GO) install $(FYNE_TOOLS)

# Builds the packages signed with a throwaway certificate (unless SIGN_CERT
# is given), then checks, installs, runs and removes them on this machine
# and runs the Windows program under wine.
package-test: deps
	@scripts/install-deps.sh $(PACKAGE_TEST_DEB_PACKAGES)
	VERSION=$(VERSION) DIST=$(DIST) MAKE="$(MAKE)" scripts/package-test.sh

clean:
	rm -rf $(BIN) $(DIST)
