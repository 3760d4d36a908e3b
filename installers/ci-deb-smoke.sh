#!/usr/bin/env bash
# Smoke test of OneTake's Debian package on a clean system (CI runs it; root needed).
#
#  1. builds dist/onetake-desktop_<version>_<arch>.deb (installers/build-deb.sh, zstd);
#  2. copies a bare Debian 12 root (debootstrap --variant=minbase, made once and kept in
#     $ONETAKE_CI_CACHE) and installs the .deb there with apt, without recommends: only what
#     the package declares comes in;
#  3. inside that root, as an ordinary user: `onetake --version`; every Qt platform plugin and
#     the media libraries find their system libraries; a synthetic take is recorded; the demo
#     kit is taken headless into a bundle and that bundle imported (`onetake library import`);
#     the app is started offscreen on the demo kit and on the bundle, as the desktop entry
#     starts it, and its output and log must hold no import error or traceback; `xdg-mime`
#     names the types of a kit and a bundle and OneTake as their application; `apt remove`
#     says where the user's data is and leaves it;
#  4. prints the figures: build time, .deb size, installed size, cold start.
#
# ONETAKE_DEB=FILE skips the build; KEEP_ROOT=1 leaves the root in place for a look (its path
# is printed; `installers/ci-deb-smoke.sh` removes old ones on its next run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "ci-deb-smoke.sh needs root (debootstrap, chroot, mount)" >&2; exit 1; }
CACHE=${ONETAKE_CI_CACHE:-/var/cache/onetake-ci}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export DPKG_DEB_COMPRESSOR_TYPE=${DPKG_DEB_COMPRESSOR_TYPE:-zstd}
started=$(date +%s)
say() { echo "--- $* ($(( $(date +%s) - started )) s)"; }
fail() { echo "ci-deb-smoke: FAIL: $*" >&2; exit 1; }

# --- 1. the package -------------------------------------------------------------------------
version=$(/usr/bin/python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
arch=$(dpkg --print-architecture)
if [ -n "${ONETAKE_DEB:-}" ]; then
  deb=$ONETAKE_DEB; build_s="(not built here)"
else
  say "build the .deb"
  t=$(date +%s)
  bash installers/build-deb.sh
  build_s="$(( $(date +%s) - t )) s"
  deb=dist/onetake-desktop_${version}_${arch}.deb
fi
[ -f "$deb" ] || fail "no package at $deb"

# --- 2. a clean Debian 12 root --------------------------------------------------------------
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
base=$CACHE/bookworm-minbase
if [ ! -f "$base.done" ]; then
  say "debootstrap a minimal Debian 12 (once; kept in $CACHE)"
  rm -rf "$base" "$base.tmp"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase bookworm "$base.tmp" "$MIRROR" >/dev/null
  mv "$base.tmp" "$base"
  touch "$base.done"
fi
unmount_under() {  # every mount inside $1, deepest first (never delete through a bind mount)
  awk -v r="$1/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m"
  done
}
for old in /var/tmp/onetake-smoke.*; do  # roots kept by an earlier KEEP_ROOT=1 run
  [ -d "$old" ] || continue
  unmount_under "$old"; rm -rf --one-file-system "$old"
done
root=$(mktemp -d /var/tmp/onetake-smoke.XXXXXX)
cleanup() {
  unmount_under "$root"
  if [ "${KEEP_ROOT:-0}" = 1 ]; then echo "root kept: $root"; else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
say "copy the clean root"
cp -a "$base/." "$root/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"  # apt logs through a pseudo-terminal
# Downloaded packages are kept between runs; the root itself is new every time.
mkdir -p "$CACHE/apt-archives/partial"
mount --bind "$CACHE/apt-archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
echo "deb $MIRROR bookworm main" >"$root/etc/apt/sources.list"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/99keep"

as_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }

say "install the .deb with apt (no recommends: only what it declares)"
cp "$deb" "$root/tmp/onetake.deb"
as_root apt-get update -q >/dev/null
before=$(as_root dpkg-query -W -f='.\n' | wc -l)
as_root apt-get install -y -q --no-install-recommends /tmp/onetake.deb >"$root/tmp/apt.log" 2>&1 \
  || { tail -30 "$root/tmp/apt.log"; fail "apt could not install the package"; }
pulled=$(( $(as_root dpkg-query -W -f='.\n' | wc -l) - before ))
installed_kib=$(as_root dpkg-query -W -f='${Installed-Size}' onetake-desktop)
tree_mb=$(du -sm "$root/usr/lib/onetake_desktop" | cut -f1)
as_root useradd -m smoke
uid=$(as_root id -u smoke)
lib=/usr/lib/onetake_desktop
kit=$lib/app/onetake_desktop/resources/kits/demo.onetakekit

# Run a command in the root as the user "smoke", with an empty environment but what we pass.
as_user() { chroot --userspec="$uid:$uid" "$root" env -i HOME=/home/smoke USER=smoke \
  PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
# Nothing an installed app prints may look like this.
BAD='Traceback|Error|error:|ModuleNotFound|cannot open shared object|not found|Could not load|Aborted|core dumped'

say "onetake --version"
out=$(as_user timeout 60 onetake --version) || fail "onetake --version exited $?"
echo "$out"
for fact in "OneTake $version" "LGPL-3.0" "x264" "GPL-2.0-or-later" "/home/smoke/.local/share/OneTake" \
  "/home/smoke/.local/state/OneTake/log"; do
  grep -qF "$fact" <<<"$out" || fail "--version does not say '$fact'"
done
[ -x "$root/usr/bin/onetake-desktop" ] || fail "onetake-desktop is not on the PATH"

say "every library the Qt modules the app uses, their plugins and the media modules load is there"
missing=$(as_root bash -c "ldd $lib/app_packages/PySide6/Qt/plugins/platforms/*.so \
  $lib/app_packages/PySide6/Qt/plugins/xcbglintegrations/*.so \
  $lib/app_packages/PySide6/Qt/plugins/wayland-*/*.so \
  $lib/app_packages/PySide6/Qt/plugins/multimedia/*.so \
  $lib/app_packages/PySide6/Qt/lib/libQt6WaylandClient.so.6 \
  $lib/app_packages/PySide6/Qt{Core,Gui,Widgets,Multimedia,MultimediaWidgets,Charts}.abi3.so \
  $lib/app_packages/av/*.so $lib/app_packages/cv2/*.so \
  2>&1 | grep -B50 'not found' | grep -E '^/|not found'" || true)
[ -z "$missing" ] || { echo "$missing"; fail "a bundled library misses a system library"; }
as_user env PYTHONPATH=$lib/app:$lib/app_packages python3.11 -s -c \
  'import PySide6.QtWidgets, PySide6.QtMultimedia, av, cv2, numpy, sounddevice, soundfile, pyrage, cryptography' \
  || fail "a bundled Python package does not import"

say "a synthetic take"
# Each command has a time limit: a hang fails the smoke test instead of stalling CI.
as_user timeout 120 onetake record --camera synthetic --mic synthetic --seconds 2 /home/smoke/take.mkv \
  || fail "onetake record exited $?"
[ -s "$root/home/smoke/take.mkv" ] || fail "no take was written"

say "the demo kit taken headless into a bundle, imported with onetake library import"
as_user timeout 300 onetake candidate "$kit" --headless --camera synthetic --mic synthetic \
  --name "Smoke Test" --email smoke@example.invalid --answer-seconds 2 --out /home/smoke/smoke.onetake \
  >/dev/null || fail "the headless interview exited $?"
as_user timeout 120 onetake library import /home/smoke/smoke.onetake || fail "library import exited $?"
as_user onetake library list | grep -q "smoke@example.invalid\|Smoke Test" \
  || fail "the imported bundle is not in the library"

# The desktop entry runs `onetake-desktop FILE`: started offscreen it must keep running (timeout
# ends it: exit 124) and say nothing alarming. A fresh ONETAKE_HOME: the bundle is imported anew.
gui() {  # gui NAME FILE
  local code=0 home=/home/smoke/gui-$1
  as_user env QT_QPA_PLATFORM=offscreen ONETAKE_HOME=$home timeout 8 onetake-desktop "$2" \
    >"$root/tmp/gui-$1.out" 2>&1 || code=$?
  [ "$code" = 124 ] || { cat "$root/tmp/gui-$1.out"; fail "onetake-desktop on $1 ended early (exit $code)"; }
  if grep -E "$BAD" "$root/tmp/gui-$1.out" "$root$home/logs/onetake.log"; then
    fail "onetake-desktop on $1 reported an error"
  fi
}
say "the app offscreen on the demo kit (candidate mode)"
gui kit "$kit"
say "the app offscreen on the bundle (reviewer mode, importing it)"
gui bundle /home/smoke/smoke.onetake
ls "$root/home/smoke/gui-bundle/data/library/" | grep -q . || fail "reviewer mode did not import the bundle"

say "file types and their application"
# A desktop session brings its MIME tool and desktop database; a bare root has neither, so add
# GNOME's (gio) and build the database as the desktop would.
as_root apt-get install -y -q --no-install-recommends libglib2.0-bin desktop-file-utils >/dev/null
as_root update-desktop-database -q /usr/share/applications
cp "$root$kit" "$root/home/smoke/demo.onetakekit"
echo "age-encryption.org/v1" >"$root/home/smoke/sealed.onetake.age"
chroot "$root" chown smoke:smoke /home/smoke/demo.onetakekit /home/smoke/sealed.onetake.age
for pair in demo.onetakekit:application/x-onetake-kit smoke.onetake:application/x-onetake-bundle \
  sealed.onetake.age:application/x-onetake-bundle-encrypted; do
  file=${pair%%:*} want=${pair#*:}
  got=$(as_user env XDG_CURRENT_DESKTOP=GNOME xdg-mime query filetype "/home/smoke/$file")
  echo "$file: $got"
  [ "$got" = "$want" ] || fail "xdg-mime says $file is '$got', not $want"
  app=$(as_user env XDG_CURRENT_DESKTOP=GNOME xdg-mime query default "$want")
  [ "$app" = onetake-desktop.desktop ] || fail "$want opens with '$app', not OneTake"
done

say "cold start: process start to the start window shown"
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && cache="page cache dropped" || cache="page cache kept (no rights to drop it)"
t0=$(date +%s.%N)
shown=$(as_user env QT_QPA_PLATFORM=offscreen PYTHONPATH=$lib/app:$lib/app_packages python3.11 -s -c '
import time
from PySide6.QtCore import QTimer
from onetake_desktop.cli import GuiRequest
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.application import ensure_application, open_window
app = ensure_application()
window = open_window(GuiRequest("start"), AppContext.from_environment())
window.show()
QTimer.singleShot(0, lambda: (print(time.time()), app.quit()))
app.exec()')
cold=$(python3 -c "print(f'{$shown - $t0:.2f}')")
t0=$(date +%s.%N); as_user onetake --version >/dev/null
version_s=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")

say "removing the package leaves the user's data and says where it is"
ls "$root/home/smoke/.local/share/OneTake/library/" | grep -q . || fail "no library to keep"
as_root apt-get remove -y -q onetake-desktop >"$root/tmp/remove.log" 2>&1 || fail "apt remove failed"
grep -q "~/.local/share/OneTake" "$root/tmp/remove.log" || { cat "$root/tmp/remove.log"; fail "removal did not say where the data is"; }
ls "$root/home/smoke/.local/share/OneTake/library/" | grep -q . || fail "removal touched the user's library"
[ ! -e "$root/usr/bin/onetake" ] || fail "onetake is still on the PATH after removal"

say "figures"
cat <<EOF
build time:         $build_s ($DPKG_DEB_COMPRESSOR_TYPE)
.deb size:          $(du -m "$deb" | cut -f1) MB ($deb)
installed size:     $(( installed_kib / 1024 )) MB (dpkg Installed-Size; /usr/lib/onetake_desktop $tree_mb MB)
packages apt added: $pulled to a minbase Debian 12
cold start:         $cold s to the start window ($cache); onetake --version $version_s s
smoke test:         $(( $(date +%s) - started )) s in all
EOF
echo "ci-deb-smoke: OK"
