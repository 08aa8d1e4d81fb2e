//! One step of a watched run: state, duration, attempts, exit code, and Skip / Approve while
//! they apply.

use super::state;
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use roxy_ipc::RunStepInfo;

pub struct StepRow {
    pub info: RunStepInfo,
}

#[derive(Debug)]
pub enum StepRowOutput {
    Skip(String),
    Approve,
}

impl StepRow {
    fn subtitle(&self) -> String {
        let mut parts = vec![self.info.step_id.clone()];
        let took = state::duration(self.info.started_at, self.info.finished_at);
        if !took.is_empty() {
            parts.push(took);
        }
        if self.info.attempts > 1 {
            parts.push(fill(
                &ngettext("{} attempt", "{} attempts", self.info.attempts),
                &[&self.info.attempts],
            ));
        }
        if self.info.exit_code >= 0 {
            parts.push(fill(&gettext("exit {}"), &[&self.info.exit_code]));
        }
        parts.join(" · ")
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for StepRow {
    type Init = RunStepInfo;
    type Input = ();
    type Output = StepRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            #[watch]
            set_title: &format!("{}. {}", self.info.index + 1, self.info.name),
            #[watch]
            set_subtitle: &self.subtitle(),

            add_suffix = &gtk::Button {
                set_label: &gettext("Approve"),
                set_valign: gtk::Align::Center,
                add_css_class: "suggested-action",
                #[watch]
                set_visible: self.info.state == "waiting_approval",
                connect_clicked[sender] => move |_| {
                    let _ = sender.output(StepRowOutput::Approve);
                },
            },
            add_suffix = &gtk::Button {
                set_label: &gettext("Skip"),
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Skip this step when the run gets to it")),
                #[watch]
                set_visible: self.info.state == "pending",
                connect_clicked[sender, id = self.info.step_id.clone()] => move |_| {
                    let _ = sender.output(StepRowOutput::Skip(id.clone()));
                },
            },
            add_suffix = &gtk::Label {
                set_valign: gtk::Align::Center,
                #[watch]
                set_label: &state::label(&self.info.state),
                #[watch]
                set_css_classes: &["roxy-state", state::css_class(&self.info.state)],
            },
        }
    }

    fn init_model(info: RunStepInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
