//! "Add Check": name, target and interval (plus the keyword for HTTP); roxyd checks the
//! fields and a refused one comes back as a toast naming it.

use crate::form_dialog::FormDialog;
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
    let form = FormDialog::new(
        anchor,
        &gettext("Add Check"),
        &gettext(
            "Targets: https://host/path, tcp://host:port, tls://host, dns://name or icmp://host.",
        ),
    );
    let name = adw::EntryRow::builder().title(gettext("Name")).build();
    let target = adw::EntryRow::builder().title(gettext("Target")).build();
    let choices = intervals();
    let interval = FormDialog::choice_row(&gettext("Interval"), &choices, 2);
    let keyword = adw::EntryRow::builder()
        .title(gettext("Text the page must contain (HTTP, optional)"))
        .build();
    form.list.append(&name);
    form.list.append(&target);
    form.list.append(&interval);
    form.list.append(&keyword);
    form.present(move || {
        save(CheckSpecInfo {
            name: name.text().trim().to_owned(),
            target: target.text().trim().to_owned(),
            interval_ms: FormDialog::value(&interval, &choices).unwrap_or(30_000),
            keyword: keyword.text().trim().to_owned(),
            warn_days: 14,
            enabled: true,
            ..Default::default()
        });
    });
}
