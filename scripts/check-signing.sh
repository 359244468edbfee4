#!/usr/bin/env bash
# Refuses, in one clear message, to build Windows files when no signing
# certificate was given: an unsigned installer must never pass for a release.
set -euo pipefail
if [ -z "${SIGN_CERT:-}" ] || [ -z "${SIGN_KEY:-}" ]; then
  cat >&2 <<'MSG'
make package: no code-signing certificate given, so no Windows files are built
(licdesk.exe and the installer are only ever produced Authenticode-signed).
Give the certificate and its private key as files:
  make package SIGN_CERT=codesign.pem SIGN_KEY=codesign.key [SIGN_PASS_FILE=pass.txt]
`make package-test` makes a throwaway self-signed certificate itself.
MSG
  exit 1
fi
for f in "$SIGN_CERT" "$SIGN_KEY"; do
  [ -r "$f" ] || { echo "make package: cannot read the signing file $f" >&2; exit 1; }
done
