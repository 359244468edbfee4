#!/usr/bin/env bash
# Takes screenshots of the real window under Xvfb: every tab of the demo
# (licdesk --demo, tabs picked with the window's own Ctrl+1..5 shortcuts),
# the sign-in screen (an empty profile) and the offline state (a profile
# synced from a licportal that is then stopped). Writes PNGs into $OUT, and
# the demo's tabs (at the default size and at 800x600) and the sign-in screen
# again in each other language into $OUT/<lang>/ (LANGS, default
# "pt-BR es fr"): the window follows the system's LANG.
set -euo pipefail
BIN=${BIN:-bin}
OUT=${OUT:-screenshots}
DISP=${SCREENSHOT_DISPLAY:-:99}
export LANG=en_US.UTF-8 LICDESK_SECRETS=file

scripts/install-deps.sh xvfb xauth imagemagick xdotool dbus x11-utils x11-xserver-utils curl
mkdir -p "$OUT"
D=$(mktemp -d /tmp/licdesk-shots.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$D"
}
trap cleanup EXIT

Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp >"$D/xvfb.log" 2>&1 &
XVFB=$!
pids+=("$XVFB")
export DISPLAY=$DISP
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# window_up waits until a License Desk window is mapped and focuses it.
window_up() {
  local id=""
  for _ in $(seq 150); do
    id=$(xdotool search --onlyvisible --name '^License Desk$' 2>/dev/null | head -1) && [ -n "$id" ] && break
    sleep 0.2
  done
  [ -n "$id" ] || { echo "no window appeared" >&2; return 1; }
  xdotool windowmove "$id" 0 0 windowsize "$id" "${SIZE_W:-1280}" "${SIZE_H:-800}" windowactivate --sync "$id" 2>/dev/null || true
  echo "$id"
}
# shot NAME [WAIT]: the License Desk window alone (no window manager, so the
# root window keeps stale pixels of earlier runs around it).
# (A GL window reads back black on its own, so crop the root to its geometry.)
shot() {
  sleep "${2:-1.5}"
  eval "$(xdotool getwindowgeometry --shell "$win")"
  import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$OUT/$1.png"
  echo "wrote $OUT/$1.png"
}

# run_app HOME ARGS...: starts licdesk on the display under its own session
# bus, with a fresh Fyne settings folder (Fyne keeps preferences such as the
# remembered tab and window size in $XDG_CONFIG_HOME/fyne), so that every
# capture opens as a first start does: on the first tab, at the default size.
run_app() {
  local home=$1; shift
  local cfg
  cfg=$(mktemp -d "$D/fyne-config.XXXXXX")
  rm -f "$D/app.pid"
  XDG_CONFIG_HOME=$cfg LICDESK_HOME=$home LANG=${APP_LANG:-en_US.UTF-8} dbus-run-session -- \
    sh -c 'echo $$ >"$0"; exec "$@"' "$D/app.pid" "$BIN/licdesk" "$@" >"$D/app.log" 2>&1 &
  APP=$!
  pids+=("$APP")
  for _ in $(seq 50); do [ -s "$D/app.pid" ] && break; sleep 0.1; done
  APP_PID=$(cat "$D/app.pid")
  pids+=("$APP_PID")
}
# stop_app ends licdesk (not only its session bus) and waits until its window
# is gone, so that the next capture never finds the old window or its pixels.
stop_app() {
  kill "$APP_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
  kill "$APP" 2>/dev/null || true; wait "$APP" 2>/dev/null || true
  for _ in $(seq 50); do
    [ -z "$(xdotool search --onlyvisible --name '^License Desk$' 2>/dev/null)" ] && break
    sleep 0.1
  done
  xsetroot -solid black 2>/dev/null || true # no window manager repaints the root
}

names=(1-active-solutions 2-assigned-to-you 3-keys 4-downloads 5-support-requests)
# LANGS_ONLY=1 takes only the other languages (section 4).
if [ -z "${LANGS_ONLY:-}" ]; then
# 1. The demo: one shot per tab.
run_app "$D/unused" --demo
win=$(window_up)
sleep 1.5 # the first sync round
for i in 1 2 3 4 5; do
  xdotool key --window "$win" "ctrl+$i"
  # Select the first row so the detail panes show something.
  shot "${names[$((i-1))]}"
done
stop_app

# 1b. The same tabs in the smallest window the app supports (800x600), and
# in the light theme, where nothing may be cut or overlap.
for variant in small light; do
  if [ "$variant" = small ]; then export SIZE_W=800 SIZE_H=600; else unset SIZE_W SIZE_H; export FYNE_THEME=light; fi
  run_app "$D/unused" --demo
  win=$(window_up)
  sleep 1.5
  for i in 1 2 3 4 5; do
    xdotool key --window "$win" "ctrl+$i"
    shot "$variant-${names[$((i-1))]}"
  done
  stop_app
  unset SIZE_W SIZE_H FYNE_THEME
done

# 2. The sign-in screen: a profile nobody logged in with.
run_app "$D/empty"
win=$(window_up)
shot 6-sign-in 2
stop_app

# 3. Offline: sync a profile from a real licportal, stop it, open the window.
# The signing keys are encrypted under a key file kept beside the throwaway database.
export LICPORTAL_KEY_FILE="$D/portal.key"
"$BIN/licportal" keys init >/dev/null
"$BIN/licportal" seed --db "sqlite:$D/portal.db" --mail-dir "$D/mail" --files-dir "$D/files" --demo >/dev/null
"$BIN/licportal" serve --db "sqlite:$D/portal.db" --mail-dir "$D/mail" --files-dir "$D/files" --listen 127.0.0.1:18471 >"$D/portal.log" 2>&1 &
PORTAL=$!
pids+=("$PORTAL")
for _ in $(seq 50); do curl -fsS http://127.0.0.1:18471/v1/health >/dev/null 2>&1 && break; sleep 0.1; done
LICDESK_HOME=$D/offline "$BIN/licdesk" login --portal http://127.0.0.1:18471 --email ana@acme.example --password-stdin <<<demo-password >/dev/null
kill "$PORTAL"; wait "$PORTAL" 2>/dev/null || true
LICDESK_HOME=$D/offline "$BIN/licdesk" seats assign --license "$(LICDESK_HOME=$D/offline "$BIN/licdesk" solutions --offline --json | python3 -c 'import json,sys; print([s for s in json.load(sys.stdin) if s["contract_number"]=="ACME-EB-2026"][0]["license_id"])')" --email offline@acme.example --offline >/dev/null
run_app "$D/offline"
win=$(window_up)
sleep 3
xdotool windowactivate --sync "$win" key ctrl+1 2>/dev/null || true
shot 7-offline 2
stop_app
fi

# 4. The other languages: the demo's tabs at the default size and at
# 800x600, and the sign-in screen, where longer words must not be cut.
for lang in ${LANGS:-pt-BR es fr}; do
  export APP_LANG="${lang/-/_}.UTF-8"
  base=$OUT
  OUT=$base/$lang
  mkdir -p "$OUT"
  for variant in default small; do
    if [ "$variant" = small ]; then export SIZE_W=800 SIZE_H=600; prefix=small-; else unset SIZE_W SIZE_H; prefix=; fi
    run_app "$D/unused" --demo
    win=$(window_up)
    sleep 1.5
    for i in 1 2 3 4 5; do
      xdotool key --window "$win" "ctrl+$i"
      shot "$prefix${names[$((i-1))]}"
    done
    stop_app
  done
  unset SIZE_W SIZE_H
  run_app "$D/empty-$lang"
  win=$(window_up)
  shot 6-sign-in 2
  stop_app
  OUT=$base
done
unset APP_LANG
