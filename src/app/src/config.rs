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

/// Adds the app's style sheet to the default display (once per process).
pub fn load_style() {
    use std::sync::Once;
    static LOADED: Once = Once::new();
    LOADED.call_once(|| {
        let provider = relm4::gtk::CssProvider::new();
        provider.load_from_resource(&format!("{RESOURCE_BASE_PATH}/style.css"));
        if let Some(display) = relm4::gtk::gdk::Display::default() {
            relm4::gtk::style_context_add_provider_for_display(
                &display,
                &provider,
                relm4::gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
        }
    });
}
