//! Where Roxy keeps its files, following the XDG base directory spec.

use std::path::PathBuf;

fn xdg(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() && PathBuf::from(&v).is_absolute() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// `$XDG_DATA_HOME/roxy`: the database and models.
pub fn data_dir() -> PathBuf {
    xdg("XDG_DATA_HOME", ".local/share").join("roxy")
}

/// `$XDG_CONFIG_HOME` (`~/.config`): where desktop-wide entries such as `autostart/` live.
pub fn config_home() -> PathBuf {
    xdg("XDG_CONFIG_HOME", ".config")
}

/// `$XDG_CONFIG_HOME/roxy`: user-editable runbooks and intents.
pub fn config_dir() -> PathBuf {
    config_home().join("roxy")
}
