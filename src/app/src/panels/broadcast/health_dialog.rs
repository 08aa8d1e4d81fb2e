//! "Stream Health": the limits behind the dropped-frames, render-lag and disk alerts, the same
//! for every OBS. roxyd checks the ranges; a refused value comes back as a toast naming it.

use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::broadcast::HealthThresholdsInfo;
use roxy_ipc::i18n::gettext;

/// A row with a number field; `range`, `step` and `digits` shape the field.
fn number_row(
    title: &str,
    subtitle: &str,
    value: f64,
    range: (f64, f64),
    step: f64,
    digits: u32,
) -> (adw::ActionRow, gtk::SpinButton) {
    let spin = gtk::SpinButton::with_range(range.0, range.1, step);
    spin.set_digits(digits);
    spin.set_value(value);
    spin.set_valign(gtk::Align::Center);
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(subtitle)
        .build();
    row.add_suffix(&spin);
    row.set_activatable_widget(Some(&spin));
    (row, spin)
}

pub fn present(
    anchor: &impl IsA<gtk::Widget>,
    current: &HealthThresholdsInfo,
    save: impl Fn(HealthThresholdsInfo) + 'static,
) {
    let form = FormDialog::new(
        anchor,
        &gettext("Stream Health"),
        &gettext("Roxy raises an alert and a notification when OBS crosses these limits, and clears it once things are well again. They apply to every OBS."),
    );
    let (lost_row, lost) = number_row(
        &gettext("Lost or skipped frames"),
        &gettext("Percent of frames the stream dropped or the renderer skipped"),
        current.lost_percent,
        (0.1, 50.0),
        0.5,
        1,
    );
    let (window_row, window) = number_row(
        &gettext("Counted over"),
        &gettext("Seconds"),
        f64::from(current.window_s),
        (5.0, 600.0),
        5.0,
        0,
    );
    let (disk_row, disk) = number_row(
        &gettext("Recording disk"),
        &gettext("Megabytes free below which a recording alerts; 0 turns it off"),
        current.disk_free_mb,
        (0.0, 10_000_000.0),
        512.0,
        0,
    );
    form.list.append(&lost_row);
    form.list.append(&window_row);
    form.list.append(&disk_row);
    form.present_as(&gettext("Save"), move || {
        save(HealthThresholdsInfo {
            lost_percent: lost.value(),
            window_s: window.value() as u32,
            disk_free_mb: disk.value(),
        });
    });
}
