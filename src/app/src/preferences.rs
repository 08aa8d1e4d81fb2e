//! The preferences window; every row is bound to a GSettings key.

use relm4::adw::prelude::*;
use relm4::gtk::gio;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;

/// Colour-scheme choices: settings value and label.
fn schemes() -> [(&'static str, String); 3] {
    [
        ("default", gettext("Follow System")),
        ("light", gettext("Light")),
        ("dark", gettext("Dark")),
    ]
}

pub fn present(parent: &adw::ApplicationWindow, settings: &gio::Settings) {
    let window = adw::PreferencesWindow::builder()
        .transient_for(parent)
        .modal(true)
        .search_enabled(false)
        .build();
    let page = adw::PreferencesPage::new();

    let appearance = adw::PreferencesGroup::builder()
        .title(gettext("Appearance"))
        .build();
    let labels: Vec<String> = schemes().iter().map(|(_, l)| l.clone()).collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let scheme_row = adw::ComboRow::builder()
        .title(gettext("Style"))
        .model(&gtk::StringList::new(&label_refs))
        .build();
    let current = settings.string("color-scheme");
    let index = schemes()
        .iter()
        .position(|(v, _)| *v == current.as_str())
        .unwrap_or(0);
    scheme_row.set_selected(index as u32);
    let s = settings.clone();
    scheme_row.connect_selected_notify(move |row| {
        if let Some((value, _)) = schemes().get(row.selected() as usize) {
            let _ = s.set_string("color-scheme", value);
        }
    });
    appearance.add(&scheme_row);
    page.add(&appearance);

    let jobs = adw::PreferencesGroup::builder()
        .title(gettext("Jobs"))
        .build();
    let confirm = adw::ActionRow::builder()
        .title(gettext("Confirm Before Cancelling"))
        .subtitle(gettext("Ask before a running job is stopped"))
        .build();
    let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
    settings.bind("confirm-cancel", &switch, "active").build();
    confirm.add_suffix(&switch);
    confirm.set_activatable_widget(Some(&switch));
    jobs.add(&confirm);
    page.add(&jobs);

    window.add(&page);
    window.present();
}
