//! "Add Webhook": a small dialog with the fields roxyd checks; its answer (or the field it
//! refused) comes back as new settings or a toast.

use super::notices::Send;
use crate::connection::{DaemonRequest, NoticeChange};
use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;
use roxy_ipc::WebhookInfo;

pub struct WebhookForm {
    pub button: gtk::Button,
}

impl WebhookForm {
    pub fn new(send: Send) -> Self {
        let button = gtk::Button::builder()
            .icon_name("list-add-symbolic")
            .tooltip_text(gettext("Add Webhook"))
            .valign(gtk::Align::Center)
            .build();
        button.add_css_class("flat");
        button.connect_clicked(move |button| open(button, send.clone()));
        Self { button }
    }
}

fn open(anchor: &gtk::Button, send: Send) {
    let form = FormDialog::new(
        anchor,
        &gettext("Add Webhook"),
        &gettext("Events of the chosen profiles are posted to this URL."),
    );
    let name = adw::EntryRow::builder().title(gettext("Name")).build();
    let url = adw::EntryRow::builder().title(gettext("URL")).build();
    let format = adw::ComboRow::builder()
        .title(gettext("Format"))
        .model(&gtk::StringList::new(&["json", "ntfy"]))
        .build();
    let secret = adw::EntryRow::builder()
        .title(gettext("Token secret name (optional)"))
        .build();
    form.list.append(&name);
    form.list.append(&url);
    form.list.append(&format);
    form.list.append(&secret);
    let profiles = gtk::Box::builder()
        .spacing(12)
        .margin_top(12)
        .halign(gtk::Align::Center)
        .build();
    let checks: Vec<(&str, gtk::CheckButton)> = [
        ("critical", gettext("Critical")),
        ("info", gettext("Info")),
        ("digest", gettext("Digest")),
    ]
    .into_iter()
    .map(|(id, label)| {
        let check = gtk::CheckButton::with_label(&label);
        check.set_active(id == "critical");
        profiles.append(&check);
        (id, check)
    })
    .collect();
    form.content.append(&profiles);
    form.present(move || {
        let format = if format.selected() == 1 {
            "ntfy"
        } else {
            "json"
        };
        let hook = WebhookInfo {
            name: name.text().trim().to_owned(),
            url: url.text().trim().to_owned(),
            format: format.to_owned(),
            profiles: checks
                .iter()
                .filter(|(_, c)| c.is_active())
                .map(|(id, _)| (*id).to_owned())
                .collect(),
            secret: secret.text().trim().to_owned(),
            last_result: String::new(),
        };
        send(DaemonRequest::ChangeNotices(NoticeChange::SaveWebhook(
            hook,
        )));
    });
}
