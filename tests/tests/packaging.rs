//! The repository keeps itself honest: translations complete, every translatable source in
//! POTFILES.in, the Flatpak manifest and its cargo sources in step with Cargo.lock, and the
//! app id written in exactly one place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn app_id() -> String {
    read("data/APPLICATION_ID").trim().to_owned()
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn potfiles() -> Vec<String> {
    read("po/POTFILES.in")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_source_with_translatable_strings_is_in_potfiles() {
    let listed = potfiles();
    for file in &listed {
        assert!(
            root().join(file).exists(),
            "POTFILES.in lists {file}, which does not exist"
        );
    }
    let mut sources = Vec::new();
    rust_sources(&root().join("src"), &mut sources);
    let mut missing = Vec::new();
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("gettext(\"") || text.contains("gettext(\n") {
            let relative = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if !listed.contains(&relative) {
                missing.push(relative);
            }
        }
    }
    assert!(missing.is_empty(), "add to po/POTFILES.in: {missing:?}");
}

#[test]
fn german_translation_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let pot = dir.path().join("roxy.pot");
    let status = Command::new("xgettext")
        .current_dir(root())
        .args([
            "--from-code=UTF-8",
            "--add-comments=Translators",
            "--keyword=gettext",
            "--keyword=ngettext:1,2",
        ])
        .arg("--files-from=po/POTFILES.in")
        .arg("-o")
        .arg(&pot)
        .status()
        .expect("xgettext runs (apt-get install gettext)");
    assert!(status.success());
    // msgcmp fails for every message of the template that de.po lacks or leaves untranslated
    // or fuzzy.
    let out = Command::new("msgcmp")
        .arg(root().join("po/de.po"))
        .arg(&pot)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "po/de.po is incomplete:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = Command::new("msgfmt")
        .args(["--check", "-o", "/dev/null"])
        .arg(root().join("po/de.po"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn the_app_id_is_written_only_in_its_one_source() {
    let id = app_id();
    assert_eq!(id, "io.github.skybeam.Roxy");
    for template in [
        "data/io.github.skybeam.Roxy.desktop.in",
        "data/io.github.skybeam.Roxy.metainfo.xml.in",
        "data/io.github.skybeam.Roxy.Daemon.service.in",
        "data/roxyd.service.in",
        "data/io.github.skybeam.Roxy.gschema.xml.in",
    ] {
        let text = read(template);
        assert!(
            text.contains("@APP_ID@"),
            "{template} derives its names from @APP_ID@"
        );
        assert!(
            !text.contains(&format!("{id}."))
                && !text.contains(&format!("{id}\""))
                && !text.contains(&format!(">{id}<")),
            "{template} spells the app id out instead of using @APP_ID@"
        );
    }
    assert!(
        read("meson.build").contains("APPLICATION_ID"),
        "meson reads data/APPLICATION_ID"
    );
}

#[test]
fn flatpak_manifest_matches_the_app_id_and_allows_no_blanket_file_access() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read("flatpak/io.github.skybeam.Roxy.json")).expect("valid JSON");
    let id = manifest["app-id"]
        .as_str()
        .or(manifest["id"].as_str())
        .unwrap();
    assert_eq!(id, app_id());
    assert_eq!(manifest["command"], "roxy");
    let args: Vec<&str> = manifest["finish-args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for needed in [
        "--socket=wayland",
        "--socket=fallback-x11",
        "--device=dri",
        "--socket=pulseaudio",
    ] {
        assert!(args.contains(&needed), "finish-args lack {needed}");
    }
    for forbidden in [
        "--filesystem=host",
        "--filesystem=home",
        "--filesystem=host-os",
    ] {
        assert!(
            !args.iter().any(|a| a.starts_with(forbidden)),
            "{forbidden} is too broad"
        );
    }
    assert!(args
        .iter()
        .any(|a| a.contains("org.kde.StatusNotifierWatcher")));
}

#[test]
fn cargo_sources_cover_every_crate_of_cargo_lock_with_its_checksum() {
    let lock: toml::Value = toml::from_str(&read("Cargo.lock")).unwrap();
    let sources: Vec<serde_json::Value> =
        serde_json::from_str(&read("flatpak/cargo-sources.json")).unwrap();
    let by_dest: HashMap<String, &serde_json::Value> = sources
        .iter()
        .filter(|s| s["type"] == "archive" || s["type"] == "file")
        .filter_map(|s| Some((s["dest"].as_str()?.rsplit('/').next()?.to_owned(), s)))
        .collect();
    let mut stale = Vec::new();
    let mut checked = 0;
    for package in lock["package"].as_array().unwrap() {
        let Some(source) = package.get("source").and_then(|s| s.as_str()) else {
            continue;
        };
        if !source.starts_with("registry+") {
            continue;
        }
        let (name, version) = (
            package["name"].as_str().unwrap(),
            package["version"].as_str().unwrap(),
        );
        let checksum = package["checksum"].as_str().unwrap();
        checked += 1;
        match by_dest.get(&format!("{name}-{version}")) {
            Some(entry) if entry["sha256"] == checksum => {}
            _ => stale.push(format!("{name} {version}")),
        }
    }
    assert!(checked > 100, "Cargo.lock has {checked} registry packages");
    assert!(
        stale.is_empty(),
        "flatpak/cargo-sources.json is stale for {stale:?}; run build-aux/update-cargo-sources.sh"
    );
}
