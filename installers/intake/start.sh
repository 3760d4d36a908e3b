#!/usr/bin/env bash
# The employer's upload endpoint for OneTake bundles (tus 1.0, the official Node server).
#   installers/intake/start.sh --dir DIR --port PORT [--host HOST] [--token T] [--max-size BYTES]
#   installers/intake/start.sh --install-only      (install the packages, start nothing)
# Installs its pinned npm packages (package-lock.json) on first use. Needs Node.js >= 16 and npm
# (Debian: apt-get install nodejs npm).
set -euo pipefail
umask 077  # uploads and their metadata readable by this user only
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "intake: Node.js and npm are needed (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
if [ ! -f "$here/node_modules/.onetake-installed" ]; then
  # One install at a time (two servers started together must not race on node_modules).
  exec 9>"$here/.install.lock"
  flock 9
  if [ ! -f "$here/node_modules/.onetake-installed" ]; then
    echo "intake: installing the pinned tus server packages (first use)..." >&2
    (cd "$here" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
    touch "$here/node_modules/.onetake-installed"
  fi
  exec 9>&-
fi
if [ "${1:-}" = "--install-only" ]; then
  exit 0
fi
exec node "$here/server.js" "$@"
