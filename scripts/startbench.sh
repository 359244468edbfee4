#!/usr/bin/env bash
# Measures the window under Xvfb, each figure against its baseline in the
# same run, alternated (ui/internal/startbench): process start to first
# frame over the cache of `licportal seed --scale 10000` (10k licenses,
# 100k seats) against a bare Fyne window; then the window's resident memory
# with that cache loaded against the same window over the cache of
# `licportal seed --scale 1` (one license of 10 seats). Both profiles are
# synced first, then opened with their portal stopped. RUNS sets the pairs
# (default 7).
set -euo pipefail
scripts/install-deps.sh xvfb xauth dbus
RUNS=${RUNS:-7}
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
export LICDESK_SECRETS=file XDG_CONFIG_HOME="$D/xdg" LANG=en_US.UTF-8

# profile SCALE DIR: a profile synced from a portal seeded with SCALE licenses.
profile() {
  local port
  port=$((20000 + RANDOM % 20000))
  "$D/licportal" seed --db "sqlite:$D/p$1.db" --mail-dir "$D/mail$1" --files-dir "$D/files$1" --scale "$1" >/dev/null
  "$D/licportal" serve --db "sqlite:$D/p$1.db" --mail-dir "$D/mail$1" --files-dir "$D/files$1" --listen "127.0.0.1:$port" 2>/dev/null &
  PORTAL=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  echo demo-password | LICDESK_HOME=$2 "$D/licdesk" login --portal "http://127.0.0.1:$port" \
    --email scale@scale.example --password-stdin >/dev/null 2>&1
  kill "$PORTAL"; wait "$PORTAL" 2>/dev/null || true; PORTAL=""
}
profile 10000 "$D/profile"
profile 1 "$D/empty"

# A display nobody uses (other sessions may run their own Xvfb).
n=97
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 >/dev/null 2>&1 &
XPID=$!
sleep 1
export DISPLAY=":$n"
dbus-run-session -- "$D/startbench" -profile "$D/profile" -empty "$D/empty" -runs "$RUNS" 2>/dev/null
