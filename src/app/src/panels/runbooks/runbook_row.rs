//! One runbook in the list: name, description or problems, last result, Run.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::gettext;
use roxy_ipc::RunbookInfo;

pub struct RunbookRow {
    info: RunbookInfo,
}

#[derive(Debug)]
pub enum RunbookRowOutput {
    Run {
        id: String,
        name: String,
        confirm: bool,
    },
    /// Show the runbook's steps and runs.
    Open(String),
}

impl RunbookRow {
    pub fn info(&self) -> &RunbookInfo {
        &self.info
    }

    fn subtitle(&self) -> String {
        if !self.info.errors.is_empty() {
            return self.info.errors.join("\n");
        }
        let mut parts = Vec::new();
        if !self.info.description.is_empty() {
            parts.push(self.info.description.clone());
        }
        if !self.info.tags.is_empty() {
            let tags: Vec<String> = self.info.tags.iter().map(|t| format!("#{t}")).collect();
            parts.push(tags.join(" "));
        }
        if !self.info.triggers.is_empty() {
            parts.push(gettext("file trigger"));
        }
        if !self.info.last_state.is_empty() {
            parts.push(format!("{}: {}", gettext("Last run"), self.info.last_state));
        }
        parts.join(" · ")
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for RunbookRow {
    type Init = RunbookInfo;
    type Input = ();
    type Output = RunbookRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            // Names, messages and errors are plain text, never markup.
            set_use_markup: false,
            set_title: &self.info.name,
            set_subtitle: &self.subtitle(),
            set_subtitle_lines: 4,
            set_title_lines: 1,
            set_activatable: !self.info.id.is_empty(),
            connect_activated[sender, id = self.info.id.clone()] => move |_| {
                let _ = sender.output(RunbookRowOutput::Open(id.clone()));
            },

            add_prefix = &gtk::Image {
                set_icon_name: Some(if self.info.errors.is_empty() { "view-list-bullet-symbolic" } else { "dialog-warning-symbolic" }),
                add_css_class: if self.info.errors.is_empty() { "dim-label" } else { "warning" },
            },

            add_suffix = &gtk::Button {
                set_label: &gettext("Run"),
                set_valign: gtk::Align::Center,
                set_visible: !self.info.id.is_empty(),
                set_sensitive: self.info.errors.is_empty(),
                set_tooltip_text: Some(&if self.info.confirm { gettext("Needs an approval") } else { gettext("Run now") }),
                connect_clicked[sender, id = self.info.id.clone(), name = self.info.name.clone(), confirm = self.info.confirm] => move |_| {
                    let _ = sender.output(RunbookRowOutput::Run { id: id.clone(), name: name.clone(), confirm });
                },
            },
        }
    }

    fn init_model(info: RunbookInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
