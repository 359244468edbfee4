#!/usr/bin/env bash
# Builds the Windows packages into $DIST: licdesk.exe cross-compiled with
# mingw-w64 (cgo, the same Fyne window as on Linux) with its icon, manifest
# and version resource, licdesk-check.exe (pure Go, no cgo: the small check
# for programs to call), and the installer licdesk_VERSION_x64.msi (wixl);
# both Authenticode-signed with osslsigncode using the certificate and key
# in the files $SIGN_CERT and $SIGN_KEY (PEM or DER; $SIGN_PASS_FILE if the
# key is encrypted). Without them it refuses: it never writes an unsigned
# Windows file into $DIST.
set -euo pipefail
: "${VERSION:?}" "${DIST:?}"
GO=${GO:-go}

scripts/check-signing.sh

W=$(mktemp -d /tmp/licdesk-pkg-windows.XXXXXX)
SYSO=rsrc_windows_amd64.syso
trap 'rm -rf "$W"; rm -f "$SYSO"' EXIT
mkdir -p "$DIST"
IFS=. read -r major minor patch <<<"$VERSION"

# sign IN OUT DESCRIPTION
sign() {
  local pass=()
  [ -n "${SIGN_PASS_FILE:-}" ] && pass=(-readpass "$SIGN_PASS_FILE")
  osslsigncode sign -certs "$SIGN_CERT" -key "$SIGN_KEY" "${pass[@]}" -h sha256 \
    -n "$3" -i https://github.com/licdesk/licdesk -in "$1" -out "$2" >/dev/null
}

# 1. The resources: icon, manifest, version, into a .syso go build links in.
scripts/icons.sh ico "$W/licdesk.ico"
sed "s/LICDESK_VERSION_QUAD/$major.$minor.$patch.0/" packaging/windows/licdesk.exe.manifest >"$W/licdesk.exe.manifest"
printf '#define VER_MAJOR %d\n#define VER_MINOR %d\n#define VER_PATCH %d\n#define VER_STRING "%s"\n' \
  "$major" "$minor" "$patch" "$VERSION" >"$W/version.h"
x86_64-w64-mingw32-windres -I "$W" -O coff -o "$SYSO" packaging/windows/licdesk.rc

# 2. licdesk.exe: cgo with mingw. -l:libssp.a links the stack protector
#    statically (Go's release flags need it; a plain -lssp wants a DLL at run
#    time); -H=windowsgui: no console window behind the app.
echo "go build licdesk.exe (mingw-w64) ..."
CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ GOOS=windows GOARCH=amd64 \
  CGO_LDFLAGS="-l:libssp.a" \
  "$GO" build -trimpath -tags "migrated_fynedo,release" -ldflags="-s -w -H=windowsgui" -o "$W/unsigned.exe" .
sign "$W/unsigned.exe" "$W/licdesk.exe" "License Desk"

# 3. licdesk-check.exe: no cgo, no resources (a console program).
echo "go build licdesk-check.exe ..."
rm -f "$SYSO" # licdesk's resources are not its
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
  "$GO" build -trimpath -tags "migrated_fynedo,release" -ldflags="-s -w" -o "$W/unsigned-check.exe" ./cmd/licdesk-check
sign "$W/unsigned-check.exe" "$W/licdesk-check.exe" "License Desk check"

# 4. The installer around the signed programs, then signed itself.
cp packaging/windows/licdesk.wxs "$W/"
(cd "$W" && wixl -a x64 -D Version="$VERSION" -D SourceDir=. -o unsigned.msi licdesk.wxs)
sign "$W/unsigned.msi" "$W/licdesk.msi" "License Desk $VERSION installer"

install -m 0644 "$W/licdesk.exe" "$DIST/licdesk.exe"
install -m 0644 "$W/licdesk-check.exe" "$DIST/licdesk-check.exe"
install -m 0644 "$W/licdesk.msi" "$DIST/licdesk_${VERSION}_x64.msi"
echo "wrote $DIST/licdesk.exe, $DIST/licdesk-check.exe and $DIST/licdesk_${VERSION}_x64.msi (signed with $SIGN_CERT)"
