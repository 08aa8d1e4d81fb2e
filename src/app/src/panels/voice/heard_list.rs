//! What was heard (or typed) and what came of it, newest first.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::HeardInfo;

/// Rows kept on screen.
const KEEP: usize = 50;

pub struct HeardList {
    group: adw::PreferencesGroup,
    list: gtk::ListBox,
    empty: gtk::Label,
    entries: Vec<HeardInfo>,
}

impl HeardList {
    pub fn new() -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Heard"))
            .build();
        let list = gtk::ListBox::new();
        list.add_css_class("boxed-list");
        list.set_selection_mode(gtk::SelectionMode::None);
        let empty = gtk::Label::builder()
            .label(gettext(
                "Nothing heard yet. Press Push to Talk, or type a sentence above.",
            ))
            .wrap(true)
            .xalign(0.0)
            .build();
        empty.add_css_class("dim-label");
        let inner = gtk::Box::new(gtk::Orientation::Vertical, 6);
        inner.append(&empty);
        inner.append(&list);
        group.add(&inner);
        Self {
            group,
            list,
            empty,
            entries: Vec::new(),
        }
    }

    pub fn widget(&self) -> &adw::PreferencesGroup {
        &self.group
    }

    pub fn replace(&mut self, entries: Vec<HeardInfo>) {
        self.entries = entries;
        self.entries.truncate(KEEP);
        self.render();
    }

    pub fn push(&mut self, entry: HeardInfo) {
        if self
            .entries
            .iter()
            .any(|e| e.id == entry.id && entry.id != 0)
        {
            return;
        }
        self.entries.insert(0, entry);
        self.entries.truncate(KEEP);
        self.render();
    }

    /// The transcripts shown, newest first; for tests.
    pub fn transcripts(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.transcript.clone()).collect()
    }

    fn render(&self) {
        while let Some(row) = self.list.first_child() {
            self.list.remove(&row);
        }
        self.empty.set_visible(self.entries.is_empty());
        self.list.set_visible(!self.entries.is_empty());
        for e in &self.entries {
            let row = adw::ActionRow::builder()
                .title(glib_escape(&e.transcript))
                .subtitle(glib_escape(&subtitle(e)))
                .build();
            let badge = gtk::Label::new(Some(&outcome_label(&e.outcome)));
            badge.add_css_class(match e.outcome.as_str() {
                "done" => "success",
                "asked" | "cancelled" => "warning",
                _ => "error",
            });
            row.add_suffix(&badge);
            let icon = if e.source == "microphone" {
                "audio-input-microphone-symbolic"
            } else {
                "input-keyboard-symbolic"
            };
            row.add_prefix(&gtk::Image::from_icon_name(icon));
            self.list.append(&row);
        }
    }
}

fn glib_escape(text: &str) -> String {
    relm4::gtk::glib::markup_escape_text(text).to_string()
}

fn outcome_label(outcome: &str) -> String {
    match outcome {
        "done" => gettext("Done"),
        "asked" => gettext("Asked back"),
        "no_match" => gettext("Not understood"),
        "refused" => gettext("Refused"),
        "cancelled" => gettext("Cancelled"),
        _ => gettext("Failed"),
    }
}

fn subtitle(e: &HeardInfo) -> String {
    let mut parts = Vec::new();
    if !e.intent.is_empty() {
        parts.push(fill(
            &gettext("{} (confidence {} %)"),
            &[&e.intent, &format!("{:.0}", e.confidence * 100.0)],
        ));
    }
    if !e.reply.is_empty() {
        parts.push(format!("“{}”", e.reply));
    }
    if e.source == "microphone" && e.total_ms > 0 {
        parts.push(fill(
            &gettext("heard in {} ms, done {} ms after you stopped"),
            &[&e.stt_ms, &e.total_ms],
        ));
    }
    parts.join(" · ")
}
