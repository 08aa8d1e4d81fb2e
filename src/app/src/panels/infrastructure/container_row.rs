//! One container: state and health, uptime, CPU and memory, self-healing, and its actions.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::ContainerInfo;

pub struct ContainerRow {
    pub info: ContainerInfo,
}

#[derive(Debug)]
pub enum ContainerRowOutput {
    Action {
        container: String,
        action: &'static str,
    },
    Logs(String),
    Healing {
        container: String,
        on: bool,
    },
}

/// The chip: the health when there is a health check, else the state.
pub fn status(info: &ContainerInfo) -> (String, &'static str) {
    match (info.state.as_str(), info.health.as_str()) {
        ("running", "unhealthy") => (gettext("Unhealthy"), "error"),
        ("running", "starting") => (gettext("Starting"), "accent"),
        ("running", _) => (gettext("Running"), "success"),
        ("restarting", _) => (gettext("Restarting"), "warning"),
        ("paused", _) => (gettext("Paused"), "dim"),
        ("exited", _) if info.exit_code != 0 => {
            (fill(&gettext("Exited ({})"), &[&info.exit_code]), "error")
        }
        ("exited", _) => (gettext("Stopped"), "dim"),
        ("created", _) => (gettext("Created"), "dim"),
        (other, _) => (other.to_owned(), "dim"),
    }
}

fn subtitle(info: &ContainerInfo) -> String {
    let mut parts = vec![info.image.clone()];
    if info.state == "running" {
        if info.started_at > 0 {
            parts.push(fill(
                &gettext("up since {}"),
                &[&crate::panels::runbooks::local_time(info.started_at)],
            ));
        }
        parts.push(format!("CPU {:.1} %", info.cpu_pct));
        parts.push(format!("{:.0} MiB", info.memory_bytes as f64 / 1048576.0));
    }
    if info.restart_count > 0 {
        parts.push(fill(&gettext("{} restarts"), &[&info.restart_count]));
    }
    match info.heal.as_str() {
        "gave-up" => parts.push(gettext("self-healing gave up")),
        "restarting" => parts.push(gettext("self-healing: restart pending")),
        "watching" if info.heal_restarts > 0 => parts.push(fill(
            &gettext("self-healing: {} restarts"),
            &[&info.heal_restarts],
        )),
        _ => {}
    }
    parts.extend(info.heal_problems.iter().cloned());
    parts.join(" · ")
}

#[relm4::factory(pub)]
impl FactoryComponent for ContainerRow {
    type Init = ContainerInfo;
    type Input = ();
    type Output = ContainerRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            #[watch]
            set_title: &self.info.name,
            #[watch]
            set_subtitle: &subtitle(&self.info),
            set_subtitle_lines: 2,

            add_prefix = &gtk::Label {
                set_valign: gtk::Align::Center,
                set_width_chars: 9,
                #[watch]
                set_label: &status(&self.info).0,
                #[watch]
                set_css_classes: &["roxy-state", status(&self.info).1],
            },
            add_suffix = &gtk::ToggleButton {
                set_icon_name: "emblem-synchronizing-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Self-healing: restart when unhealthy or crashed")),
                #[watch]
                #[block_signal(heal_toggled)]
                set_active: self.info.heal != "off",
                connect_toggled[sender, name = self.info.name.clone()] => move |b| {
                    let _ = sender.output(ContainerRowOutput::Healing { container: name.clone(), on: b.is_active() });
                } @heal_toggled,
            },
            add_suffix = &gtk::Button {
                set_icon_name: "media-playback-start-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Start")),
                #[watch]
                set_visible: self.info.state != "running",
                connect_clicked[sender, name = self.info.name.clone()] => move |_| {
                    let _ = sender.output(ContainerRowOutput::Action { container: name.clone(), action: "start" });
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "media-playback-stop-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Stop")),
                #[watch]
                set_visible: self.info.state == "running",
                connect_clicked[sender, name = self.info.name.clone()] => move |_| {
                    let _ = sender.output(ContainerRowOutput::Action { container: name.clone(), action: "stop" });
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "view-refresh-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Restart")),
                connect_clicked[sender, name = self.info.name.clone()] => move |_| {
                    let _ = sender.output(ContainerRowOutput::Action { container: name.clone(), action: "restart" });
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "utilities-terminal-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Logs")),
                connect_clicked[sender, id = self.info.id.clone()] => move |_| {
                    let _ = sender.output(ContainerRowOutput::Logs(id.clone()));
                },
            },
        }
    }

    fn init_model(
        info: ContainerInfo,
        _index: &DynamicIndex,
        _sender: FactorySender<Self>,
    ) -> Self {
        Self { info }
    }
}
