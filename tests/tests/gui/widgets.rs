//! Finding widgets the way a person finds them: by type, by a row's title, by the window
//! that is open.

use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;

/// Every widget of type `T` under `root` (itself included), depth first.
pub fn all<T: IsA<gtk::Widget>>(root: &gtk::Widget) -> Vec<T> {
    let mut found = Vec::new();
    if let Ok(widget) = root.clone().downcast::<T>() {
        found.push(widget);
    }
    let mut child = root.first_child();
    while let Some(c) = child {
        found.extend(all::<T>(&c));
        child = c.next_sibling();
    }
    found
}

/// The visible window of type `T`, such as an open dialog.
pub fn toplevel<T: IsA<gtk::Widget>>() -> Option<T> {
    gtk::Window::list_toplevels()
        .into_iter()
        .filter(|w| w.is_visible())
        .find_map(|w| w.downcast::<T>().ok())
}

pub fn row_titled<T: IsA<adw::PreferencesRow> + IsA<gtk::Widget>>(
    root: &gtk::Widget,
    title: &str,
) -> Option<T> {
    all::<T>(root).into_iter().find(|r| r.title() == title)
}

/// The open dialog with this heading (others may be open too).
pub fn dialog_headed(heading: &str) -> Option<adw::MessageDialog> {
    gtk::Window::list_toplevels()
        .into_iter()
        .filter(|w| w.is_visible())
        .filter_map(|w| w.downcast::<adw::MessageDialog>().ok())
        .find(|d| d.heading().as_deref() == Some(heading))
}
