#!/usr/bin/env bash
# Register OneTake's desktop entry, icon and file types for the current user (no root needed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
install -Dm644 "$here/onetake-desktop.desktop" "$data/applications/onetake-desktop.desktop"
install -Dm644 "$here/onetake-mime.xml" "$data/mime/packages/onetake-desktop.xml"
for s in 16 32 48 64 128 256 512; do
  install -Dm644 "$repo/resources/icons/onetake-$s.png" "$data/icons/hicolor/${s}x${s}/apps/onetake-desktop.png"
done
install -Dm644 "$repo/resources/icons/onetake.svg" "$data/icons/hicolor/scalable/apps/onetake-desktop.svg"
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "OneTake registered for $USER: .onetakekit and .onetake files open with it."
