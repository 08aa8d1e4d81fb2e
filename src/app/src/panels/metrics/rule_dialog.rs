//! "Add Alert Rule": a name, a condition such as `disk.root_used_pct > 90`, how long it must
//! hold and how loud it is; roxyd checks it and a refused field comes back as a toast.

use crate::form_dialog::FormDialog;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;
use roxy_ipc::AlertRuleInfo;

/// Hold choices: label and seconds.
fn holds() -> Vec<(String, u64)> {
    vec![
        (gettext("At once"), 0),
        (gettext("30 seconds"), 30),
        (gettext("1 minute"), 60),
        (gettext("5 minutes"), 300),
        (gettext("15 minutes"), 900),
        (gettext("1 hour"), 3600),
    ]
}

pub fn present(anchor: &impl IsA<gtk::Widget>, save: impl Fn(AlertRuleInfo) + 'static) {
    let form = FormDialog::new(
        anchor,
        &gettext("Add Alert Rule"),
        &gettext("A condition is a metric, a comparison and a number, such as cpu > 90 or check.*.up < 1 (one alert per check)."),
    );
    let name = adw::EntryRow::builder().title(gettext("Name")).build();
    let condition = adw::EntryRow::builder().title(gettext("Condition")).build();
    let choices = holds();
    let hold = FormDialog::choice_row(&gettext("Must hold for"), &choices, 2);
    let critical = adw::ActionRow::builder()
        .title(gettext("Critical"))
        .subtitle(gettext("Off: a warning"))
        .build();
    let switch = gtk::Switch::builder()
        .active(true)
        .valign(gtk::Align::Center)
        .build();
    critical.add_suffix(&switch);
    critical.set_activatable_widget(Some(&switch));
    form.list.append(&name);
    form.list.append(&condition);
    form.list.append(&hold);
    form.list.append(&critical);
    form.present(move || {
        save(AlertRuleInfo {
            name: name.text().trim().to_owned(),
            condition: condition.text().trim().to_owned(),
            for_seconds: FormDialog::value(&hold, &choices).unwrap_or(60),
            severity: if switch.is_active() {
                "critical"
            } else {
                "warning"
            }
            .to_owned(),
            enabled: true,
        });
    });
}
