//! The "Schedule runbook" dialog: how often (interval, daily time or cron) and what to do
//! with times missed while the machine slept.

use crate::connection::DaemonRequest;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use roxy_ipc::i18n::{fill, gettext};

const KINDS: [&str; 3] = ["every", "daily", "cron"];

fn placeholder(kind: &str) -> String {
    match kind {
        "every" => gettext("e.g. 15m, 2h, 1d"),
        "daily" => gettext("e.g. 07:30"),
        _ => gettext("e.g. 0 3 * * 1-5"),
    }
}

/// Asks how to schedule `runbook` and hands the request to `on_add`.
pub fn present(
    near: &impl IsA<gtk::Widget>,
    runbook: &str,
    on_add: impl Fn(DaemonRequest) + 'static,
) {
    let parent = near.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&gettext("Schedule Runbook")),
        Some(&fill(
            &gettext("When should “{}” run by itself?"),
            &[&runbook],
        )),
    );
    let kind_names = [gettext("Interval"), gettext("Daily at"), gettext("Cron")];
    let kind_refs: Vec<&str> = kind_names.iter().map(String::as_str).collect();
    let kind = gtk::DropDown::from_strings(&kind_refs);
    let spec = gtk::Entry::builder()
        .placeholder_text(placeholder("every"))
        .activates_default(true)
        .hexpand(true)
        .build();
    let missed_names = [
        gettext("Skip missed times"),
        gettext("Run once after missed times"),
    ];
    let missed_refs: Vec<&str> = missed_names.iter().map(String::as_str).collect();
    let missed = gtk::DropDown::from_strings(&missed_refs);
    {
        let spec = spec.clone();
        kind.connect_selected_notify(move |k| {
            spec.set_placeholder_text(Some(&placeholder(KINDS[k.selected() as usize % 3])));
        });
    }
    let form = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .build();
    let first = gtk::Box::builder().spacing(12).build();
    first.append(&kind);
    first.append(&spec);
    form.append(&first);
    form.append(&missed);
    dialog.set_extra_child(Some(&form));
    dialog.add_response("cancel", &gettext("_Cancel"));
    dialog.add_response("add", &gettext("_Add Schedule"));
    dialog.set_response_appearance("add", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("add"));
    dialog.set_close_response("cancel");
    let runbook = runbook.to_owned();
    let entry = spec.clone();
    dialog.connect_response(None, move |_, response| {
        if response != "add" {
            return;
        }
        on_add(DaemonRequest::AddSchedule {
            runbook: runbook.clone(),
            kind: KINDS[kind.selected() as usize % 3].to_string(),
            spec: spec.text().trim().to_string(),
            missed: if missed.selected() == 1 {
                "run_once".into()
            } else {
                "skip".into()
            },
        });
    });
    dialog.present();
    entry.grab_focus();
}
