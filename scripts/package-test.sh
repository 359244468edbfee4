#!/usr/bin/env bash
# `make package-test`: builds the packages (signed with a throwaway
# self-signed certificate unless SIGN_CERT/SIGN_KEY are given), then checks
# them the way a user meets them:
#   1. without a certificate, `make package` refuses and writes no Windows file;
#   2. lintian (no errors) on both .deb, desktop-file-validate and
#      appstreamcli validate on the files the .deb installs;
#   3. dpkg -i both .deb; licdesk --version, licdesk-check --version and
#      licportal --version from PATH agree with FyneApp.toml and the
#      packages' versions; licdesk-check is static and answers as licdesk
#      check does; licportal's unit is
#      enabled and not started; the service (systemd where it runs, else its
#      ExecStart line by hand as its user) answers /v1/health; dpkg --purge
#      leaves nothing behind;
#   4. osslsigncode verify on licdesk.exe, licdesk-check.exe and the installer;
#   5. under wine (a throwaway prefix): licdesk.exe --version; the keyring
#      fallback note at login when the Credential Manager fails; licdesk.exe
#      check PRODUCT against the license file a test portal signed for that
#      (wine) machine, and licdesk-check.exe PRODUCT with the same answer; the
#      MSI installs (Program Files, Start menu, Apps & features)
#      and uninstalls cleanly.
set -euo pipefail
: "${VERSION:?}" "${DIST:?}"
MAKE=${MAKE:-make}
# lintian, man and dpkg are perl and C tools: a locale every Debian has.
export LC_ALL=C.UTF-8
if [ "$(id -u)" -ne 0 ]; then
  echo "make package-test installs and purges the .deb files system-wide: run it as root (sudo make package-test)" >&2
  exit 1
fi
T=$(mktemp -d /tmp/licdesk-pkgtest.XXXXXX)
pids=()
WINEPREFIX=""
installed=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # A failure half-way leaves nothing installed behind either.
  if [ -n "$installed" ]; then dpkg --purge licdesk licportal >/dev/null 2>&1 || true; fi
  if [ -n "$WINEPREFIX" ]; then WINEPREFIX=$WINEPREFIX /usr/lib/wine/wineserver -k 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# free_port: a TCP port nothing listens on now.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
# wait_health URL: polls until the portal answers, at most 15 s.
wait_health() {
  for _ in $(seq 150); do
    curl -fsS "$1/v1/health" >"$T/health.json" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# dpkg_retry ARGS: dpkg, waiting while another engineer's apt holds the lock.
dpkg_retry() {
  for _ in $(seq 60); do
    if dpkg "$@" >"$T/dpkg.log" 2>&1; then cat "$T/dpkg.log"; return 0; fi
    grep -q 'lock' "$T/dpkg.log" || { cat "$T/dpkg.log" >&2; return 1; }
    sleep 5
  done
  cat "$T/dpkg.log" >&2
  return 1
}

step "1. make package refuses to build unsigned Windows files"
if env -u SIGN_CERT -u SIGN_KEY "$MAKE" -s package DIST="$T/nodist" >"$T/nosign.log" 2>&1; then
  fail "make package without a certificate succeeded"
fi
grep -q "no code-signing certificate given" "$T/nosign.log" || { cat "$T/nosign.log"; fail "no clear message without a certificate"; }
[ ! -e "$T/nodist" ] || fail "make package without a certificate wrote $T/nodist"
ok "without SIGN_CERT/SIGN_KEY: $(grep -m1 'no code-signing' "$T/nosign.log")"

step "make package (signed)"
CA=${SIGN_CA:-}
if [ -z "${SIGN_CERT:-}" ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 2 -subj "/CN=License Desk package-test (throwaway)" \
    -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
    -keyout "$T/sign.key" -out "$T/sign.pem" 2>/dev/null
  export SIGN_CERT=$T/sign.pem SIGN_KEY=$T/sign.key
  CA=$T/sign.pem
  ok "throwaway certificate $(openssl x509 -in "$SIGN_CERT" -noout -fingerprint -sha256)"
fi
"$MAKE" package DIST="$DIST"
deb_desk=$DIST/licdesk_${VERSION}_amd64.deb
deb_portal=$DIST/licportal_${VERSION}_amd64.deb
for f in "$deb_desk" "$deb_portal" "$DIST/licdesk_${VERSION}_linux_amd64.tar.xz" "$DIST/licdesk.exe" "$DIST/licdesk-check.exe" \
  "$DIST/licdesk_${VERSION}_x64.msi" "$DIST/SHA256SUMS"; do
  [ -s "$f" ] || fail "missing $f"
done
(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match dist/"
ok "SHA256SUMS covers $(wc -l <"$DIST/SHA256SUMS") files"

step "2. lintian, desktop-file-validate, appstreamcli"
for d in "$deb_desk" "$deb_portal"; do
  lintian --fail-on error --no-tag-display-limit "$d" | tee "$T/lintian.log" || fail "lintian errors in $d"
  ok "lintian: $(basename "$d"): no errors ($(grep -c '^W:' "$T/lintian.log" || true) warnings)"
done
mkdir "$T/deb"
dpkg-deb -x "$deb_desk" "$T/deb"
desktop-file-validate "$T/deb/usr/share/applications/io.github.licdesk.licdesk.desktop" || fail "desktop-file-validate"
ok "desktop-file-validate"
appstreamcli validate --no-net "$T/deb/usr/share/metainfo/io.github.licdesk.licdesk.metainfo.xml" || fail "appstreamcli validate"
ok "appstreamcli validate --no-net"
[ "$(dpkg-deb -f "$deb_desk" Version)" = "$VERSION" ] || fail "licdesk.deb's version is not $VERSION"
[ "$(dpkg-deb -f "$deb_portal" Version)" = "$VERSION" ] || fail "licportal.deb's version is not $VERSION"
grep -q "<release version=\"$VERSION\"" "$T/deb/usr/share/metainfo/io.github.licdesk.licdesk.metainfo.xml" ||
  fail "the installed metainfo has no release $VERSION"

step "3. install, run and purge the .deb files"
for p in licdesk licportal; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
    fail "$p is installed on this machine already: not touching it"
  fi
done
installed=1
dpkg_retry -i "$deb_desk" "$deb_portal"
[ "$(command -v licdesk)" = /usr/bin/licdesk ] || fail "licdesk is not on PATH"
[ "$(command -v licportal)" = /usr/bin/licportal ] || fail "licportal is not on PATH"
v=$(licdesk --version); echo "$v"
[[ $v == "licdesk $VERSION "* ]] || fail "licdesk --version says $v, not $VERSION"
v=$(licportal --version); echo "$v"
[[ $v == "licportal $VERSION "* ]] || fail "licportal --version says $v, not $VERSION"
v=$(licdesk-check --version); echo "$v"
[[ $v == "licdesk-check $VERSION "* ]] || fail "licdesk-check --version says $v, not $VERSION"
file -L /usr/bin/licdesk-check 2>/dev/null | grep -q 'statically linked' ||
  { readelf -l /usr/bin/licdesk-check | grep -q INTERP && fail "licdesk-check is not static"; }
# The same answer as licdesk check, in a fresh profile (nothing activated).
H=$T/check-home
for fmt in "" --json; do
  set +e
  LICDESK_HOME=$H licdesk check "No Such Product" $fmt >"$T/big.out" 2>"$T/big.err"; big=$?
  LICDESK_HOME=$H licdesk-check "No Such Product" $fmt >"$T/small.out" 2>"$T/small.err"; small=$?
  set -e
  [ "$big" = 1 ] && [ "$small" = 1 ] || fail "licdesk check exits $big, licdesk-check $small (want 1 and 1)"
  cmp -s "$T/big.out" "$T/small.out" || { diff "$T/big.out" "$T/small.out"; fail "licdesk-check $fmt prints otherwise than licdesk check"; }
  [ "$(sed 's/^licdesk check: //' "$T/big.err")" = "$(sed 's/^licdesk-check: //' "$T/small.err")" ] ||
    fail "licdesk-check's failure lines differ from licdesk check's"
done
ok "licdesk-check $VERSION, static: the same output and exit code as licdesk check ($(cat "$T/small.err"))"
man -w licdesk >/dev/null && man -w licportal >/dev/null && man -w licdesk-check >/dev/null || fail "no man page"
MANWIDTH=80 man licdesk 2>/dev/null | grep -q 'licdesk check PRODUCT' || fail "the man page lacks the subcommands"
ok "licdesk and licportal $VERSION on PATH, with man pages"

getent passwd licportal >/dev/null || fail "no licportal user"
[ "$(stat -c %U:%a /var/lib/licportal)" = licportal:750 ] || fail "/var/lib/licportal is $(stat -c %U:%a /var/lib/licportal)"
[ "$(stat -c %U:%G:%a /etc/licportal/licportal.conf)" = root:licportal:640 ] || fail "/etc/licportal/licportal.conf permissions"
[ "$(stat -c %U:%G:%a /etc/licportal/portal.key)" = licportal:licportal:600 ] || fail "/etc/licportal/portal.key is missing or readable by others"
[ -L /etc/systemd/system/multi-user.target.wants/licportal.service ] || fail "licportal.service is not enabled"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/licportal.service || fail "systemd-analyze verify licportal.service"
fi
pgrep -u licportal >/dev/null && fail "licportal was started by the installation"
ok "licportal: own user, /var/lib/licportal 0750, config 0640, unit enabled and not started"

# A free port in the packaged configuration (this is also the way an
# administrator changes it).
port=$(free_port)
sed -i "s/^LICPORTAL_LISTEN=.*/LICPORTAL_LISTEN=127.0.0.1:$port/" /etc/licportal/licportal.conf
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl start licportal
  wait_health "http://127.0.0.1:$port" || { journalctl -u licportal --no-pager | tail -20; fail "licportal.service does not answer"; }
  pid=$(systemctl show -p MainPID --value licportal)
  ok "systemctl start licportal: /v1/health answers $(cat "$T/health.json") (PID $pid)"
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  systemctl stop licportal || true
else
  # No systemd here: the unit's ExecStart line by hand, with its environment,
  # user and working directory.
  exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/licportal.service)
  envs=$(sed -n 's/^Environment=//p' /lib/systemd/system/licportal.service)
  echo "no systemd: running as licportal: $exec_start"
  (
    cd /var/lib/licportal
    set -a
    # shellcheck disable=SC1091
    . /etc/licportal/licportal.conf
    eval "export $envs"
    set +a
    # $exec_start's ${VAR}s are systemd's and bash's syntax alike.
    eval "exec setpriv --reuid=licportal --regid=licportal --init-groups --no-new-privs $exec_start"
  ) >"$T/portal.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_health "http://127.0.0.1:$port" || { cat "$T/portal.log"; fail "licportal (by hand) does not answer"; }
  [ "$(stat -c %U /proc/$pid)" = licportal ] || fail "licportal does not run as its user"
  ok "ExecStart by hand as user licportal: /v1/health answers $(cat "$T/health.json") (PID $pid)"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
fi
kill -0 "$pid" 2>/dev/null && fail "licportal (PID $pid) did not stop"
[ -s /var/lib/licportal/portal.db ] || fail "the service kept no database in /var/lib/licportal"
ok "stopped PID $pid; its database is /var/lib/licportal/portal.db"

dpkg_retry --purge licdesk licportal
installed=""
for f in /usr/bin/licdesk /usr/bin/licdesk-check /usr/bin/licportal /var/lib/licportal /etc/licportal \
  /lib/systemd/system/licportal.service /etc/systemd/system/multi-user.target.wants/licportal.service \
  /usr/share/applications/io.github.licdesk.licdesk.desktop; do
  [ ! -e "$f" ] || fail "$f is left after dpkg --purge"
done
getent passwd licportal >/dev/null && fail "the licportal user is left after dpkg --purge"
ok "dpkg --purge: no file, folder, unit link or user left"

step "4. osslsigncode verify"
verify=(osslsigncode verify)
[ -n "$CA" ] && verify+=(-CAfile "$CA")
for f in "$DIST/licdesk.exe" "$DIST/licdesk-check.exe" "$DIST/licdesk_${VERSION}_x64.msi"; do
  "${verify[@]}" -in "$f" >"$T/verify.log" 2>&1 || { cat "$T/verify.log"; fail "osslsigncode verify $f"; }
  grep -q 'Signature verification: ok' "$T/verify.log" || { cat "$T/verify.log"; fail "$f: signature not verified"; }
  ok "$(basename "$f"): $(grep -m1 'Subject:' "$T/verify.log" | sed 's/^[[:space:]]*//'), signature verification ok"
done

step "5. under wine"
export WINEPREFIX=$T/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset DISPLAY
WINE=/usr/lib/wine/wine64 # Debian's wine64 package; /usr/bin/wine comes with "wine"
timeout 300 "$WINE" wineboot -i >/dev/null 2>&1 || fail "wineboot"
# Go programs load bcryptprimitives.dll (ProcessPrng), which Debian 12's
# wine lacks: a stand-in built here, into this throwaway prefix only.
cat >"$T/prng.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len); /* RtlGenRandom */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n; len -= n;
  }
  return TRUE;
}
C
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" "$T/prng.c" -ladvapi32
cp "$DIST/licdesk.exe" "$T/licdesk.exe"
wdesk() { timeout 120 "$WINE" "$T/licdesk.exe" "$@"; }
v=$(wdesk --version | tr -d '\r'); echo "$v"
[[ $v == "licdesk $VERSION "* ]] || fail "licdesk.exe --version says '$v'"
ok "licdesk.exe --version"

# A test portal with the demo data (licportal from the .deb).
mkdir "$T/portalbin"
dpkg-deb -x "$deb_portal" "$T/portalbin"
P=$T/portalbin/usr/bin/licportal
export LICPORTAL_KEY_FILE=$T/portal.key
$P keys init >/dev/null
$P seed --db "sqlite:$T/portal.db" --mail-dir "$T/mail" --files-dir "$T/files" --demo >/dev/null
port=$(free_port)
$P serve --db "sqlite:$T/portal.db" --mail-dir "$T/mail" --files-dir "$T/files" --listen "127.0.0.1:$port" 2>"$T/testportal.log" &
pids+=($!)
wait_health "http://127.0.0.1:$port" || fail "the test portal does not answer"

# login PROFILE: logs ana in from wine into the profile, output in $T/login.log.
login() {
  echo demo-password | LICDESK_HOME=$1 wdesk login --portal "http://127.0.0.1:$port" \
    --email ana@acme.example --password-stdin 2>&1 | tr -d '\r' | tee "$T/login.log"
  grep -q '^logged in as ana@acme.example' "$T/login.log" || fail "login under wine"
}
# Wine's Credential Manager (advapi32 CredWrite, what go-keyring uses on
# Windows) works: the token goes there.
login 'C:\licdesk-keyring'
LICDESK_HOME='C:\licdesk-keyring' wdesk status | tr -d '\r' | grep -q '^session: *token in the system keyring' ||
  fail "the token is not in wine's Credential Manager"
ok "login under wine: the token is in the Credential Manager"
# A broken credential store (its encryption key of the wrong registry type,
# which makes every CredWrite fail) must send the token to the profile's
# file, saying so.
timeout 60 "$WINE" reg add 'HKCU\Software\Wine\Credential Manager' /v EncryptionKey /t REG_SZ /d broken /f >/dev/null
export LICDESK_HOME='C:\licdesk-profile'
login "$LICDESK_HOME"
grep -q 'no system keyring answered.*the session token is kept in C:.licdesk-profile.secrets.json, readable by you only' "$T/login.log" ||
  fail "no keyring fallback message at login under wine"
ok "keyring fallback: $(grep 'no system keyring' "$T/login.log")"

# The simplest real path to a license file: logged in (above), claim the
# demo's unregistered serial, activate its key online on this (wine)
# machine, then check it locally.
key=$(wdesk keys get --serial 1ZKW-B8W1-ED8B --company "Package Test" --person "Package Test" \
  --address "1 Test Street" --country BR --yes --json | tr -d '\r' | sed -n 's/.*"key": "\(LIC-[^"]*\)".*/\1/p' | head -1)
[ -n "$key" ] || fail "no key for the demo serial"
wdesk activate "$key" | tr -d '\r'
wdesk check "MyQ Print Server" | tr -d '\r' | tee "$T/check.log"
grep -q '^valid: MyQ Print Server' "$T/check.log" || fail "licdesk.exe check under wine"
ok "licdesk.exe check \"MyQ Print Server\" exits 0 against the license file the test portal signed"
cp "$DIST/licdesk-check.exe" "$T/licdesk-check.exe"
timeout 120 "$WINE" "$T/licdesk-check.exe" "MyQ Print Server" | tr -d '\r' >"$T/check-small.log" ||
  fail "licdesk-check.exe \"MyQ Print Server\" under wine"
cmp -s <(grep -v warning "$T/check.log") "$T/check-small.log" || { cat "$T/check-small.log"; fail "licdesk-check.exe answers otherwise than licdesk.exe check"; }
ok "licdesk-check.exe \"MyQ Print Server\": $(cat "$T/check-small.log")"
if wdesk check "No Such Product" >/dev/null 2>&1; then fail "check of an unlicensed product succeeded"; fi
ok "licdesk.exe check of an unlicensed product exits non-zero"

# The installer: a silent install puts licdesk.exe under Program Files, the
# two Start menu entries (wine files them in the user's menu even for a
# per-machine install), App Paths and the Apps & features entry; the
# uninstall takes them all away again.
cp "$DIST/licdesk_${VERSION}_x64.msi" "$T/licdesk.msi"
msi="Z:${T//\//\\}\\licdesk.msi"
timeout 300 "$WINE" msiexec /i "$msi" /qn || fail "msiexec /i"
pf="$WINEPREFIX/drive_c/Program Files/License Desk/licdesk.exe"
[ -f "$pf" ] || fail "the installer put no licdesk.exe under Program Files"
[ -f "$WINEPREFIX/drive_c/Program Files/License Desk/licdesk-check.exe" ] || fail "the installer put no licdesk-check.exe under Program Files"
v=$(timeout 120 "$WINE" "$pf" --version | tr -d '\r')
[[ $v == "licdesk $VERSION "* ]] || fail "the installed licdesk.exe --version says '$v'"
for lnk in "License Desk.lnk" "Uninstall License Desk.lnk"; do
  find "$WINEPREFIX/drive_c" -path "*Start Menu/Programs/License Desk/$lnk" | grep -q . || fail "no Start menu entry $lnk"
done
timeout 60 "$WINE" reg query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s | tr -d '\r' >"$T/arp.txt"
grep -q "DisplayVersion *REG_SZ *$VERSION" "$T/arp.txt" && grep -q 'DisplayName *REG_SZ *License Desk' "$T/arp.txt" ||
  fail "no Apps & features entry for License Desk $VERSION"
ok "msiexec /i: Program Files\\License Desk\\licdesk.exe ($v), Start menu entries, Apps & features entry"
timeout 300 "$WINE" msiexec /x "$msi" /qn || fail "msiexec /x"
[ -z "$(find "$WINEPREFIX/drive_c" -iname '*license desk*')" ] || fail "msiexec /x left files behind"
if timeout 60 "$WINE" reg query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\licdesk.exe' >/dev/null 2>&1; then
  fail "msiexec /x left the App Paths key"
fi
ok "msiexec /x: no file, Start menu entry or registry key left"

printf '\npackage-test: all checks passed (%s)\n' "$(ls "$DIST" | tr '\n' ' ')"
