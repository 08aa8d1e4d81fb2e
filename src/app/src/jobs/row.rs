//! One row of the Jobs view.

use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::gtk::prelude::*;
use relm4::{gtk, RelmWidgetExt};
use roxy_ipc::i18n::gettext;
use roxy_ipc::{JobInfo, JobState};

pub struct JobRow {
    info: JobInfo,
}

#[derive(Debug)]
pub enum JobRowInput {
    Update(JobInfo),
}

#[derive(Debug)]
pub enum JobRowOutput {
    Cancel(u64, String),
}

impl JobRow {
    pub fn id(&self) -> u64 {
        self.info.id
    }

    pub fn info(&self) -> &JobInfo {
        &self.info
    }

    fn running(&self) -> bool {
        !self.info.state.is_finished()
    }

    fn state_class(&self) -> &'static str {
        match self.info.state {
            JobState::Succeeded => "success",
            JobState::Failed | JobState::Interrupted => "error",
            JobState::Cancelled => "warning",
            JobState::Queued | JobState::Running => "accent",
        }
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for JobRow {
    type Init = JobInfo;
    type Input = JobRowInput;
    type Output = JobRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        gtk::ListBoxRow {
            set_activatable: false,

            gtk::Box {
                set_spacing: 12,
                set_margin_all: 12,

                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_hexpand: true,
                    set_spacing: 6,

                    gtk::Label {
                        set_xalign: 0.0,
                        set_ellipsize: gtk::pango::EllipsizeMode::End,
                        add_css_class: "heading",
                        #[watch]
                        set_label: &self.info.title,
                    },
                    gtk::ProgressBar {
                        #[watch]
                        set_visible: self.running(),
                        #[watch]
                        set_fraction: self.info.progress.clamp(0.0, 1.0),
                    },
                    gtk::Label {
                        set_xalign: 0.0,
                        set_wrap: true,
                        set_wrap_mode: gtk::pango::WrapMode::WordChar,
                        add_css_class: "dim-label",
                        #[watch]
                        set_visible: !self.info.message.is_empty(),
                        #[watch]
                        set_label: &self.info.message,
                    },
                },

                #[name = "state"]
                gtk::Label {
                    set_valign: gtk::Align::Center,
                    add_css_class: "roxy-state",
                    #[watch]
                    set_label: &self.info.state.label(),
                    #[watch]
                    set_css_classes: &["roxy-state", self.state_class()],
                },

                gtk::Button {
                    set_icon_name: "process-stop-symbolic",
                    set_tooltip_text: Some(&gettext("Cancel job")),
                    set_valign: gtk::Align::Center,
                    add_css_class: "flat",
                    #[watch]
                    set_visible: self.running(),
                    connect_clicked[sender, id = self.info.id, title = self.info.title.clone()] => move |_| {
                        let _ = sender.output(JobRowOutput::Cancel(id, title.clone()));
                    },
                },
            },
        }
    }

    fn init_model(info: JobInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }

    fn update(&mut self, input: JobRowInput, _sender: FactorySender<Self>) {
        match input {
            JobRowInput::Update(info) => self.info = info,
        }
    }
}
