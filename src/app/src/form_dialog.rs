//! The small "Add …" dialogs: a heading, a sentence, a boxed list of rows, Cancel and Add.
//! What the rows mean stays with each dialog; roxyd checks the fields it receives.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;

pub struct FormDialog {
    dialog: adw::MessageDialog,
    /// The boxed list the rows go into.
    pub list: gtk::ListBox,
    /// Holds the list; a dialog may append more below it.
    pub content: gtk::Box,
}

impl FormDialog {
    /// A modal dialog over the window that holds `anchor`.
    pub fn new(anchor: &impl IsA<gtk::Widget>, heading: &str, body: &str) -> Self {
        let dialog = adw::MessageDialog::builder()
            .heading(heading)
            .body(body)
            .modal(true)
            .build();
        dialog.set_transient_for(anchor.root().and_downcast::<gtk::Window>().as_ref());
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        list.add_css_class("boxed-list");
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&list);
        dialog.set_extra_child(Some(&content));
        Self {
            dialog,
            list,
            content,
        }
    }

    /// A row choosing one of `choices` (label and value); `value` reads the chosen one.
    pub fn choice_row(title: &str, choices: &[(String, u64)], selected: u32) -> adw::ComboRow {
        let labels: Vec<&str> = choices.iter().map(|(l, _)| l.as_str()).collect();
        adw::ComboRow::builder()
            .title(title)
            .model(&gtk::StringList::new(&labels))
            .selected(selected)
            .build()
    }

    /// The value of the choice `row` shows, from the `choices` it was made with.
    pub fn value(row: &adw::ComboRow, choices: &[(String, u64)]) -> Option<u64> {
        choices.get(row.selected() as usize).map(|(_, v)| *v)
    }

    /// The dialog itself, e.g. to close it from a row's button.
    pub fn dialog(&self) -> adw::MessageDialog {
        self.dialog.clone()
    }

    /// Shows the dialog with a single Close button (a list to act on row by row).
    pub fn present_info(self) {
        self.dialog.add_responses(&[("close", &gettext("Close"))]);
        self.dialog.present();
    }

    /// Shows the dialog with Cancel and `label`; `chosen` runs when the person chooses it.
    pub fn present_as(self, label: &str, chosen: impl Fn() + 'static) {
        let dialog = self.dialog;
        dialog.add_responses(&[("cancel", &gettext("Cancel")), ("add", label)]);
        dialog.set_response_appearance("add", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("add"));
        dialog.connect_response(None, move |_, response| {
            if response == "add" {
                chosen();
            }
        });
        dialog.present();
    }

    /// Shows the dialog; `add` runs when the person chooses Add.
    pub fn present(self, add: impl Fn() + 'static) {
        self.present_as(&gettext("Add"), add);
    }
}
