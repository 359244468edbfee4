#!/usr/bin/env bash
# Fails listing the Go files that gofmt would change.
set -euo pipefail
out=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go'))
if [ -n "$out" ]; then
  echo "gofmt would change:" >&2
  echo "$out" >&2
  exit 1
fi
