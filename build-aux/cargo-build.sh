#!/bin/sh
# Builds roxy, roxyd and roxyctl with cargo for meson, and copies them into OUTDIR.
#
#   cargo-build.sh CARGO SOURCE_ROOT BUILD_ROOT CARGO_PROFILE APP_PROFILE LOCALEDIR OUTDIR
#
# CARGO_PROFILE is `debug` or `release`; APP_PROFILE is meson's `profile` option (`default` or
# `development`) and reaches the build scripts as ROXY_PROFILE; LOCALEDIR is where the
# translations will be installed. The cargo target directory is $CARGO_TARGET_DIR when it is
# set (e.g. a cache outside the clone), else BUILD_ROOT/target.
set -eu

if [ $# -ne 7 ]; then
    echo "usage: $0 CARGO SOURCE_ROOT BUILD_ROOT CARGO_PROFILE APP_PROFILE LOCALEDIR OUTDIR" >&2
    exit 2
fi
cargo=$1
source_root=$2
build_root=$3
cargo_profile=$4
ROXY_PROFILE=$5
ROXY_LOCALEDIR=$6
outdir=$7

CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$build_root/target}
export ROXY_PROFILE ROXY_LOCALEDIR CARGO_TARGET_DIR

case $cargo_profile in
    release) set -- --release ;;
    debug) set -- ;;
    *) echo "$0: CARGO_PROFILE must be debug or release, not $cargo_profile" >&2; exit 2 ;;
esac

"$cargo" build --manifest-path "$source_root/Cargo.toml" --workspace --bins "$@"

# Copy next to a temporary name and rename, so a binary that is running (a roxyd started by a
# test, say) is replaced instead of failing with "Text file busy".
for bin in roxy roxyd roxyctl; do
    cp -p "$CARGO_TARGET_DIR/$cargo_profile/$bin" "$outdir/.$bin.tmp"
    mv -f "$outdir/.$bin.tmp" "$outdir/$bin"
done

# Piper's phonemes come from espeak-ng, whose data the espeak-rs-sys build made inside the
# target directory; meson installs this copy beside the app (roxyd looks in
# <prefix>/share/roxy/espeak-ng-data). The newest build of it is the one just linked.
espeak=$(ls -td "$CARGO_TARGET_DIR/$cargo_profile"/build/espeak-rs-sys-*/out/share/espeak-ng-data 2>/dev/null | head -n 1)
if [ -n "$espeak" ]; then
    rm -rf "$outdir/.espeak-ng-data.tmp"
    cp -R "$espeak" "$outdir/.espeak-ng-data.tmp"
    rm -rf "$outdir/espeak-ng-data"
    mv "$outdir/.espeak-ng-data.tmp" "$outdir/espeak-ng-data"
fi
