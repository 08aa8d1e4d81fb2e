#!/bin/sh
# Runs a program meson built (given by its build-dir path) with arguments; meson passes a
# custom target's output as a bare relative name, which exec would look up in PATH.
set -eu
program=$1
shift
case $program in
    /*) ;;
    *) program=./$program ;;
esac
exec "$program" "$@"
