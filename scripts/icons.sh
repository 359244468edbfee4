#!/usr/bin/env bash
# Renders the application icon (assets/icon.png, 512x512) at the sizes the
# platforms ask for:
#   scripts/icons.sh png DIR NAME   DIR/<N>x<N>/apps/NAME.png for the hicolor theme
#   scripts/icons.sh ico FILE       a Windows .ico holding 16 to 256 pixels
set -euo pipefail
SRC=${ICON_SRC:-assets/icon.png}
case $1 in
png)
  for n in 16 22 24 32 48 64 128 256 512; do
    install -d -m 0755 "$2/${n}x${n}/apps"
    convert "$SRC" -strip -resize "${n}x${n}" "PNG32:$2/${n}x${n}/apps/$3.png"
    chmod 0644 "$2/${n}x${n}/apps/$3.png"
  done
  ;;
ico)
  convert "$SRC" -strip -define icon:auto-resize=256,64,48,40,32,24,20,16 "$2"
  ;;
*)
  echo "usage: $0 png DIR NAME | ico FILE" >&2
  exit 2
  ;;
esac
