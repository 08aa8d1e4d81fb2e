//! Derives every name from the one app-id source (`data/APPLICATION_ID`) and compiles the
//! translations for builds that do not go through meson.

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let id_file = root.join("data/APPLICATION_ID");
    println!("cargo:rerun-if-changed={}", id_file.display());
    println!("cargo:rerun-if-env-changed=ROXY_PROFILE");
    println!("cargo:rerun-if-env-changed=ROXY_LOCALEDIR");

    let base = fs::read_to_string(&id_file).expect("data/APPLICATION_ID is readable");
    let base = base.trim();
    let profile = env::var("ROXY_PROFILE").unwrap_or_else(|_| "default".into());
    let app_id = match profile.as_str() {
        "development" => format!("{base}.Devel"),
        "default" => base.to_string(),
        other => panic!("ROXY_PROFILE must be `default` or `development`, not `{other}`"),
    };
    let base_path = format!("/{}", base.replace('.', "/"));

    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let localedir = match env::var("ROXY_LOCALEDIR") {
        Ok(dir) => dir,
        Err(_) => compile_translations(&root.join("po"), &out.join("locale")),
    };

    let names = format!(
        "/// The app id of this build (`.Devel` suffix for development builds).\n\
         pub const APP_ID: &str = {app_id:?};\n\
         /// The app id without any profile suffix; D-Bus interface names and object paths use it.\n\
         pub const BASE_APP_ID: &str = {base:?};\n\
         /// `default` or `development`.\n\
         pub const PROFILE: &str = {profile:?};\n\
         /// Well-known bus name of roxyd. Not the app id itself: GApplication owns that one.\n\
         pub const DAEMON_BUS_NAME: &str = \"{app_id}.Daemon\";\n\
         /// Object path of the daemon root (Daemon1 and Jobs1 live here).\n\
         pub const DAEMON_PATH: &str = \"{base_path}/Daemon\";\n\
         /// Parent path of the job objects.\n\
         pub const JOBS_PATH: &str = \"{base_path}/Daemon/jobs\";\n\
         /// Prefix of the typed D-Bus error names.\n\
         pub const ERROR_PREFIX: &str = \"{base}.Error\";\n\
         /// Where the compiled translations are looked up.\n\
         pub const LOCALEDIR: &str = {localedir:?};\n"
    );
    fs::write(out.join("names.rs"), names).unwrap();
    // For the build scripts of crates that depend on this one (the GUI's schema and icons).
    println!("cargo:app_id={app_id}");
    println!("cargo:base_app_id={base}");
}

/// Compiles `po/*.po` with msgfmt so `cargo run` shows translations. Missing msgfmt only
/// means an untranslated development build, never a failed one.
fn compile_translations(po_dir: &std::path::Path, locale_dir: &std::path::Path) -> String {
    println!(
        "cargo:rerun-if-changed={}",
        po_dir.join("LINGUAS").display()
    );
    let linguas = fs::read_to_string(po_dir.join("LINGUAS")).unwrap_or_default();
    for lang in linguas.split_whitespace().filter(|l| !l.starts_with('#')) {
        let po = po_dir.join(format!("{lang}.po"));
        println!("cargo:rerun-if-changed={}", po.display());
        let target = locale_dir.join(lang).join("LC_MESSAGES");
        fs::create_dir_all(&target).unwrap();
        let status = Command::new("msgfmt")
            .arg("-o")
            .arg(target.join("roxy.mo"))
            .arg(&po)
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            println!("cargo:warning=msgfmt could not compile {}", po.display());
        }
    }
    locale_dir.display().to_string()
}
