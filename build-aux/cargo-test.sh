#!/bin/sh
# Runs the workspace's tests for `meson test --suite cargo`, with the same environment and
# cargo profile as cargo-build.sh, so the two share one target directory.
#
#   cargo-test.sh CARGO SOURCE_ROOT BUILD_ROOT CARGO_PROFILE APP_PROFILE LOCALEDIR [-- CARGO_TEST_ARGS...]
#
# Without a DISPLAY the tests run under xvfb-run, since the GUI tests need an X server.
set -eu

if [ $# -lt 6 ]; then
    echo "usage: $0 CARGO SOURCE_ROOT BUILD_ROOT CARGO_PROFILE APP_PROFILE LOCALEDIR [-- CARGO_TEST_ARGS...]" >&2
    exit 2
fi
cargo=$1
source_root=$2
build_root=$3
cargo_profile=$4
ROXY_PROFILE=$5
ROXY_LOCALEDIR=$6
shift 6
if [ "${1:-}" = "--" ]; then
    shift
fi

CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$build_root/target}
export ROXY_PROFILE ROXY_LOCALEDIR CARGO_TARGET_DIR

case $cargo_profile in
    release) profile_flag=--release ;;
    debug) profile_flag= ;;
    *) echo "$0: CARGO_PROFILE must be debug or release, not $cargo_profile" >&2; exit 2 ;;
esac

# The cross-process tests start the real binaries from the target directory: build them first
# (a no-op after cargo-build.sh).
# shellcheck disable=SC2086 # profile_flag is empty or one word
"$cargo" build --manifest-path "$source_root/Cargo.toml" --workspace --bins $profile_flag

if [ -n "${DISPLAY:-}" ]; then
    # shellcheck disable=SC2086
    exec "$cargo" test --manifest-path "$source_root/Cargo.toml" --workspace $profile_flag "$@"
fi
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "$0: no DISPLAY and no xvfb-run (apt-get install xvfb xauth)" >&2
    exit 1
fi
# shellcheck disable=SC2086
exec xvfb-run -a -s "-screen 0 1280x800x24" \
    "$cargo" test --manifest-path "$source_root/Cargo.toml" --workspace $profile_flag "$@"
