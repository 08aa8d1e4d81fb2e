//! The About window.

use crate::config;
use relm4::adw;
use relm4::adw::prelude::*;
use roxy_ipc::i18n::gettext;

pub fn present(parent: &adw::ApplicationWindow) {
    let about = adw::AboutWindow::builder()
        .transient_for(parent)
        .modal(true)
        .application_name(gettext("Roxy Command Center"))
        .application_icon(config::APP_ID)
        .version(config::VERSION)
        .developer_name(gettext("The Roxy developers"))
        .developers(vec!["The Roxy developers".to_string()])
        .comments(gettext(
            "Run your studio, business and homelab from one window.",
        ))
        .license_type(relm4::gtk::License::Gpl30)
        .website("https://github.com/skybeam/roxy")
        .issue_url("https://github.com/skybeam/roxy/issues")
        // Translators: your names, one per line.
        .translator_credits(gettext("translator-credits"))
        .build();
    about.present();
}
