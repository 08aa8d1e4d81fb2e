//! The Jobs view: the daemon's jobs with live progress, updated from signals.

mod row;

use crate::connection::DaemonRequest;
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use row::{JobRow, JobRowInput, JobRowOutput};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::JobInfo;

pub struct JobsPanel {
    rows: FactoryVecDeque<JobRow>,
    connected: bool,
    confirm_cancel: bool,
}

#[derive(Debug)]
pub enum JobsInput {
    /// The full list after (re)connecting, oldest first.
    Replace(Vec<JobInfo>),
    /// A job was added or changed.
    Upsert(JobInfo),
    Connected(bool),
    CancelAsked(u64, String),
    CheckDatabase,
    SetConfirmCancel(bool),
}

#[derive(Debug)]
pub enum JobsOutput {
    Request(DaemonRequest),
}

#[relm4::component(pub)]
impl SimpleComponent for JobsPanel {
    type Init = bool;
    type Input = JobsInput;
    type Output = JobsOutput;

    view! {
        #[root]
        gtk::Box {
            set_orientation: gtk::Orientation::Vertical,

            gtk::Stack {
                set_vexpand: true,
                set_transition_type: gtk::StackTransitionType::Crossfade,

                add_named[Some("empty")] = &adw::StatusPage {
                    set_icon_name: Some("emblem-system-symbolic"),
                    set_title: &gettext("No Jobs Yet"),
                    set_description: Some(&gettext("Everything slow — runbook runs, imports, reindexing, database maintenance — runs here as a job you can follow and cancel.")),

                    gtk::Button {
                        set_label: &gettext("Check Database"),
                        set_halign: gtk::Align::Center,
                        add_css_class: "pill",
                        #[watch]
                        set_sensitive: model.connected,
                        connect_clicked => JobsInput::CheckDatabase,
                    },
                },

                add_named[Some("list")] = &gtk::ScrolledWindow {
                    set_hscrollbar_policy: gtk::PolicyType::Never,

                    adw::Clamp {
                        set_maximum_size: 900,
                        set_margin_all: 18,

                        gtk::Box {
                            set_orientation: gtk::Orientation::Vertical,
                            set_spacing: 12,

                            gtk::Box {
                                gtk::Label {
                                    set_hexpand: true,
                                    set_xalign: 0.0,
                                    add_css_class: "heading",
                                    set_label: &gettext("Running and Recent Jobs"),
                                },
                                gtk::Button {
                                    set_label: &gettext("Check Database"),
                                    #[watch]
                                    set_sensitive: model.connected,
                                    connect_clicked => JobsInput::CheckDatabase,
                                },
                            },

                            #[local_ref]
                            job_list -> gtk::ListBox {
                                add_css_class: "boxed-list",
                                set_selection_mode: gtk::SelectionMode::None,
                            },
                        },
                    },
                },

                // After the pages exist.
                #[watch]
                set_visible_child_name: if model.rows.is_empty() { "empty" } else { "list" },
            },
        }
    }

    fn init(
        confirm_cancel: bool,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let rows = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                JobRowOutput::Cancel(id, title) => JobsInput::CancelAsked(id, title),
            });
        let model = JobsPanel {
            rows,
            connected: false,
            confirm_cancel,
        };
        let job_list = model.rows.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: JobsInput, sender: ComponentSender<Self>) {
        match input {
            JobsInput::Replace(jobs) => {
                let mut rows = self.rows.guard();
                rows.clear();
                // Newest first.
                for job in jobs.into_iter().rev() {
                    rows.push_back(job);
                }
            }
            JobsInput::Upsert(job) => match self.position(job.id) {
                Some(pos) => self.rows.send(pos, JobRowInput::Update(job)),
                None => {
                    self.rows.guard().push_front(job);
                }
            },
            JobsInput::Connected(connected) => self.connected = connected,
            JobsInput::CheckDatabase => {
                let _ = sender.output(JobsOutput::Request(DaemonRequest::CheckDatabase));
            }
            JobsInput::SetConfirmCancel(confirm) => self.confirm_cancel = confirm,
            JobsInput::CancelAsked(id, title) => {
                if self.confirm_cancel {
                    self.confirm(id, &title, sender);
                } else {
                    let _ = sender.output(JobsOutput::Request(DaemonRequest::Cancel(id)));
                }
            }
        }
    }
}

impl JobsPanel {
    fn position(&self, id: u64) -> Option<usize> {
        self.rows.iter().position(|row| row.id() == id)
    }

    /// Job ids in display order (newest first); for tests.
    pub fn job_ids(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.id()).collect()
    }

    /// The displayed state of one job; for tests.
    pub fn job(&self, id: u64) -> Option<&JobInfo> {
        self.rows.iter().find(|r| r.id() == id).map(|r| r.info())
    }

    fn confirm(&self, id: u64, title: &str, sender: ComponentSender<Self>) {
        let body = fill(&gettext("“{}” will stop where it is."), &[&title]);
        let question = crate::confirm::Question {
            heading: &gettext("Cancel this job?"),
            body: &body,
            decline: &gettext("_Keep Running"),
            accept: &gettext("_Cancel Job"),
            appearance: adw::ResponseAppearance::Destructive,
        };
        crate::confirm::ask(self.rows.widget(), question, move || {
            let _ = sender.output(JobsOutput::Request(DaemonRequest::Cancel(id)));
        });
    }
}
