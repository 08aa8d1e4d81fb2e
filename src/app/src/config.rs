//! Build-time facts of the GUI.

pub use roxy_ipc::names::{APP_ID, BASE_APP_ID, PROFILE};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Resource prefix: the same for stable and development builds.
pub const RESOURCE_BASE_PATH: &str = "/io/github/skybeam/Roxy";
/// Compiled GSettings schema of this build, used when the schema is not installed.
pub const BUILD_SCHEMA_DIR: &str = env!("ROXY_BUILD_SCHEMA_DIR");

/// Registers the compiled-in resource bundle (style sheet, icons, shortcuts window).
pub fn register_resources() {
    relm4::gtk::gio::resources_register_include!("roxy.gresource")
        .expect("the embedded resource bundle is valid");
}
