#!/usr/bin/env bash
# Builds the Linux packages into $DIST: the tarball `fyne package` makes,
# licdesk_VERSION_amd64.deb (the same binary as the tarball, and the small
# static licdesk-check beside it, with the desktop entry, the AppStream metainfo, icons at every hicolor size and a man page
# generated from its help) and licportal_VERSION_amd64.deb (the portal as a
# systemd service). See packaging/README.md.
set -euo pipefail
: "${VERSION:?}" "${BUILD_NUMBER:?}" "${DIST:?}" "${FYNE:?}"
GO=${GO:-go}
ID=io.github.licdesk.licdesk
W=$(mktemp -d /tmp/licdesk-pkg-linux.XXXXXX)
# fyne rewrites FyneApp.toml (it bumps Build even with --app-build and
# reformats the file): the tracked file is put back as it was.
cp FyneApp.toml "$W/FyneApp.toml"
trap 'cp "$W/FyneApp.toml" FyneApp.toml; rm -rf "$W"; rm -f fyne_metadata_init.go' EXIT
mkdir -p "$DIST"
# Reproducible timestamps in the man pages and the archives.
export LC_ALL=C.UTF-8 # dpkg-deb and the man page tools are perl and C
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# 1. The tarball, as `fyne package` makes it (a release build: no debug
#    info, -trimpath), numbered with FyneApp.toml's Build.
echo "fyne package (linux) ..."
fyne_package() {
  rm -rf licdesk licdesk.tar.xz tmp-pkg
  "$FYNE" package --target linux --release --name licdesk \
    --app-version "$VERSION" --app-build "$BUILD_NUMBER" --tags migrated_fynedo
}
# fyne tars the binary right after moving it, and on overlay file systems
# tar sometimes reports "file changed as we read it": once more (the build
# is cached by then).
fyne_package || { echo "fyne package failed; once more" >&2; fyne_package; }
rm -f licdesk # the bare binary fyne leaves beside the tarball
tarball=licdesk_${VERSION}_linux_amd64.tar.xz
mv licdesk.tar.xz "$DIST/$tarball"
mkdir "$W/fyne"
tar -xJf "$DIST/$tarball" -C "$W/fyne"
bin=$(find "$W/fyne" -type f -name licdesk -perm -u+x | head -1)
[ -n "$bin" ] || { echo "no licdesk binary in $tarball" >&2; exit 1; }

# 2. licportal, the same kind of release build.
echo "go build licportal ..."
CGO_ENABLED=1 "$GO" build -trimpath -buildvcs=true -ldflags="-s -w" -o "$W/licportal.bin" ./cmd/licportal

# 3. licdesk-check: static (no cgo), for programs that are not written in
#    Go to call; it links no window, database or HTTP client.
echo "go build licdesk-check (static) ..."
CGO_ENABLED=0 "$GO" build -trimpath -buildvcs=true -tags "migrated_fynedo,release" -ldflags="-s -w" \
  -o "$W/licdesk-check.bin" ./cmd/licdesk-check

# dependencies DEB BINARY...: the Depends line dpkg-shlibdeps derives from
# the shared libraries the binaries link.
dependencies() {
  local pkg=$1; shift
  local d="$W/shlibs-$pkg"
  mkdir -p "$d/debian"
  printf 'Source: licdesk\n\nPackage: %s\nArchitecture: amd64\n' "$pkg" >"$d/debian/control"
  (cd "$d" && dpkg-shlibdeps -O "$@" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# docs PKG ROOT: the copyright and the (compressed) changelog.
docs() {
  install -d -m 0755 "$2/usr/share/doc/$1"
  install -m 0644 packaging/debian/copyright "$2/usr/share/doc/$1/copyright"
  gzip -9n <packaging/debian/changelog >"$2/usr/share/doc/$1/changelog.gz"
  chmod 0644 "$2/usr/share/doc/$1/changelog.gz"
}

# manpage BIN NAME TITLE ROOT: BIN's man page from its help, gzipped.
manpage() {
  local subs
  # Subcommands in the order the help lists them.
  subs=$("$1" --help | sed -n "s/^  $2 \([a-z][a-z]*\)\b.*/\1/p" | awk '!seen[$0]++')
  install -d -m 0755 "$4/usr/share/man/man1"
  # shellcheck disable=SC2086
  scripts/manpage.sh "$1" 1 "$3" $subs | gzip -9n >"$4/usr/share/man/man1/$2.1.gz"
  chmod 0644 "$4/usr/share/man/man1/$2.1.gz"
}

# control PKG ROOT DEPENDS: DEBIAN/control from its template.
control() {
  local size
  size=$(du -sk --exclude=DEBIAN "$2" | cut -f1)
  install -d -m 0755 "$2/DEBIAN"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$3/" \
    "packaging/debian/$1/control.in" >"$2/DEBIAN/control"
}

build_deb() {
  # Owned by root whoever builds; files 0644, folders and programs 0755.
  find "$2" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group -Zxz --build "$2" "$DIST/${1}_${VERSION}_amd64.deb" >/dev/null
  echo "wrote $DIST/${1}_${VERSION}_amd64.deb"
}

# 4. licdesk.deb
R=$W/licdesk
install -D -m 0755 "$bin" "$R/usr/bin/licdesk"
install -D -m 0755 "$W/licdesk-check.bin" "$R/usr/bin/licdesk-check"
install -D -m 0644 packaging/linux/$ID.desktop "$R/usr/share/applications/$ID.desktop"
install -D -m 0644 packaging/linux/$ID.metainfo.xml "$R/usr/share/metainfo/$ID.metainfo.xml"
scripts/icons.sh png "$R/usr/share/icons/hicolor" "$ID"
manpage "$R/usr/bin/licdesk" licdesk "License Desk, your licenses in one place" "$R"
manpage "$R/usr/bin/licdesk-check" licdesk-check "check a License Desk license, for programs to call" "$R"
docs licdesk "$R"
# Go links licdesk-check statically on purpose (a bare start, nothing to load).
install -D -m 0644 packaging/debian/licdesk/lintian-overrides "$R/usr/share/lintian/overrides/licdesk"
control licdesk "$R" "$(dependencies licdesk "$R/usr/bin/licdesk")"
build_deb licdesk "$R"

# 5. licportal.deb
R=$W/licportal
install -D -m 0755 "$W/licportal.bin" "$R/usr/bin/licportal"
install -D -m 0644 packaging/linux/licportal.service "$R/lib/systemd/system/licportal.service"
install -D -m 0644 packaging/linux/licportal.conf "$R/etc/licportal/licportal.conf"
manpage "$R/usr/bin/licportal" licportal "the License Desk reference licensing portal" "$R"
docs licportal "$R"
control licportal "$R" "$(dependencies licportal "$R/usr/bin/licportal")"
install -m 0644 packaging/debian/licportal/conffiles "$R/DEBIAN/conffiles"
install -m 0755 packaging/debian/licportal/postinst packaging/debian/licportal/prerm \
  packaging/debian/licportal/postrm "$R/DEBIAN/"
build_deb licportal "$R"
