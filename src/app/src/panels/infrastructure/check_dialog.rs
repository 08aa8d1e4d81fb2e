//! "Add Check": name, target and interval (plus the keyword for HTTP); roxyd checks the
//! fields and a refused one comes back as a toast naming it.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;
use roxy_ipc::CheckSpecInfo;

/// Interval choices: label and milliseconds.
fn intervals() -> Vec<(String, u64)> {
    vec![
        (gettext("Every second"), 1_000),
        (gettext("Every 10 seconds"), 10_000),
        (gettext("Every 30 seconds"), 30_000),
        (gettext("Every minute"), 60_000),
        (gettext("Every 5 minutes"), 300_000),
        (gettext("Every hour"), 3_600_000),
    ]
}

pub fn present(anchor: &impl IsA<gtk::Widget>, save: impl Fn(CheckSpecInfo) + 'static) {
    let parent = anchor.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::builder()
        .heading(gettext("Add Check"))
        .body(gettext(
            "Targets: https://host/path, tcp://host:port, tls://host, dns://name or icmp://host.",
        ))
        .modal(true)
        .build();
    dialog.set_transient_for(parent.as_ref());
    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .build();
    list.add_css_class("boxed-list");
    let name = adw::EntryRow::builder().title(gettext("Name")).build();
    let target = adw::EntryRow::builder().title(gettext("Target")).build();
    let choices = intervals();
    let labels: Vec<&str> = choices.iter().map(|(l, _)| l.as_str()).collect();
    let interval = adw::ComboRow::builder()
        .title(gettext("Interval"))
        .model(&gtk::StringList::new(&labels))
        .selected(2)
        .build();
    let keyword = adw::EntryRow::builder()
        .title(gettext("Text the page must contain (HTTP, optional)"))
        .build();
    list.append(&name);
    list.append(&target);
    list.append(&interval);
    list.append(&keyword);
    dialog.set_extra_child(Some(&list));
    dialog.add_responses(&[("cancel", &gettext("Cancel")), ("add", &gettext("Add"))]);
    dialog.set_response_appearance("add", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("add"));
    dialog.connect_response(None, move |_, response| {
        if response != "add" {
            return;
        }
        let interval_ms = choices
            .get(interval.selected() as usize)
            .map(|(_, ms)| *ms)
            .unwrap_or(30_000);
        save(CheckSpecInfo {
            name: name.text().trim().to_owned(),
            target: target.text().trim().to_owned(),
            interval_ms,
            keyword: keyword.text().trim().to_owned(),
            warn_days: 14,
            enabled: true,
            ..Default::default()
        });
    });
    dialog.present();
}
