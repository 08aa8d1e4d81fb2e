#!/usr/bin/env bash
# Prints the benchmark tables. Release binaries first: the benches drive the real roxyd.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/roxy/target}"
cargo build --release --workspace --bins
cargo bench -p roxy-tests --bench ping
