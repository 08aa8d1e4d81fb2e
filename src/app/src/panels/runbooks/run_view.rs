//! One run, live: its state and who started it, each step with its state and duration, and
//! the output as it streams (monospace, following the end unless the person scrolls away).

use super::state;
use super::step_row::{StepRow, StepRowOutput};
use crate::connection::DaemonRequest;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{RunInfo, RunStepInfo};

/// Output lines kept in the view; older ones scroll out.
const MAX_LINES: i32 = 5000;

pub struct RunView {
    run: Option<RunInfo>,
    steps: FactoryVecDeque<StepRow>,
    output: gtk::TextBuffer,
    /// Lines streamed since the last step finished; a finished step's stored output
    /// replaces them (it is complete even when the view opened late).
    live: Vec<String>,
    follow: bool,
}

#[derive(Debug)]
pub enum RunViewInput {
    Show {
        run: RunInfo,
        steps: Vec<RunStepInfo>,
    },
    Step(RunStepInfo),
    Log(String),
    SetFollow(bool),
    Request(DaemonRequest),
    Back,
}

#[derive(Debug)]
pub enum RunViewOutput {
    Request(DaemonRequest),
    Back,
}

impl RunView {
    pub fn run_id(&self) -> Option<u64> {
        self.run.as_ref().map(|r| r.id)
    }

    /// The output as shown; for tests.
    pub fn output_text(&self) -> String {
        let (start, end) = self.output.bounds();
        self.output.text(&start, &end, false).to_string()
    }

    /// Step states as shown; for tests.
    pub fn step_states(&self) -> Vec<String> {
        self.steps.iter().map(|s| s.info.state.clone()).collect()
    }

    fn state(&self) -> &str {
        self.run.as_ref().map(|r| r.state.as_str()).unwrap_or("")
    }

    fn title(&self) -> String {
        match &self.run {
            Some(run) => fill(&gettext("{} — run {}"), &[&run.runbook_name, &run.id]),
            None => String::new(),
        }
    }

    fn subtitle(&self) -> String {
        let Some(run) = &self.run else {
            return String::new();
        };
        let mut parts = vec![fill(&gettext("started by {}"), &[&run.actor])];
        if !run.approved_by.is_empty() {
            parts.push(fill(&gettext("approved by {}"), &[&run.approved_by]));
        }
        let took = state::duration(run.started_at, run.finished_at);
        if !took.is_empty() {
            parts.push(took);
        }
        if !run.message.is_empty() {
            parts.push(run.message.clone());
        }
        parts.join(" · ")
    }

    /// Shows each finished step's stored output, then the live lines.
    fn render(&mut self) {
        self.output.set_text("");
        let sections: Vec<(String, String)> = self
            .steps
            .iter()
            .filter(|s| !s.info.output.trim().is_empty())
            .map(|s| (s.info.name.clone(), s.info.output.trim_end().to_owned()))
            .collect();
        for (name, output) in sections {
            self.append(&format!("── {name} ──"));
            self.append(&output);
        }
        for line in std::mem::take(&mut self.live) {
            self.append(&line);
            self.live.push(line);
        }
    }

    fn append(&mut self, line: &str) {
        let mut end = self.output.end_iter();
        self.output.insert(&mut end, line);
        self.output.insert(&mut end, "\n");
        let extra = self.output.line_count() - MAX_LINES;
        if extra > 0 {
            let mut start = self.output.start_iter();
            let mut cut = self.output.iter_at_line(extra).unwrap_or(start);
            self.output.delete(&mut start, &mut cut);
        }
    }
}

#[relm4::component(pub)]
impl SimpleComponent for RunView {
    type Init = ();
    type Input = RunViewInput;
    type Output = RunViewOutput;

    view! {
        #[root]
        gtk::Box {
            set_orientation: gtk::Orientation::Vertical,
            set_spacing: 12,
            set_margin_all: 18,

            gtk::Box {
                set_spacing: 12,

                gtk::Button {
                    set_icon_name: "go-previous-symbolic",
                    set_tooltip_text: Some(&gettext("Back to the runbooks (Escape)")),
                    set_valign: gtk::Align::Center,
                    add_css_class: "flat",
                    connect_clicked => RunViewInput::Back,
                },
                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_hexpand: true,
                    gtk::Label {
                        set_xalign: 0.0,
                        add_css_class: "title-3",
                        set_ellipsize: gtk::pango::EllipsizeMode::End,
                        #[watch]
                        set_label: &model.title(),
                    },
                    gtk::Label {
                        set_xalign: 0.0,
                        set_wrap: true,
                        add_css_class: "dim-label",
                        #[watch]
                        set_label: &model.subtitle(),
                    },
                },
                gtk::Label {
                    set_valign: gtk::Align::Center,
                    #[watch]
                    set_label: &state::label(model.state()),
                    #[watch]
                    set_css_classes: &["roxy-state", state::css_class(model.state())],
                },
                gtk::Button {
                    set_label: &gettext("Approve"),
                    set_valign: gtk::Align::Center,
                    add_css_class: "suggested-action",
                    #[watch]
                    set_visible: model.state() == "awaiting_approval",
                    connect_clicked[sender] => move |_| {
                        sender.input(RunViewInput::Request(DaemonRequest::ApproveRun(0)));
                    },
                },
                gtk::Button {
                    set_label: &gettext("Resume"),
                    set_tooltip_text: Some(&gettext("Continue from the first step that did not finish")),
                    set_valign: gtk::Align::Center,
                    #[watch]
                    set_visible: matches!(model.state(), "failed" | "interrupted" | "cancelled"),
                    connect_clicked[sender] => move |_| {
                        sender.input(RunViewInput::Request(DaemonRequest::ResumeRun(0)));
                    },
                },
                gtk::Button {
                    set_label: &gettext("Cancel Run"),
                    set_valign: gtk::Align::Center,
                    add_css_class: "destructive-action",
                    #[watch]
                    set_visible: matches!(model.state(), "running" | "awaiting_approval"),
                    connect_clicked[sender] => move |_| {
                        sender.input(RunViewInput::Request(DaemonRequest::CancelRun(0)));
                    },
                },
            },

            gtk::Paned {
                set_orientation: gtk::Orientation::Vertical,
                set_vexpand: true,
                set_shrink_start_child: false,
                set_shrink_end_child: false,

                #[wrap(Some)]
                set_start_child = &gtk::ScrolledWindow {
                    set_hscrollbar_policy: gtk::PolicyType::Never,
                    set_min_content_height: 160,
                    #[local_ref]
                    step_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                        set_valign: gtk::Align::Start,
                        set_margin_bottom: 6,
                    },
                },

                #[wrap(Some)]
                set_end_child = &gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_spacing: 6,
                    set_margin_top: 6,

                    gtk::Box {
                        set_spacing: 6,
                        gtk::Label {
                            set_xalign: 0.0,
                            set_hexpand: true,
                            add_css_class: "heading",
                            set_label: &gettext("Output"),
                        },
                        gtk::ToggleButton {
                            set_label: &gettext("Follow"),
                            set_tooltip_text: Some(&gettext("Keep the newest output in view")),
                            add_css_class: "flat",
                            #[watch]
                            set_active: model.follow,
                            connect_toggled[sender] => move |b| {
                                sender.input(RunViewInput::SetFollow(b.is_active()));
                            },
                        },
                    },
                    #[name = "scroller"]
                    gtk::ScrolledWindow {
                        set_vexpand: true,
                        set_min_content_height: 160,
                        add_css_class: "card",

                        #[name = "output_view"]
                        gtk::TextView {
                            set_buffer: Some(&model.output),
                            set_editable: false,
                            set_cursor_visible: false,
                            set_monospace: true,
                            set_wrap_mode: gtk::WrapMode::WordChar,
                            add_css_class: "roxy-output",
                        },
                    },
                },
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let steps = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                StepRowOutput::Skip(step) => {
                    RunViewInput::Request(DaemonRequest::SkipStep { run: 0, step })
                }
                StepRowOutput::Approve => RunViewInput::Request(DaemonRequest::ApproveRun(0)),
            });
        let model = RunView {
            run: None,
            steps,
            output: gtk::TextBuffer::new(None),
            live: Vec::new(),
            follow: true,
        };
        let step_list = model.steps.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: RunViewInput, sender: ComponentSender<Self>) {
        match input {
            RunViewInput::Show { run, steps } => {
                if self.run_id() != Some(run.id) {
                    self.live.clear();
                }
                self.run = Some(run);
                let mut rows = self.steps.guard();
                rows.clear();
                for step in steps {
                    rows.push_back(step);
                }
                drop(rows);
                self.render();
            }
            RunViewInput::Step(step) => {
                let finished = !matches!(
                    step.state.as_str(),
                    "pending" | "running" | "waiting_approval"
                );
                let mut rows = self.steps.guard();
                if let Some(row) = rows.get_mut(step.index as usize) {
                    row.info = step;
                }
                drop(rows);
                if finished {
                    self.live.clear();
                    self.render();
                }
            }
            RunViewInput::Log(line) => {
                self.append(&line);
                self.live.push(line);
            }
            RunViewInput::SetFollow(follow) => self.follow = follow,
            RunViewInput::Request(request) => {
                // Buttons here do not know the run; fill it in.
                let Some(run) = self.run_id() else { return };
                let request = match request {
                    DaemonRequest::ApproveRun(_) => DaemonRequest::ApproveRun(run),
                    DaemonRequest::ResumeRun(_) => DaemonRequest::ResumeRun(run),
                    DaemonRequest::CancelRun(_) => DaemonRequest::CancelRun(run),
                    DaemonRequest::SkipStep { step, .. } => DaemonRequest::SkipStep { run, step },
                    other => other,
                };
                let _ = sender.output(RunViewOutput::Request(request));
            }
            RunViewInput::Back => {
                let _ = sender.output(RunViewOutput::Back);
            }
        }
    }

    fn post_view() {
        if model.follow {
            let end = model.output.end_iter();
            let mark = model.output.create_mark(None, &end, false);
            widgets.output_view.scroll_mark_onscreen(&mark);
            model.output.delete_mark(&mark);
        }
        let _ = &widgets.scroller;
    }
}
