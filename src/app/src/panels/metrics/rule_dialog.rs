//! "Add Alert Rule": a name, a condition such as `disk.root_used_pct > 90`, how long it must
//! hold and how loud it is; roxyd checks it and a refused field comes back as a toast.

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
    let parent = anchor.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::builder()
        .heading(gettext("Add Alert Rule"))
        .body(gettext("A condition is a metric, a comparison and a number, such as cpu > 90 or check.*.up < 1 (one alert per check)."))
        .modal(true)
        .build();
    dialog.set_transient_for(parent.as_ref());
    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .build();
    list.add_css_class("boxed-list");
    let name = adw::EntryRow::builder().title(gettext("Name")).build();
    let condition = adw::EntryRow::builder().title(gettext("Condition")).build();
    let choices = holds();
    let labels: Vec<&str> = choices.iter().map(|(l, _)| l.as_str()).collect();
    let hold = adw::ComboRow::builder()
        .title(gettext("Must hold for"))
        .model(&gtk::StringList::new(&labels))
        .selected(2)
        .build();
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
    list.append(&name);
    list.append(&condition);
    list.append(&hold);
    list.append(&critical);
    dialog.set_extra_child(Some(&list));
    dialog.add_responses(&[("cancel", &gettext("Cancel")), ("add", &gettext("Add"))]);
    dialog.set_response_appearance("add", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("add"));
    dialog.connect_response(None, move |_, response| {
        if response != "add" {
            return;
        }
        save(AlertRuleInfo {
            name: name.text().trim().to_owned(),
            condition: condition.text().trim().to_owned(),
            for_seconds: choices
                .get(hold.selected() as usize)
                .map(|(_, s)| *s)
                .unwrap_or(60),
            severity: if switch.is_active() {
                "critical"
            } else {
                "warning"
            }
            .to_owned(),
            enabled: true,
        });
    });
    dialog.present();
}
