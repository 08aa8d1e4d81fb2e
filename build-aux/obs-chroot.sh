#!/usr/bin/env bash
# OBS Studio 30.2 for the broadcast tests and benchmark. Debian 12 ships OBS 29, which obws
# (and so Roxy) refuses; Debian 13 ships 30.2.3. This builds a minimal Debian 13 tree with it
# (about 1.1 GB, a few minutes, from the Debian mirror) once, outside the clone, and prints
# its path. Needs root (debootstrap and chroot), as the tests that use it do.
set -euo pipefail
dir="${1:-${ROXY_OBS_CHROOT:-$HOME/.cache/roxy/obs-trixie}}"
if [ -x "$dir/usr/bin/obs" ]; then
  echo "$dir"
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
mirror="${ROXY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
partial="$dir.partial"
"${sudo[@]}" rm -rf "$partial"
mkdir -p "$(dirname "$dir")"
echo "Building the OBS 30.2 tree in $dir (Debian 13, minbase)…" >&2
"${sudo[@]}" debootstrap --variant=minbase \
  --include=obs-studio,xvfb,xauth,libgl1-mesa-dri,procps \
  trixie "$partial" "$mirror" >&2
"${sudo[@]}" mv "$partial" "$dir"
echo "$dir"
