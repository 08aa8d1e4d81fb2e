//! "Add OBS": name, host, port and the obs-websocket password. roxyd checks the fields and
//! keeps the password in the secret store; a refused field comes back as a toast naming it.

use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;

pub struct NewInstance {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub password: String,
}

pub fn present(anchor: &impl IsA<gtk::Widget>, add: impl Fn(NewInstance) + 'static) {
    let form = FormDialog::new(
        anchor,
        &gettext("Add OBS"),
        &gettext("The password is shown in OBS under Tools → WebSocket Server Settings. Roxy keeps it in the secret store."),
    );
    let name = adw::EntryRow::builder()
        .title(gettext("Name"))
        .text("studio")
        .build();
    let host = adw::EntryRow::builder()
        .title(gettext("Host"))
        .text("127.0.0.1")
        .build();
    let port = adw::EntryRow::builder()
        .title(gettext("Port"))
        .text("4455")
        .build();
    let password = adw::PasswordEntryRow::builder()
        .title(gettext("Password"))
        .build();
    form.list.append(&name);
    form.list.append(&host);
    form.list.append(&port);
    form.list.append(&password);
    form.present(move || {
        add(NewInstance {
            name: name.text().trim().to_owned(),
            host: host.text().trim().to_owned(),
            // 0 is refused by roxyd with a sentence naming the port field.
            port: port.text().trim().parse().unwrap_or(0),
            password: password.text().to_string(),
        });
    });
}
