#!/usr/bin/env bash
# Build OneTake's Debian 12 package with Briefcase, offline, and leave
#   dist/onetake-desktop_<version>_<arch>.deb
# Briefcase runs from installers/.briefcase-venv, made from the system Python (/usr/bin/python3:
# Briefcase refuses to build a `linux system` package on any other). It uses our own app
# template (installers/briefcase-template), so nothing is fetched but Python packages.
#
# DPKG_DEB_COMPRESSOR_TYPE picks the compression: zstd by default (~10 s, larger file); xz for
# the smallest download (several minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export DPKG_DEB_COMPRESSOR_TYPE=${DPKG_DEB_COMPRESSOR_TYPE:-zstd}
BRIEFCASE_VERSION=0.4.7
venv=installers/.briefcase-venv
started=$(date +%s)

# Briefcase checks that the build machine has what it needs to build (build-essential,
# python3-dev) and what the package will depend on (to run it here too); we also need the
# system Python's venv module and zstd.
need=()
for package in build-essential python3-dev python3-venv zstd \
  $(/usr/bin/python3 installers/briefcase.py debian-requires); do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-deb.sh needs: ${need[*]} (sudo apt-get install ${need[*]})" >&2; exit 1
  fi
  apt-get install -y -q "${need[@]}" >/dev/null
fi

if ! "$venv/bin/python" -m briefcase --version 2>/dev/null | grep -qx "$BRIEFCASE_VERSION"; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "briefcase==$BRIEFCASE_VERSION"
fi
py=$venv/bin/python

staging=$("$py" installers/briefcase.py stage)
version=$("$py" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' pyproject.toml)
arch=$(dpkg --print-architecture)
(
  cd "$staging"
  "../../../$py" -m briefcase create linux system --no-input
  "../../../$py" -m briefcase build linux system --no-input
  # Briefcase's own .deb is only a step (no maintainer scripts): skip compressing it.
  DPKG_DEB_COMPRESSOR_TYPE=none "../../../$py" -m briefcase package linux system --no-input
)

# Briefcase has no setting for Debian maintainer scripts and rebuilds DEBIAN/ itself: add the
# postrm (it says where users' data stays) to the tree it packaged and build the final .deb.
root=$(find "$staging/build/onetake_desktop/debian" -mindepth 2 -maxdepth 2 -type d -name "onetake_desktop-$version")
install -m755 installers/linux/deb/postrm "$root/DEBIAN/postrm"
# Briefcase removes every __pycache__; an ordinary user cannot write them under /usr/lib, so
# without these each start would compile the app and its packages again (seconds).
# (PySide6/scripts holds Qt's developer tools and templates that are not Python.)
/usr/bin/python3.11 -m compileall -q -j0 -x '/PySide6/scripts/' "$root/usr/lib/onetake_desktop" >/dev/null
# Briefcase's control has no Installed-Size; apt shows it before installing (KiB, as dpkg does).
sed -i '/^Installed-Size:/d' "$root/DEBIAN/control"
echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)" >>"$root/DEBIAN/control"
mkdir -p dist
deb=dist/onetake-desktop_${version}_${arch}.deb
dpkg-deb --build --root-owner-group "$root" "$deb" >/dev/null
rm -f "$staging"/dist/*.deb
echo "built $deb ($(du -h "$deb" | cut -f1), $DPKG_DEB_COMPRESSOR_TYPE) in $(( $(date +%s) - started )) s"
