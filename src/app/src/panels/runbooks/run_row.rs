//! One recent run: state, who started it, and the actions its state allows.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RunInfo;

pub struct RunRow {
    info: RunInfo,
}

#[derive(Debug)]
pub enum RunRowOutput {
    Approve(u64),
    Cancel(u64),
    Resume(u64),
    /// Show the run live.
    Open(u64),
}

impl RunRow {
    pub fn info(&self) -> &RunInfo {
        &self.info
    }

    fn state(&self) -> &str {
        self.info.state.as_str()
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for RunRow {
    type Init = RunInfo;
    type Input = ();
    type Output = RunRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            // Names, messages and errors are plain text, never markup.
            set_use_markup: false,
            set_activatable: true,
            set_tooltip_text: Some(&gettext("Show steps and output")),
            connect_activated[sender, run = self.info.id] => move |_| {
                let _ = sender.output(RunRowOutput::Open(run));
            },
            set_title: &fill(&gettext("{} — run {}"), &[&self.info.runbook_name, &self.info.id]),
            set_subtitle: &if self.info.message.is_empty() { self.info.actor.clone() } else { format!("{} · {}", self.info.actor, self.info.message) },
            set_subtitle_lines: 3,

            add_suffix = &gtk::Label {
                set_label: &super::state::label(&self.info.state),
                set_valign: gtk::Align::Center,
                set_css_classes: &["roxy-state", super::state::css_class(&self.info.state)],
            },
            add_suffix = &gtk::Button {
                set_label: &gettext("Approve"),
                set_valign: gtk::Align::Center,
                add_css_class: "suggested-action",
                set_visible: self.state() == "awaiting_approval",
                connect_clicked[sender, run = self.info.id] => move |_| {
                    let _ = sender.output(RunRowOutput::Approve(run));
                },
            },
            add_suffix = &gtk::Button {
                set_label: &gettext("Resume"),
                set_valign: gtk::Align::Center,
                set_visible: matches!(self.state(), "failed" | "interrupted" | "cancelled"),
                connect_clicked[sender, run = self.info.id] => move |_| {
                    let _ = sender.output(RunRowOutput::Resume(run));
                },
            },
            add_suffix = &gtk::Button {
                set_icon_name: "process-stop-symbolic",
                set_tooltip_text: Some(&gettext("Cancel run")),
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_visible: matches!(self.state(), "running" | "awaiting_approval"),
                connect_clicked[sender, run = self.info.id] => move |_| {
                    let _ = sender.output(RunRowOutput::Cancel(run));
                },
            },
        }
    }

    fn init_model(info: RunInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
