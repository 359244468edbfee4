#!/usr/bin/env bash
# Starts licportal on loopback with fresh demo data, prints the demo logins
# and waits until Ctrl+C. Everything lives in a throwaway folder.
set -euo pipefail
BIN=${BIN:-bin}
ADDR=${DEMO_ADDR:-127.0.0.1:8470}
D=$(mktemp -d /tmp/licdesk-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT

# The signing keys are encrypted under a key file kept beside the throwaway database.
export LICPORTAL_KEY_FILE="$D/portal.key"
"$BIN/licportal" keys init >/dev/null
"$BIN/licportal" seed --db "sqlite:$D/portal.db" --mail-dir "$D/mail" --files-dir "$D/files" --demo
cat <<MSG

The demo portal runs at http://$ADDR (Ctrl+C stops it; its data is thrown away).
E-mails it sends are written to $D/mail.
Try, in another terminal:
  export LICDESK_HOME=\$(mktemp -d)
  echo demo-password | $BIN/licdesk login --portal http://$ADDR --email ana@acme.example --password-stdin
  $BIN/licdesk solutions

MSG
# Not exec: the trap must remove the folder when the portal stops.
"$BIN/licportal" serve --db "sqlite:$D/portal.db" --mail-dir "$D/mail" --files-dir "$D/files" --listen "$ADDR" || true
