//! Compiles the resource bundle and this build's GSettings schema, so `cargo run` needs no
//! installation. Names come from roxy-ipc's build script (`links = "roxy_names"`).

use std::{env, fs, path::PathBuf, process::Command};

fn main() {
    let app_id = env::var("DEP_ROXY_NAMES_APP_ID").expect("roxy-ipc exports the app id");
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    let template = root.join("data/io.github.skybeam.Roxy.gschema.xml.in");
    println!("cargo:rerun-if-changed={}", template.display());
    let schema = fs::read_to_string(&template).expect("schema template is readable");
    let schema = schema
        .replace("@APP_ID@", &app_id)
        .replace("@SCHEMA_PATH@", &format!("/{}/", app_id.replace('.', "/")));
    let schema_dir = out.join("schemas");
    fs::create_dir_all(&schema_dir).unwrap();
    fs::write(schema_dir.join(format!("{app_id}.gschema.xml")), schema).unwrap();
    let status = Command::new("glib-compile-schemas")
        .arg("--strict")
        .arg(&schema_dir)
        .status()
        .expect("glib-compile-schemas runs (apt-get install libglib2.0-bin)");
    assert!(status.success(), "glib-compile-schemas rejected the schema");
    println!(
        "cargo:rustc-env=ROXY_BUILD_SCHEMA_DIR={}",
        schema_dir.display()
    );

    glib_build_tools::compile_resources(
        &[root.join("resources"), root.join("data/icons/hicolor")],
        root.join("resources/resources.gresource.xml")
            .to_str()
            .unwrap(),
        "roxy.gresource",
    );
}
