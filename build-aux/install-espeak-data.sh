#!/bin/sh
# Meson install script: copies espeak-ng's data (left in the build dir by cargo-build.sh) to
# DATADIR/roxy, where roxyd finds it for the Piper voice's phonemes.
#
#   install-espeak-data.sh BUILT_DIR DATADIR
set -eu
built=$1
dest="${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}/$2/roxy"
if [ ! -d "$built" ]; then
    echo "install-espeak-data.sh: $built is missing; spoken replies will lack espeak-ng data" >&2
    exit 0
fi
mkdir -p "$dest"
rm -rf "$dest/espeak-ng-data"
cp -R "$built" "$dest/espeak-ng-data"
