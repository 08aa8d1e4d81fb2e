//! The preferences window: appearance and jobs are GSettings keys of the window; start-up
//! and notifications belong to roxyd and are read from it and sent to it.

mod notices;
mod rows;
mod webhook_form;

use crate::connection::{DaemonRequest, NoticeChange, NoticeSettings};
use notices::NoticesPage;
pub use notices::Send;
use relm4::adw::prelude::*;
use relm4::gtk::gio;
use relm4::{adw, gtk};
use rows::RowGroup;
use roxy_ipc::i18n::gettext;

/// Colour-scheme choices: settings value and label.
fn schemes() -> [(&'static str, String); 3] {
    [
        ("default", gettext("Follow System")),
        ("light", gettext("Light")),
        ("dark", gettext("Dark")),
    ]
}

/// An open preferences window, fed with roxyd's settings as they arrive.
pub struct Preferences {
    window: adw::PreferencesWindow,
    startup: RowGroup,
    notices: NoticesPage,
    send: Send,
}

impl Preferences {
    pub fn is_open(&self) -> bool {
        self.window.is_visible()
    }

    /// Shows a message on this window, which sits in front of the main window's toasts.
    pub fn toast(&self, toast: adw::Toast) {
        self.window.add_toast(toast);
    }

    pub fn show(&self, settings: &NoticeSettings) {
        self.notices.show(settings);
        self.show_startup(settings);
    }

    fn show_startup(&self, settings: &NoticeSettings) {
        self.startup.clear();
        let (on, how) = &settings.start_at_login;
        let subtitle = match how.as_str() {
            "systemd" => gettext("Enables the systemd user unit roxyd.service."),
            "background-portal" => gettext("Asks the desktop to let Roxy run in the background."),
            _ => gettext("Adds roxyd to the programs started with your session."),
        };
        let (row, switch) = rows::switch_row(&gettext("Start at Login"), &subtitle, *on);
        let send = self.send.clone();
        switch.connect_active_notify(move |s| {
            send(DaemonRequest::ChangeNotices(NoticeChange::StartAtLogin(
                s.is_active(),
            )))
        });
        self.startup.add(&row);
    }
}

pub fn present(
    parent: &adw::ApplicationWindow,
    settings: &gio::Settings,
    send: Send,
) -> Preferences {
    let window = adw::PreferencesWindow::builder()
        .transient_for(parent)
        .modal(true)
        .search_enabled(false)
        .build();
    let page = adw::PreferencesPage::builder()
        .title(gettext("General"))
        .icon_name("preferences-system-symbolic")
        .build();

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
    let (confirm, switch) = rows::switch_row(
        &gettext("Confirm Before Cancelling"),
        &gettext("Ask before a running job is stopped"),
        false,
    );
    settings.bind("confirm-cancel", &switch, "active").build();
    jobs.add(&confirm);
    page.add(&jobs);

    let startup = RowGroup::new(
        &gettext("Start-up"),
        &gettext("The daemon runs schedules, checks and alerts while the window is closed."),
    );
    startup.add_note(&gettext("Waiting for the Roxy daemon…"));
    page.add(&startup.group);

    let notices = NoticesPage::new(send.clone());
    window.add(&page);
    window.add(&notices.page);
    window.present();
    send(DaemonRequest::LoadNoticeSettings);
    Preferences {
        window,
        startup,
        notices,
        send,
    }
}
