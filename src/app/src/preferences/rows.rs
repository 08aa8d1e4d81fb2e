//! A preferences group whose rows are replaced wholesale when new data arrives.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use std::cell::RefCell;

pub struct RowGroup {
    pub group: adw::PreferencesGroup,
    rows: RefCell<Vec<gtk::Widget>>,
}

impl RowGroup {
    pub fn new(title: &str, description: &str) -> Self {
        let group = adw::PreferencesGroup::builder().title(title).build();
        if !description.is_empty() {
            group.set_description(Some(description));
        }
        Self {
            group,
            rows: RefCell::default(),
        }
    }

    pub fn clear(&self) {
        for row in self.rows.borrow_mut().drain(..) {
            self.group.remove(&row);
        }
    }

    pub fn add(&self, row: &impl IsA<gtk::Widget>) {
        self.group.add(row);
        self.rows.borrow_mut().push(row.clone().upcast());
    }

    /// A dim row that says why the group is empty.
    pub fn add_note(&self, text: &str) {
        let row = adw::ActionRow::builder().title(text).build();
        row.add_css_class("dim-label");
        self.add(&row);
    }
}

/// A row with a title, a subtitle and a switch that the whole row toggles.
pub fn switch_row(title: &str, subtitle: &str, active: bool) -> (adw::ActionRow, gtk::Switch) {
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(subtitle)
        .build();
    let switch = gtk::Switch::builder()
        .valign(gtk::Align::Center)
        .active(active)
        .build();
    row.add_suffix(&switch);
    row.set_activatable_widget(Some(&switch));
    (row, switch)
}
