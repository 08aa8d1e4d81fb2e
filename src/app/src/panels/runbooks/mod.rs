//! Runbooks panel: the catalog with search and tags (problems shown inline), recent runs and
//! schedules; a runbook's detail page (steps, runs, Run or dry run, Schedule); and the live
//! view of one run. Kept current by the daemon's Runbooks1 signals.

mod detail;
mod plan_dialog;
mod run_row;
mod run_view;
mod runbook_row;
mod schedule_dialog;
mod schedule_row;
pub use schedule_row::local_time;
mod state;
mod step_row;

use crate::connection::DaemonRequest;
use detail::{DetailInput, DetailOutput, RunbookDetail};
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::gtk::glib;
use relm4::{
    adw, gtk, Component, ComponentController, ComponentParts, ComponentSender, Controller,
    RelmWidgetExt, SimpleComponent,
};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{RunInfo, RunStepInfo, RunbookInfo, ScheduleInfo, StepInfo};
use run_row::{RunRow, RunRowOutput};
use run_view::{RunView, RunViewInput, RunViewOutput};
use runbook_row::{RunbookRow, RunbookRowOutput};
use schedule_row::{ScheduleRow, ScheduleRowOutput};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    List,
    Detail,
    Run,
}

impl Page {
    fn name(self) -> &'static str {
        match self {
            Page::List => "list",
            Page::Detail => "detail",
            Page::Run => "run",
        }
    }
}

pub struct RunbooksPanel {
    all: Vec<RunbookInfo>,
    search: String,
    runbooks: FactoryVecDeque<RunbookRow>,
    runs: FactoryVecDeque<RunRow>,
    schedules: FactoryVecDeque<ScheduleRow>,
    detail: Controller<RunbookDetail>,
    run_view: Controller<RunView>,
    page: Page,
    /// Where Back from the run view goes.
    run_opened_from: Page,
}

#[derive(Debug)]
pub enum RunbooksInput {
    Show {
        runbooks: Vec<RunbookInfo>,
        runs: Vec<RunInfo>,
    },
    Schedules(Vec<ScheduleInfo>),
    Search(String),
    OpenRunbook(String),
    Detail {
        info: RunbookInfo,
        steps: Vec<StepInfo>,
        runs: Vec<RunInfo>,
    },
    OpenRun(u64),
    RunDetail {
        run: RunInfo,
        steps: Vec<RunStepInfo>,
    },
    StepChanged {
        run_id: u64,
        step: RunStepInfo,
    },
    RunLog {
        run_id: u64,
        line: String,
    },
    Plan {
        id: String,
        lines: Vec<String>,
    },
    Run {
        id: String,
        name: String,
        confirm: bool,
    },
    Schedule(String),
    Back,
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
            set_transition_type: gtk::StackTransitionType::SlideLeftRight,

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

                        #[name = "search_entry"]
                        gtk::SearchEntry {
                            set_placeholder_text: Some(&gettext("Search names, descriptions and #tags (Ctrl+F)")),
                            connect_search_changed[sender] => move |e| {
                                sender.input(RunbooksInput::Search(e.text().to_string()));
                            },
                        },

                        gtk::Label {
                            set_xalign: 0.0,
                            add_css_class: "heading",
                            set_label: &gettext("Runbooks"),
                        },
                        #[local_ref]
                        runbook_list -> gtk::ListBox {
                            add_css_class: "boxed-list",
                            set_selection_mode: gtk::SelectionMode::None,
                            #[watch]
                            set_visible: !model.runbooks.is_empty(),
                        },
                        gtk::Label {
                            set_xalign: 0.0,
                            add_css_class: "dim-label",
                            #[watch]
                            set_label: &fill(&gettext("No runbook matches “{}”."), &[&model.search]),
                            #[watch]
                            set_visible: model.runbooks.is_empty(),
                        },

                        gtk::Label {
                            set_xalign: 0.0,
                            set_margin_top: 12,
                            add_css_class: "heading",
                            set_label: &gettext("Schedules"),
                            #[watch]
                            set_visible: !model.schedules.is_empty(),
                        },
                        #[local_ref]
                        schedule_list -> gtk::ListBox {
                            add_css_class: "boxed-list",
                            set_selection_mode: gtk::SelectionMode::None,
                            #[watch]
                            set_visible: !model.schedules.is_empty(),
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

            add_named[Some("detail")] = model.detail.widget(),
            add_named[Some("run")] = model.run_view.widget(),

            #[watch]
            set_visible_child_name: if model.all.is_empty() && model.page == Page::List { "empty" } else { model.page.name() },

            add_controller = gtk::ShortcutController {
                set_scope: gtk::ShortcutScope::Managed,
                add_shortcut = gtk::Shortcut {
                    set_trigger: gtk::ShortcutTrigger::parse_string("Escape"),
                    set_action: Some(gtk::CallbackAction::new({
                        let sender = sender.clone();
                        move |_, _| {
                            sender.input(RunbooksInput::Back);
                            glib::Propagation::Stop
                        }
                    })),
                },
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let runbooks = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                RunbookRowOutput::Run { id, name, confirm } => {
                    RunbooksInput::Run { id, name, confirm }
                }
                RunbookRowOutput::Open(id) => RunbooksInput::OpenRunbook(id),
            });
        let runs = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), run_row_input);
        let schedules = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                ScheduleRowOutput::Pause { id, paused } => {
                    RunbooksInput::Request(DaemonRequest::PauseSchedule { id, paused })
                }
                ScheduleRowOutput::Remove(id) => {
                    RunbooksInput::Request(DaemonRequest::RemoveSchedule(id))
                }
            });
        let detail = RunbookDetail::builder()
            .launch(())
            .forward(sender.input_sender(), |out| match out {
                DetailOutput::Run { id, name, confirm } => RunbooksInput::Run { id, name, confirm },
                DetailOutput::Schedule(id) => RunbooksInput::Schedule(id),
                DetailOutput::Request(r) => RunbooksInput::Request(r),
                DetailOutput::RunRow(row) => run_row_input(row),
                DetailOutput::Back => RunbooksInput::Back,
            });
        let run_view =
            RunView::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    RunViewOutput::Request(r) => RunbooksInput::Request(r),
                    RunViewOutput::Back => RunbooksInput::Back,
                });
        let model = RunbooksPanel {
            all: Vec::new(),
            search: String::new(),
            runbooks,
            runs,
            schedules,
            detail,
            run_view,
            page: Page::List,
            run_opened_from: Page::List,
        };
        let runbook_list = model.runbooks.widget();
        let run_list = model.runs.widget();
        let schedule_list = model.schedules.widget();
        let widgets = view_output!();

        let search = widgets.search_entry.clone();
        let focus_search = gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("<Control>f"),
            Some(gtk::CallbackAction::new(move |_, _| {
                search.grab_focus();
                glib::Propagation::Stop
            })),
        );
        let shortcuts = gtk::ShortcutController::new();
        shortcuts.set_scope(gtk::ShortcutScope::Managed);
        shortcuts.add_shortcut(focus_search);
        root.add_controller(shortcuts);
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: RunbooksInput, sender: ComponentSender<Self>) {
        let request = |r: DaemonRequest| {
            let _ = sender.output(RunbooksOutput::Request(r));
        };
        match input {
            RunbooksInput::Show { runbooks, runs } => {
                self.all = runbooks;
                self.refilter();
                let mut rows = self.runs.guard();
                rows.clear();
                for r in runs {
                    rows.push_back(r);
                }
                drop(rows);
                // The detail page shows runs too; keep it as fresh as the list.
                if self.page == Page::Detail {
                    if let Some(id) = self.detail.model().runbook_id() {
                        request(DaemonRequest::ShowRunbook(id.to_owned()));
                    }
                }
            }
            RunbooksInput::Schedules(list) => {
                let mut rows = self.schedules.guard();
                rows.clear();
                for s in list {
                    rows.push_back(s);
                }
            }
            RunbooksInput::Search(text) => {
                self.search = text;
                self.refilter();
            }
            RunbooksInput::OpenRunbook(id) => {
                self.page = Page::Detail;
                request(DaemonRequest::ShowRunbook(id));
            }
            RunbooksInput::Detail { info, steps, runs } => {
                self.detail.emit(DetailInput::Show {
                    info: Box::new(info),
                    steps,
                    runs,
                });
            }
            RunbooksInput::OpenRun(run) => {
                if self.page != Page::Run {
                    self.run_opened_from = self.page;
                }
                self.page = Page::Run;
                request(DaemonRequest::WatchRun(Some(run)));
            }
            RunbooksInput::RunDetail { run, steps } => {
                self.run_view.emit(RunViewInput::Show { run, steps });
            }
            RunbooksInput::StepChanged { run_id, step } => {
                if self.run_view.model().run_id() == Some(run_id) {
                    self.run_view.emit(RunViewInput::Step(step));
                }
            }
            RunbooksInput::RunLog { run_id, line } => {
                if self.run_view.model().run_id() == Some(run_id) {
                    self.run_view.emit(RunViewInput::Log(line));
                }
            }
            RunbooksInput::Plan { id, lines } => {
                plan_dialog::present(self.detail.widget(), &id, &lines);
            }
            RunbooksInput::Run { id, name, confirm } => {
                if confirm {
                    self.confirm(id, &name, sender);
                } else {
                    request(DaemonRequest::RunRunbook { id, approve: false });
                }
            }
            RunbooksInput::Schedule(id) => {
                let sender = sender.clone();
                schedule_dialog::present(self.detail.widget(), &id, move |r| {
                    let _ = sender.output(RunbooksOutput::Request(r));
                });
            }
            RunbooksInput::Back => match self.page {
                Page::Run => {
                    request(DaemonRequest::WatchRun(None));
                    self.page = self.run_opened_from;
                }
                Page::Detail => self.page = Page::List,
                Page::List => {}
            },
            RunbooksInput::Request(r) => request(r),
        }
    }
}

fn run_row_input(out: RunRowOutput) -> RunbooksInput {
    match out {
        RunRowOutput::Approve(run) => RunbooksInput::Request(DaemonRequest::ApproveRun(run)),
        RunRowOutput::Cancel(run) => RunbooksInput::Request(DaemonRequest::CancelRun(run)),
        RunRowOutput::Resume(run) => RunbooksInput::Request(DaemonRequest::ResumeRun(run)),
        RunRowOutput::Open(run) => RunbooksInput::OpenRun(run),
    }
}

/// Whether `info` matches the search text: every word in the name, id, description or tags
/// (`#tag` matches tags only).
fn matches(info: &RunbookInfo, search: &str) -> bool {
    search.split_whitespace().all(|word| {
        let word = word.to_lowercase();
        if let Some(tag) = word.strip_prefix('#') {
            return info.tags.iter().any(|t| t.to_lowercase().starts_with(tag));
        }
        [&info.id, &info.name, &info.description]
            .iter()
            .any(|f| f.to_lowercase().contains(&word))
            || info.tags.iter().any(|t| t.to_lowercase().contains(&word))
    })
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

    /// Schedules as shown; for tests.
    pub fn schedules(&self) -> Vec<ScheduleInfo> {
        self.schedules.iter().map(|r| r.info.clone()).collect()
    }

    pub fn page(&self) -> Page {
        self.page
    }

    pub fn detail_steps(&self) -> Vec<String> {
        self.detail.model().step_titles()
    }

    pub fn run_view_output(&self) -> String {
        self.run_view.model().output_text()
    }

    pub fn run_view_step_states(&self) -> Vec<String> {
        self.run_view.model().step_states()
    }

    pub fn run_view_run(&self) -> Option<u64> {
        self.run_view.model().run_id()
    }

    fn refilter(&mut self) {
        let mut rows = self.runbooks.guard();
        rows.clear();
        for info in self.all.iter().filter(|i| matches(i, &self.search)) {
            rows.push_back(info.clone());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, tags: &[&str]) -> RunbookInfo {
        RunbookInfo {
            id: id.into(),
            name: id.replace('-', " "),
            description: "Gets things ready".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            path: String::new(),
            confirm: false,
            heavy: false,
            steps: 1,
            triggers: Vec::new(),
            errors: Vec::new(),
            last_state: String::new(),
            last_run_at: 0,
            deferred_since: 0,
        }
    }

    #[test]
    fn search_matches_words_and_tags() {
        let studio = info("warmup-studio", &["studio", "daily"]);
        assert!(matches(&studio, ""));
        assert!(matches(&studio, "WARMUP"));
        assert!(matches(&studio, "#stu"));
        assert!(matches(&studio, "ready #daily"));
        assert!(!matches(&studio, "#ready"));
        assert!(!matches(&studio, "backup"));
    }
}
