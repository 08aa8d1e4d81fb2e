//! The intents in use: where they come from, problems in the user's file, each intent's
//! sentences, and how much of what the daemon can do is reachable by voice.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::IntentsInfo;

pub struct IntentsView {
    group: adw::PreferencesGroup,
    rows: Vec<gtk::Widget>,
}

impl IntentsView {
    pub fn new() -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Intents"))
            .build();
        Self {
            group,
            rows: Vec::new(),
        }
    }

    pub fn widget(&self) -> &adw::PreferencesGroup {
        &self.group
    }

    pub fn show(&mut self, info: &IntentsInfo) {
        for row in self.rows.drain(..) {
            self.group.remove(&row);
        }
        let mut description = fill(
            &gettext("From {}. Coverage by voice: {} %."),
            &[&info.file, &format!("{:.0}", info.coverage * 100.0)],
        );
        if !info.unreachable.is_empty() {
            description.push(' ');
            description.push_str(&fill(
                &gettext("Not yet: {}."),
                &[&info.unreachable.join(", ")],
            ));
        }
        self.group.set_description(Some(&description));
        for error in &info.errors {
            let label = gtk::Label::builder()
                .label(error)
                .wrap(true)
                .xalign(0.0)
                .selectable(true)
                .build();
            label.add_css_class("error");
            self.group.add(&label);
            self.rows.push(label.upcast());
        }
        for intent in &info.intents {
            let row = adw::ExpanderRow::builder()
                .title(relm4::gtk::glib::markup_escape_text(&intent.id).to_string())
                .subtitle(relm4::gtk::glib::markup_escape_text(&intent.action).to_string())
                .build();
            for pattern in &intent.patterns {
                let line = adw::ActionRow::builder()
                    .title(
                        relm4::gtk::glib::markup_escape_text(&format!("“{pattern}”")).to_string(),
                    )
                    .build();
                row.add_row(&line);
            }
            self.group.add(&row);
            self.rows.push(row.upcast());
        }
    }
}
