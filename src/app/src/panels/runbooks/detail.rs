//! One runbook as written: description, tags, triggers, problems, every step, and its recent
//! runs; Run (or a dry run that only shows the resolved plan) and Schedule.

use super::run_row::{RunRow, RunRowOutput};
use crate::connection::DaemonRequest;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use roxy_ipc::{RunInfo, RunbookInfo, StepInfo};

pub struct RunbookDetail {
    info: Option<RunbookInfo>,
    steps: gtk::ListBox,
    runs: FactoryVecDeque<RunRow>,
    dry_run: bool,
}

#[derive(Debug)]
pub enum DetailInput {
    Show {
        info: Box<RunbookInfo>,
        steps: Vec<StepInfo>,
        runs: Vec<RunInfo>,
    },
    SetDryRun(bool),
    Run,
    Schedule,
    Forward(RunRowOutput),
    Back,
}

#[derive(Debug)]
pub enum DetailOutput {
    Run {
        id: String,
        name: String,
        confirm: bool,
    },
    Schedule(String),
    Request(DaemonRequest),
    /// A click in the runs list, handled like one in the panel's own list.
    RunRow(RunRowOutput),
    Back,
}

impl RunbookDetail {
    pub fn runbook_id(&self) -> Option<&str> {
        self.info.as_ref().map(|i| i.id.as_str())
    }

    /// Step titles as shown; for tests.
    pub fn step_titles(&self) -> Vec<String> {
        let mut titles = Vec::new();
        let mut child = self.steps.first_child();
        while let Some(row) = child {
            if let Some(row) = row.downcast_ref::<adw::ActionRow>() {
                titles.push(row.title().to_string());
            }
            child = row.next_sibling();
        }
        titles
    }

    fn field(&self, f: impl Fn(&RunbookInfo) -> String) -> String {
        self.info.as_ref().map(f).unwrap_or_default()
    }

    fn facts(&self) -> String {
        let Some(info) = &self.info else {
            return String::new();
        };
        let mut lines = Vec::new();
        if !info.description.is_empty() {
            lines.push(info.description.clone());
        }
        if !info.tags.is_empty() {
            lines.push(fill(&gettext("Tags: {}"), &[&info.tags.join(", ")]));
        }
        if info.confirm {
            lines.push(gettext("Asks for an approval before it starts."));
        }
        if info.heavy {
            lines.push(gettext("Heavy: may wait while the machine is on battery."));
        }
        for trigger in &info.triggers {
            lines.push(fill(&gettext("Starts when files change: {}"), &[trigger]));
        }
        lines.push(info.path.clone());
        lines.join("\n")
    }

    fn fill_steps(&self, steps: &[StepInfo]) {
        while let Some(child) = self.steps.first_child() {
            self.steps.remove(&child);
        }
        for step in steps {
            let mut facts = vec![format!("{} · {}", step.id, step.kind)];
            if !step.when.is_empty() {
                facts.push(fill(&gettext("when {}"), &[&step.when]));
            }
            if step.retries > 0 {
                facts.push(fill(
                    &ngettext("{} retry", "{} retries", step.retries),
                    &[&step.retries],
                ));
            }
            if step.on_failure != "abort" {
                facts.push(fill(&gettext("on failure: {}"), &[&step.on_failure]));
            }
            let row = adw::ActionRow::builder()
                .use_markup(false)
                .title(format!("{}. {}", step.index + 1, step.name))
                .subtitle(format!("{}\n{}", step.detail, facts.join(" · ")))
                .subtitle_lines(4)
                .build();
            self.steps.append(&row);
        }
    }
}

#[relm4::component(pub)]
impl SimpleComponent for RunbookDetail {
    type Init = ();
    type Input = DetailInput;
    type Output = DetailOutput;

    view! {
        #[root]
        gtk::ScrolledWindow {
            set_hscrollbar_policy: gtk::PolicyType::Never,

            adw::Clamp {
                set_maximum_size: 900,
                set_margin_all: 18,

                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_spacing: 12,

                    gtk::Box {
                        set_spacing: 12,
                        gtk::Button {
                            set_icon_name: "go-previous-symbolic",
                            set_tooltip_text: Some(&gettext("Back to the runbooks (Escape)")),
                            set_valign: gtk::Align::Center,
                            add_css_class: "flat",
                            connect_clicked => DetailInput::Back,
                        },
                        gtk::Label {
                            set_xalign: 0.0,
                            set_hexpand: true,
                            set_wrap: true,
                            add_css_class: "title-2",
                            #[watch]
                            set_label: &model.field(|i| i.name.clone()),
                        },
                        gtk::CheckButton {
                            set_label: Some(&gettext("Dry run")),
                            set_tooltip_text: Some(&gettext("Show the resolved plan instead of running anything")),
                            set_valign: gtk::Align::Center,
                            #[watch]
                            set_active: model.dry_run,
                            connect_toggled[sender] => move |b| {
                                sender.input(DetailInput::SetDryRun(b.is_active()));
                            },
                        },
                        gtk::Button {
                            #[watch]
                            set_label: &if model.dry_run { gettext("Show Plan") } else { gettext("Run") },
                            set_valign: gtk::Align::Center,
                            add_css_class: "suggested-action",
                            #[watch]
                            set_sensitive: model.info.as_ref().is_some_and(|i| i.errors.is_empty()),
                            connect_clicked => DetailInput::Run,
                        },
                        gtk::Button {
                            set_icon_name: "alarm-symbolic",
                            set_tooltip_text: Some(&gettext("Schedule this runbook")),
                            set_valign: gtk::Align::Center,
                            #[watch]
                            set_sensitive: model.info.as_ref().is_some_and(|i| i.errors.is_empty()),
                            connect_clicked => DetailInput::Schedule,
                        },
                    },

                    gtk::Label {
                        set_xalign: 0.0,
                        set_wrap: true,
                        set_selectable: true,
                        add_css_class: "dim-label",
                        #[watch]
                        set_label: &model.facts(),
                    },

                    gtk::Label {
                        set_xalign: 0.0,
                        set_wrap: true,
                        set_selectable: true,
                        add_css_class: "error",
                        #[watch]
                        set_label: &model.field(|i| i.errors.join("\n")),
                        #[watch]
                        set_visible: model.info.as_ref().is_some_and(|i| !i.errors.is_empty()),
                    },

                    gtk::Label {
                        set_xalign: 0.0,
                        add_css_class: "heading",
                        set_label: &gettext("Steps"),
                    },
                    #[local_ref]
                    step_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                    },

                    gtk::Label {
                        set_xalign: 0.0,
                        set_margin_top: 12,
                        add_css_class: "heading",
                        set_label: &gettext("Runs"),
                        #[watch]
                        set_visible: !model.runs.is_empty(),
                    },
                    #[local_ref]
                    run_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                        #[watch]
                        set_visible: !model.runs.is_empty(),
                    },
                },
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let runs = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), DetailInput::Forward);
        let model = RunbookDetail {
            info: None,
            steps: gtk::ListBox::default(),
            runs,
            dry_run: false,
        };
        let step_list = &model.steps;
        let run_list = model.runs.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: DetailInput, sender: ComponentSender<Self>) {
        match input {
            DetailInput::Show { info, steps, runs } => {
                self.fill_steps(&steps);
                self.info = Some(*info);
                let mut rows = self.runs.guard();
                rows.clear();
                for run in runs {
                    rows.push_back(run);
                }
            }
            DetailInput::SetDryRun(on) => self.dry_run = on,
            DetailInput::Run => {
                let Some(info) = &self.info else { return };
                let output = if self.dry_run {
                    DetailOutput::Request(DaemonRequest::PlanRunbook(info.id.clone()))
                } else {
                    DetailOutput::Run {
                        id: info.id.clone(),
                        name: info.name.clone(),
                        confirm: info.confirm,
                    }
                };
                let _ = sender.output(output);
            }
            DetailInput::Schedule => {
                if let Some(id) = self.runbook_id() {
                    let _ = sender.output(DetailOutput::Schedule(id.to_owned()));
                }
            }
            DetailInput::Forward(row) => {
                let _ = sender.output(DetailOutput::RunRow(row));
            }
            DetailInput::Back => {
                let _ = sender.output(DetailOutput::Back);
            }
        }
    }
}
