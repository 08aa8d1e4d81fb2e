//! A form of entry and choice rows that shows roxyd's verdict on each field as the person
//! types: a bad row turns red and the sentence below says what is allowed.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::crm::FieldErrorInfo;
use std::rc::Rc;

enum Row {
    Entry(adw::EntryRow),
    Choice(adw::ComboRow, Vec<&'static str>),
}

pub struct FieldForm {
    pub list: gtk::ListBox,
    /// The sentences about bad fields, under the list.
    pub errors: gtk::Label,
    rows: Vec<(&'static str, String, Row)>,
    current: Vec<FieldErrorInfo>,
}

impl FieldForm {
    pub fn new() -> Self {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        list.add_css_class("boxed-list");
        let errors = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .visible(false)
            .build();
        errors.add_css_class("error");
        Self {
            list,
            errors,
            rows: Vec::new(),
            current: Vec::new(),
        }
    }

    pub fn entry(&mut self, field: &'static str, title: &str) -> &mut Self {
        let row = adw::EntryRow::builder().title(title).build();
        self.list.append(&row);
        self.rows.push((field, title.to_owned(), Row::Entry(row)));
        self
    }

    /// A choice of `choices` (label, value sent to roxyd).
    pub fn choice(
        &mut self,
        field: &'static str,
        title: &str,
        choices: Vec<(String, &'static str)>,
    ) -> &mut Self {
        let labels: Vec<&str> = choices.iter().map(|(l, _)| l.as_str()).collect();
        let row = adw::ComboRow::builder()
            .title(title)
            .model(&gtk::StringList::new(&labels))
            .build();
        self.list.append(&row);
        let ids = choices.into_iter().map(|(_, id)| id).collect();
        self.rows
            .push((field, title.to_owned(), Row::Choice(row, ids)));
        self
    }

    /// Calls `changed` after every edit of any row.
    pub fn on_change(&self, changed: impl Fn() + 'static) {
        let changed = Rc::new(changed);
        for (_, _, row) in &self.rows {
            let changed = changed.clone();
            match row {
                Row::Entry(entry) => {
                    entry.connect_changed(move |_| changed());
                }
                Row::Choice(combo, _) => {
                    combo.connect_selected_notify(move |_| changed());
                }
            }
        }
    }

    pub fn value(&self, field: &str) -> String {
        self.rows
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, _, row)| match row {
                Row::Entry(entry) => entry.text().to_string(),
                Row::Choice(combo, ids) => ids
                    .get(combo.selected() as usize)
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            })
            .unwrap_or_default()
    }

    pub fn set_value(&self, field: &str, value: &str) {
        for (f, _, row) in &self.rows {
            if *f != field {
                continue;
            }
            match row {
                Row::Entry(entry) => {
                    if entry.text() != value {
                        entry.set_text(value);
                    }
                }
                Row::Choice(combo, ids) => {
                    if let Some(i) = ids.iter().position(|id| *id == value) {
                        combo.set_selected(i as u32);
                    }
                }
            }
        }
    }

    pub fn clear(&self) {
        for (_, _, row) in &self.rows {
            match row {
                Row::Entry(entry) => entry.set_text(""),
                Row::Choice(combo, _) => combo.set_selected(0),
            }
        }
    }

    /// Marks the rows roxyd found wrong and says why; the rest turn normal again.
    pub fn set_errors(&mut self, errors: Vec<FieldErrorInfo>) {
        let mut lines = Vec::new();
        for (field, title, row) in &self.rows {
            let widget: &gtk::Widget = match row {
                Row::Entry(entry) => entry.upcast_ref(),
                Row::Choice(combo, _) => combo.upcast_ref(),
            };
            let bad: Vec<&FieldErrorInfo> = errors.iter().filter(|e| e.field == *field).collect();
            if bad.is_empty() {
                widget.remove_css_class("error");
            } else {
                widget.add_css_class("error");
                lines.extend(bad.iter().map(|e| format!("{title}: {}", e.message)));
            }
        }
        // Errors about fields this form has no row for (the contact of a lead) are shown too.
        lines.extend(
            errors
                .iter()
                .filter(|e| !self.rows.iter().any(|(f, _, _)| *f == e.field))
                .map(|e| format!("{}: {}", e.field, e.message)),
        );
        self.errors.set_label(&lines.join("\n"));
        self.errors.set_visible(!lines.is_empty());
        self.current = errors;
    }

    pub fn errors(&self) -> &[FieldErrorInfo] {
        &self.current
    }

    /// The fields shown in red (tests read this).
    pub fn marked(&self) -> Vec<&'static str> {
        self.rows
            .iter()
            .filter(|(_, _, row)| match row {
                Row::Entry(entry) => entry.has_css_class("error"),
                Row::Choice(combo, _) => combo.has_css_class("error"),
            })
            .map(|(f, _, _)| *f)
            .collect()
    }
}
