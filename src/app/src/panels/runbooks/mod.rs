//! Runbooks panel: the catalog (with problems shown inline), Run, and the recent runs with
//! approve, cancel and resume. Live: refreshed from the daemon's Runbooks1 signals.

mod run_row;
mod runbook_row;

use crate::connection::DaemonRequest;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{RunInfo, RunbookInfo};
use run_row::{RunRow, RunRowOutput};
use runbook_row::{RunbookRow, RunbookRowOutput};

pub struct RunbooksPanel {
    runbooks: FactoryVecDeque<RunbookRow>,
    runs: FactoryVecDeque<RunRow>,
}

#[derive(Debug)]
pub enum RunbooksInput {
    Show {
        runbooks: Vec<RunbookInfo>,
        runs: Vec<RunInfo>,
    },
    Run {
        id: String,
        name: String,
        confirm: bool,
    },
    Request(DaemonRequest),
}

#[derive(Debug)]
pub enum RunbooksOutput {
    Request(DaemonRequest),
}

#[relm4::component(pub)]
impl SimpleComponent for RunbooksPanel {
    type Init = ();
    type Input = RunbooksInput;
    type Output = RunbooksOutput;

    view! {
        #[root]
        gtk::Stack {
            set_vexpand: true,

            add_named[Some("empty")] = &adw::StatusPage {
                set_icon_name: Some("view-list-bullet-symbolic"),
                set_title: &gettext("No Runbooks"),
                set_description: Some(&gettext("Put runbook YAML files in ~/.config/roxy/runbooks/. They appear here as soon as they are saved.")),
            },

            add_named[Some("list")] = &gtk::ScrolledWindow {
                set_hscrollbar_policy: gtk::PolicyType::Never,

                adw::Clamp {
                    set_maximum_size: 900,
                    set_margin_all: 18,

                    gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_spacing: 12,

                        gtk::Label {
                            set_xalign: 0.0,
                            add_css_class: "heading",
                            set_label: &gettext("Runbooks"),
                        },
                        #[local_ref]
                        runbook_list -> gtk::ListBox {
                            add_css_class: "boxed-list",
                            set_selection_mode: gtk::SelectionMode::None,
                        },

                        gtk::Label {
                            set_xalign: 0.0,
                            set_margin_top: 12,
                            add_css_class: "heading",
                            set_label: &gettext("Recent Runs"),
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
            },

            #[watch]
            set_visible_child_name: if model.runbooks.is_empty() { "empty" } else { "list" },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let runbooks = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                RunbookRowOutput::Run { id, name, confirm } => {
                    RunbooksInput::Run { id, name, confirm }
                }
            });
        let runs = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                RunRowOutput::Approve(run) => {
                    RunbooksInput::Request(DaemonRequest::ApproveRun(run))
                }
                RunRowOutput::Cancel(run) => RunbooksInput::Request(DaemonRequest::CancelRun(run)),
                RunRowOutput::Resume(run) => RunbooksInput::Request(DaemonRequest::ResumeRun(run)),
            });
        let model = RunbooksPanel { runbooks, runs };
        let runbook_list = model.runbooks.widget();
        let run_list = model.runs.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: RunbooksInput, sender: ComponentSender<Self>) {
        match input {
            RunbooksInput::Show { runbooks, runs } => {
                let mut rows = self.runbooks.guard();
                rows.clear();
                for r in runbooks {
                    rows.push_back(r);
                }
                drop(rows);
                let mut rows = self.runs.guard();
                rows.clear();
                for r in runs {
                    rows.push_back(r);
                }
            }
            RunbooksInput::Run { id, name, confirm } => {
                if confirm {
                    self.confirm(id, &name, sender);
                } else {
                    let _ = sender.output(RunbooksOutput::Request(DaemonRequest::RunRunbook {
                        id,
                        approve: false,
                    }));
                }
            }
            RunbooksInput::Request(request) => {
                let _ = sender.output(RunbooksOutput::Request(request));
            }
        }
    }
}

impl RunbooksPanel {
    /// Runbook ids in display order; for tests.
    pub fn runbook_ids(&self) -> Vec<String> {
        self.runbooks.iter().map(|r| r.info().id.clone()).collect()
    }

    /// Recent runs as shown, newest first; for tests.
    pub fn runs(&self) -> Vec<RunInfo> {
        self.runs.iter().map(|r| r.info().clone()).collect()
    }

    /// A `confirm: true` runbook: the dialog is the approval.
    fn confirm(&self, id: String, name: &str, sender: ComponentSender<Self>) {
        let body = fill(
            &gettext("“{}” asks for an approval before it starts. Running it now records you as the approver."),
            &[&name],
        );
        let question = crate::confirm::Question {
            heading: &gettext("Run this runbook?"),
            body: &body,
            decline: &gettext("_Cancel"),
            accept: &gettext("_Approve and Run"),
            appearance: adw::ResponseAppearance::Suggested,
        };
        crate::confirm::ask(self.runbooks.widget(), question, move || {
            let _ = sender.output(RunbooksOutput::Request(DaemonRequest::RunRunbook {
                id: id.clone(),
                approve: true,
            }));
        });
    }
}
