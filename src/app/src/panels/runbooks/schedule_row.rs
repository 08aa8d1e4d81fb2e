//! One schedule: what it runs and when, the next and last fire times, pause and remove.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::gtk::glib;
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::ScheduleInfo;

pub struct ScheduleRow {
    pub info: ScheduleInfo,
}

#[derive(Debug)]
pub enum ScheduleRowOutput {
    Pause { id: u64, paused: bool },
    Remove(u64),
}

/// A Unix-ms time in the local zone, e.g. "Mon 07:30".
pub fn local_time(ms: i64) -> String {
    glib::DateTime::from_unix_local(ms / 1000)
        .and_then(|t| t.format("%a %e %b %H:%M"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl ScheduleRow {
    fn title(&self) -> String {
        let when = match self.info.kind.as_str() {
            "every" => fill(&gettext("every {}"), &[&self.info.spec]),
            "daily" => fill(&gettext("daily at {}"), &[&self.info.spec]),
            _ => fill(&gettext("cron {}"), &[&self.info.spec]),
        };
        format!("{} — {when}", self.info.runbook_id)
    }

    fn subtitle(&self) -> String {
        let mut parts = Vec::new();
        if self.info.paused {
            parts.push(gettext("paused"));
        } else if self.info.next_fire_at > 0 {
            parts.push(fill(
                &gettext("next {}"),
                &[&local_time(self.info.next_fire_at)],
            ));
        }
        if self.info.last_fire_at > 0 {
            parts.push(fill(
                &gettext("last {}"),
                &[&local_time(self.info.last_fire_at)],
            ));
        }
        parts.push(if self.info.missed == "run_once" {
            gettext("missed times: run once")
        } else {
            gettext("missed times: skip")
        });
        parts.join(" · ")
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for ScheduleRow {
    type Init = ScheduleInfo;
    type Input = ();
    type Output = ScheduleRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            set_title: &self.title(),
            set_subtitle: &self.subtitle(),

            add_prefix = &gtk::Image {
                set_icon_name: Some("alarm-symbolic"),
                add_css_class: "dim-label",
            },
            add_suffix = &gtk::Switch {
                set_valign: gtk::Align::Center,
                set_active: !self.info.paused,
                set_tooltip_text: Some(&gettext("On: fires at its times. Off: paused.")),
                connect_state_set[sender, id = self.info.id] => move |_, on| {
                    let _ = sender.output(ScheduleRowOutput::Pause { id, paused: !on });
                    glib::Propagation::Proceed
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "user-trash-symbolic",
                set_tooltip_text: Some(&gettext("Remove schedule")),
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                connect_clicked[sender, id = self.info.id] => move |_| {
                    let _ = sender.output(ScheduleRowOutput::Remove(id));
                },
            },
        }
    }

    fn init_model(info: ScheduleInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
