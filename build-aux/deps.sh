# Sourced by run.sh and test.sh: installs the Debian 12 packages Roxy needs, only when some
# are missing. Root runs apt-get directly; others go through sudo.

RUN_PACKAGES=(
  build-essential pkg-config gettext libglib2.0-dev libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev adwaita-icon-theme dbus
  python3-pip cmake clang libclang-dev libasound2-dev libsonic-dev libssl-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
)
TEST_PACKAGES=(
  xvfb xauth meson ninja-build appstream desktop-file-utils systemd dunst gnome-keyring
  haskell-status-notifier-item-utils xdg-desktop-portal xdg-desktop-portal-gtk
  docker.io busybox-static iputils-ping openssl postgresql
  obs-studio debootstrap iproute2 ffmpeg libavahi-client3
  espeak-ng sox alsa-utils libasound2-plugins
)

ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  # The image's apt hook can delete an archive mid-install; a second try fetches it again.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

ensure_cargo() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    echo "cargo is missing. Install Rust 1.92 or newer (https://rustup.rs), then run this again." >&2
    exit 1
  fi
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/roxy/target}"

# Cargo's target directory outgrows small disks over many warm runs (incremental caches of
# every edit, old dependency builds). A build that meets a full disk fails in confusing places
# ("database or disk is full" in a test), so room is made before one starts.
make_room() {
  local want_gib=${1:-15} dir=$CARGO_TARGET_DIR
  mkdir -p "$dir"
  free_gib() { df -P -BG "$dir" | awk 'NR == 2 { sub("G", "", $4); print $4 }'; }
  echo "disk: $(free_gib) GiB free for $dir"
  [ "$(free_gib)" -ge "$want_gib" ] && return 0
  echo "disk: under $want_gib GiB free; removing cargo's incremental caches"
  rm -rf "$dir"/*/incremental
  [ "$(free_gib)" -ge "$want_gib" ] && return 0
  echo "disk: still under $want_gib GiB free; removing $dir (a cold build follows)"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "disk: $(free_gib) GiB free"
}
