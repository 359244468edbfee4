#!/usr/bin/env bash
# Measures process start to first frame of the window over the cache of
# `licportal seed --scale 10000`, against a bare Fyne window in the same run,
# under Xvfb; then the window's resident memory with that cache open.
set -euo pipefail
scripts/install-deps.sh xvfb xauth dbus
D=$(mktemp -d /tmp/licdesk-startbench.XXXXXX)
XPID=""; PORTAL=""
cleanup() {
  [ -n "$PORTAL" ] && kill "$PORTAL" 2>/dev/null || true
  [ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
go build -o "$D/" . ./cmd/licportal ./ui/internal/startbench
# The signing keys are encrypted under a key file kept beside the throwaway database.
export LICPORTAL_KEY_FILE="$D/portal.key"
"$D/licportal" keys init >/dev/null
"$D/licportal" seed --db "sqlite:$D/p.db" --mail-dir "$D/mail" --files-dir "$D/files" --scale 10000 >/dev/null
"$D/licportal" serve --db "sqlite:$D/p.db" --mail-dir "$D/mail" --files-dir "$D/files" --listen 127.0.0.1:18479 2>/dev/null &
PORTAL=$!
sleep 1
export LICDESK_HOME="$D/profile" LICDESK_SECRETS=file XDG_CONFIG_HOME="$D/xdg" LANG=en_US.UTF-8
echo demo-password | "$D/licdesk" login --portal http://127.0.0.1:18479 --email scale@scale.example --password-stdin >/dev/null
kill "$PORTAL"; PORTAL=""
Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 &
XPID=$!
sleep 1
export DISPLAY=:97
dbus-run-session -- "$D/startbench" -profile "$LICDESK_HOME" -runs 7 2>/dev/null
dbus-run-session -- "$D/licdesk" >/dev/null 2>&1 &
sleep 10
W=$(pgrep -n -f "^$D/licdesk$")
echo "resident memory with the 100k-seat cache open: $(awk '/VmRSS/ {print $2, $3}' /proc/$W/status)"
kill "$W"
while kill -0 "$W" 2>/dev/null; do sleep 0.1; done
