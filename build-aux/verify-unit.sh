#!/bin/sh
# Runs `systemd-analyze verify --user` on a configured unit file.
#
#   verify-unit.sh UNIT [MANPAGE]
#
# systemd-analyze needs a private XDG_RUNTIME_DIR of mode 0700, and the unit's ExecStart binary
# must exist. With MANPAGE (e.g. the built roxyctl.1) the unit's Documentation=man:roxyctl(1)
# is checked against it; without one the man page check is skipped.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 UNIT [MANPAGE]" >&2
    exit 2
fi
unit=$1
manpage=${2:-}

runtime=$(mktemp -d "${TMPDIR:-/tmp}/roxy-verify-unit.XXXXXX")
trap 'rm -rf "$runtime"' EXIT INT TERM
chmod 700 "$runtime"
# verify looks at the file under its own name; keep the name, drop the path.
cp "$unit" "$runtime/$(basename "$unit")"

man_opt=--man=no
if [ -n "$manpage" ]; then
    mkdir -p "$runtime/man/man1"
    cp "$manpage" "$runtime/man/man1/"
    MANPATH=$runtime/man
    export MANPATH
    man_opt=--man=yes
fi

XDG_RUNTIME_DIR=$runtime
export XDG_RUNTIME_DIR
# systemd-analyze prints problems but exits 0 for some of them: fail on any output.
out=$(systemd-analyze verify --user "$man_opt" "$runtime/$(basename "$unit")" 2>&1) || {
    status=$?
    printf '%s\n' "$out" >&2
    exit "$status"
}
if [ -n "$out" ]; then
    printf '%s\n' "$out" >&2
    exit 1
fi
echo "$(basename "$unit"): ok"
