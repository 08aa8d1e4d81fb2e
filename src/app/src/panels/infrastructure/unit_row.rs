//! One systemd unit: state, what it is, and (for user units) start, stop and restart.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;
use roxy_ipc::UnitInfo;

pub struct UnitRow {
    pub info: UnitInfo,
}

#[derive(Debug)]
pub enum UnitRowOutput {
    Action { unit: String, action: &'static str },
}

fn chip(info: &UnitInfo) -> (String, &'static str) {
    match info.active_state.as_str() {
        "active" => (gettext("Active"), "success"),
        "failed" => (gettext("Failed"), "error"),
        "activating" | "deactivating" | "reloading" => (info.active_state.clone(), "accent"),
        _ => (gettext("Inactive"), "dim"),
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for UnitRow {
    type Init = UnitInfo;
    type Input = ();
    type Output = UnitRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            set_title: &self.info.name,
            set_subtitle: &format!("{} · {} · {}", self.info.description, self.info.scope, self.info.sub_state),
            add_prefix = &gtk::Label {
                set_valign: gtk::Align::Center,
                set_width_chars: 9,
                set_label: &chip(&self.info).0,
                set_css_classes: &["roxy-state", chip(&self.info).1],
            },
            add_suffix = &gtk::Button {
                set_icon_name: "media-playback-start-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Start")),
                set_visible: self.info.scope == "user" && self.info.active_state != "active",
                connect_clicked[sender, unit = self.info.name.clone()] => move |_| {
                    let _ = sender.output(UnitRowOutput::Action { unit: unit.clone(), action: "start" });
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "media-playback-stop-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Stop")),
                set_visible: self.info.scope == "user" && self.info.active_state == "active",
                connect_clicked[sender, unit = self.info.name.clone()] => move |_| {
                    let _ = sender.output(UnitRowOutput::Action { unit: unit.clone(), action: "stop" });
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "view-refresh-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Restart")),
                set_visible: self.info.scope == "user",
                connect_clicked[sender, unit = self.info.name.clone()] => move |_| {
                    let _ = sender.output(UnitRowOutput::Action { unit: unit.clone(), action: "restart" });
                },
            },
        }
    }

    fn init_model(info: UnitInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
