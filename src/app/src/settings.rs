//! GSettings of the GUI, with the schema of this build as fallback so `cargo run` works
//! without installing anything.

use crate::config::{APP_ID, BUILD_SCHEMA_DIR};
use relm4::gtk::gio;
use relm4::gtk::prelude::*;

pub fn settings() -> gio::Settings {
    let default = gio::SettingsSchemaSource::default();
    if let Some(schema) = default.as_ref().and_then(|s| s.lookup(APP_ID, true)) {
        return gio::Settings::new_full(&schema, None::<&gio::SettingsBackend>, None);
    }
    let source =
        gio::SettingsSchemaSource::from_directory(BUILD_SCHEMA_DIR, default.as_ref(), false)
            .expect("the schema compiled at build time is readable");
    let schema = source
        .lookup(APP_ID, false)
        .expect("the schema compiled at build time contains the app id");
    gio::Settings::new_full(&schema, None::<&gio::SettingsBackend>, None)
}

/// Applies the colour-scheme preference now and whenever it changes.
pub fn follow_color_scheme(settings: &gio::Settings) {
    fn apply(settings: &gio::Settings) {
        let scheme = match settings.string("color-scheme").as_str() {
            "light" => relm4::adw::ColorScheme::ForceLight,
            "dark" => relm4::adw::ColorScheme::ForceDark,
            _ => relm4::adw::ColorScheme::Default,
        };
        relm4::adw::StyleManager::default().set_color_scheme(scheme);
    }
    apply(settings);
    settings.connect_changed(Some("color-scheme"), |s, _| apply(s));
}
