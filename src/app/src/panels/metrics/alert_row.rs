//! One alert: severity, rule, subject, message, and when it fired and resolved.

use crate::panels::runbooks::local_time;
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::AlertInfo;

pub struct AlertRow {
    pub info: AlertInfo,
}

fn chip(info: &AlertInfo) -> (String, &'static str) {
    match (info.resolved_at, info.severity.as_str()) {
        (0, "critical") => (gettext("Critical"), "error"),
        (0, _) => (gettext("Warning"), "warning"),
        _ => (gettext("Resolved"), "dim"),
    }
}

fn when(info: &AlertInfo) -> String {
    if info.resolved_at == 0 {
        fill(&gettext("since {}"), &[&local_time(info.fired_at)])
    } else {
        fill(
            &gettext("{} – {}"),
            &[&local_time(info.fired_at), &local_time(info.resolved_at)],
        )
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for AlertRow {
    type Init = AlertInfo;
    type Input = ();
    type Output = ();
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            set_title: &format!("{} · {}", self.info.rule, self.info.subject),
            set_subtitle: &format!("{} · {}", when(&self.info), self.info.message),
            set_subtitle_lines: 2,
            add_prefix = &gtk::Label {
                set_valign: gtk::Align::Center,
                set_width_chars: 8,
                set_label: &chip(&self.info).0,
                set_css_classes: &["roxy-state", chip(&self.info).1],
            },
        }
    }

    fn init_model(info: AlertInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
