//! The Containers page: what the engine runs, kept current by its events; an explanation
//! when there is no engine; the live log of one container.

use super::container_row::{ContainerRow, ContainerRowOutput};
use crate::connection::{DaemonRequest, InfraRequest};
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{ContainerInfo, EngineStatus};

/// Lines kept in the log view; older ones scroll away.
const MAX_LOG_LINES: i32 = 5000;

pub struct ContainersPage {
    engine: Option<EngineStatus>,
    rows: FactoryVecDeque<ContainerRow>,
    socket: String,
    /// The container whose log is open: id and name.
    logs_for: Option<(String, String)>,
    log: gtk::TextBuffer,
    log_view: gtk::TextView,
}

#[derive(Debug)]
pub enum ContainersInput {
    Engine(EngineStatus),
    Replace(Vec<ContainerInfo>),
    Changed(ContainerInfo),
    Removed(String),
    Logs {
        id: String,
        lines: Vec<String>,
        reset: bool,
    },
    OpenLogs(String),
    CloseLogs,
    Socket(String),
    UseSocket,
    Request(InfraRequest),
}

#[derive(Debug)]
pub enum ContainersOutput {
    Request(DaemonRequest),
}

impl ContainersPage {
    fn page(&self) -> &'static str {
        match &self.engine {
            _ if self.logs_for.is_some() => "logs",
            Some(e) if e.available && self.rows.is_empty() => "empty",
            Some(e) if e.available => "list",
            Some(_) => "engine",
            None => "empty",
        }
    }

    fn engine_message(&self) -> String {
        self.engine
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    /// Names in display order; for tests.
    pub fn names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.info.name.clone()).collect()
    }

    pub fn container(&self, name: &str) -> Option<ContainerInfo> {
        self.rows
            .iter()
            .find(|r| r.info.name == name)
            .map(|r| r.info.clone())
    }

    pub fn log_text(&self) -> String {
        self.log
            .text(&self.log.start_iter(), &self.log.end_iter(), false)
            .to_string()
    }

    fn upsert(&mut self, info: ContainerInfo) {
        let existing = self.rows.iter().position(|r| r.info.id == info.id);
        let at = self
            .rows
            .iter()
            .position(|r| r.info.name > info.name)
            .unwrap_or(self.rows.len());
        let mut rows = self.rows.guard();
        match existing.and_then(|index| rows.get_mut(index)) {
            Some(row) => row.info = info,
            None => {
                rows.insert(at, info);
            }
        }
    }

    fn append_log(&self, lines: &[String]) {
        let mut end = self.log.end_iter();
        for line in lines {
            self.log.insert(&mut end, line);
            self.log.insert(&mut end, "\n");
        }
        let extra = self.log.line_count() - MAX_LOG_LINES;
        if extra > 0 {
            if let Some(mut cut) = self.log.iter_at_line(extra) {
                self.log.delete(&mut self.log.start_iter(), &mut cut);
            }
        }
        let mark = self.log.create_mark(None, &self.log.end_iter(), false);
        self.log_view.scroll_mark_onscreen(&mark);
        self.log.delete_mark(&mark);
    }
}

#[relm4::component(pub)]
impl SimpleComponent for ContainersPage {
    type Init = ();
    type Input = ContainersInput;
    type Output = ContainersOutput;

    view! {
        #[root]
        gtk::Stack {
            set_vexpand: true,
            add_named[Some("engine")] = &adw::StatusPage {
                set_icon_name: Some("network-server-symbolic"),
                set_title: &gettext("No Container Engine"),
                #[watch]
                set_description: Some(&model.engine_message()),

                adw::Clamp {
                    set_maximum_size: 500,
                    gtk::Box {
                        set_spacing: 6,
                        gtk::Entry {
                            set_hexpand: true,
                            set_placeholder_text: Some(&gettext("Socket, e.g. /run/user/1000/podman/podman.sock")),
                            connect_changed[sender] => move |e| sender.input(ContainersInput::Socket(e.text().to_string())),
                            connect_activate[sender] => move |_| sender.input(ContainersInput::UseSocket),
                        },
                        gtk::Button {
                            set_label: &gettext("Use Socket"),
                            add_css_class: "suggested-action",
                            #[watch]
                            set_sensitive: !model.socket.trim().is_empty(),
                            connect_clicked => ContainersInput::UseSocket,
                        },
                    },
                },
            },
            add_named[Some("empty")] = &adw::StatusPage {
                set_icon_name: Some("network-server-symbolic"),
                set_title: &gettext("No Containers"),
                set_description: Some(&gettext("The engine runs no containers yet. Containers started with docker or podman appear here at once.")),
            },
            add_named[Some("list")] = &gtk::ScrolledWindow {
                set_hscrollbar_policy: gtk::PolicyType::Never,
                adw::Clamp {
                    set_maximum_size: 1000,
                    set_margin_all: 18,
                    gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_spacing: 12,
                        gtk::Label {
                            set_xalign: 0.0,
                            add_css_class: "dim-label",
                            #[watch]
                            set_label: &model.engine.as_ref().map(|e| fill(&gettext("{} at {}"), &[&e.version, &e.socket])).unwrap_or_default(),
                        },
                        #[local_ref]
                        container_list -> gtk::ListBox {
                            add_css_class: "boxed-list",
                            set_selection_mode: gtk::SelectionMode::None,
                        },
                    },
                },
            },
            add_named[Some("logs")] = &gtk::Box {
                set_orientation: gtk::Orientation::Vertical,
                gtk::Box {
                    set_spacing: 6,
                    set_margin_all: 6,
                    gtk::Button {
                        set_icon_name: "go-previous-symbolic",
                        set_tooltip_text: Some(&gettext("Back (Escape)")),
                        add_css_class: "flat",
                        connect_clicked => ContainersInput::CloseLogs,
                    },
                    gtk::Label {
                        add_css_class: "heading",
                        #[watch]
                        set_label: &model.logs_for.as_ref().map(|(_, name)| fill(&gettext("Logs of {}"), &[name])).unwrap_or_default(),
                    },
                },
                gtk::ScrolledWindow {
                    set_vexpand: true,
                    #[local_ref]
                    log_view -> gtk::TextView {
                        set_editable: false,
                        set_cursor_visible: false,
                        set_monospace: true,
                        add_css_class: "roxy-output",
                    },
                },
            },
            #[watch]
            set_visible_child_name: model.page(),
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let rows = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                ContainerRowOutput::Action { container, action } => {
                    ContainersInput::Request(InfraRequest::ContainerAction {
                        container,
                        action: action.to_owned(),
                    })
                }
                ContainerRowOutput::Logs(id) => ContainersInput::OpenLogs(id),
                ContainerRowOutput::Healing { container, on } => {
                    ContainersInput::Request(InfraRequest::SetHealing {
                        container,
                        mode: if on { "on" } else { "off" }.to_owned(),
                    })
                }
            });
        let log = gtk::TextBuffer::new(None);
        let log_view = gtk::TextView::with_buffer(&log);
        let model = ContainersPage {
            engine: None,
            rows,
            socket: String::new(),
            logs_for: None,
            log,
            log_view: log_view.clone(),
        };
        let container_list = model.rows.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: ContainersInput, sender: ComponentSender<Self>) {
        let request = |r: InfraRequest| {
            let _ = sender.output(ContainersOutput::Request(DaemonRequest::Infra(r)));
        };
        match input {
            ContainersInput::Engine(engine) => self.engine = Some(engine),
            ContainersInput::Replace(list) => {
                self.rows.guard().clear();
                for info in list {
                    self.upsert(info);
                }
            }
            ContainersInput::Changed(info) => self.upsert(info),
            ContainersInput::Removed(id) => {
                let found = self.rows.iter().position(|r| r.info.id == id);
                if let Some(index) = found {
                    self.rows.guard().remove(index);
                }
            }
            ContainersInput::Logs { id, lines, reset } => {
                if self.logs_for.as_ref().is_some_and(|(open, _)| *open == id) {
                    if reset {
                        self.log.set_text("");
                    }
                    self.append_log(&lines);
                }
            }
            ContainersInput::OpenLogs(id) => {
                let name = self
                    .rows
                    .iter()
                    .find(|r| r.info.id == id)
                    .map(|r| r.info.name.clone())
                    .unwrap_or_else(|| id.clone());
                self.log.set_text("");
                self.logs_for = Some((id.clone(), name));
                request(InfraRequest::OpenLogs(id));
            }
            ContainersInput::CloseLogs => {
                if let Some((id, _)) = self.logs_for.take() {
                    request(InfraRequest::CloseLogs(id));
                }
            }
            ContainersInput::Socket(text) => self.socket = text,
            ContainersInput::UseSocket => {
                if !self.socket.trim().is_empty() {
                    request(InfraRequest::SetSocket(self.socket.trim().to_owned()));
                }
            }
            ContainersInput::Request(r) => request(r),
        }
    }
}
