//! The Docs panel's keyboard: search, search by meaning, and the reader's history.

use super::{DocsInput, DocsPanel};
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentSender};

/// Ctrl+K and Ctrl+F search, Ctrl+M switches to search by meaning; Alt+Left and Alt+Right
/// walk the history.
pub fn install_shortcuts(
    root: &adw::ToastOverlay,
    search: &gtk::SearchEntry,
    meaning: &gtk::ToggleButton,
    sender: &ComponentSender<DocsPanel>,
) {
    let shortcuts = gtk::ShortcutController::new();
    shortcuts.set_scope(gtk::ShortcutScope::Managed);
    let toggle = meaning.clone();
    let entry = search.clone();
    shortcuts.add_shortcut(gtk::Shortcut::new(
        gtk::ShortcutTrigger::parse_string("<Control>m"),
        Some(gtk::CallbackAction::new(move |_, _| {
            if toggle.is_sensitive() {
                toggle.set_active(!toggle.is_active());
                entry.grab_focus();
            }
            gtk::glib::Propagation::Stop
        })),
    ));
    for trigger in ["<Control>k", "<Control>f"] {
        let entry = search.clone();
        shortcuts.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string(trigger),
            Some(gtk::CallbackAction::new(move |_, _| {
                entry.grab_focus();
                gtk::glib::Propagation::Stop
            })),
        ));
    }
    for (trigger, input) in [("<Alt>Left", true), ("<Alt>Right", false)] {
        let s = sender.clone();
        shortcuts.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string(trigger),
            Some(gtk::CallbackAction::new(move |_, _| {
                s.input(if input {
                    DocsInput::Back
                } else {
                    DocsInput::Forward
                });
                gtk::glib::Propagation::Stop
            })),
        ));
    }
    root.add_controller(shortcuts);
}
