//! The Checks page: every check with its state and a live sparkline; add and remove.

use super::check_row::{CheckRow, CheckRowInput, CheckRowOutput};
use crate::connection::{DaemonRequest, InfraRequest};
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::gettext;
use roxy_ipc::{CheckInfo, CheckResult};

pub struct ChecksPage {
    rows: FactoryVecDeque<CheckRow>,
}

#[derive(Debug)]
pub enum ChecksInput {
    Replace(Vec<CheckInfo>),
    Results(Vec<CheckResult>),
    Add,
    Request(InfraRequest),
}

#[derive(Debug)]
pub enum ChecksOutput {
    Request(DaemonRequest),
}

impl ChecksPage {
    pub fn checks(&self) -> Vec<CheckInfo> {
        self.rows.iter().map(|r| r.info.clone()).collect()
    }

    pub fn sparkline(&self, name: &str) -> Vec<f64> {
        self.rows
            .iter()
            .find(|r| r.info.spec.name == name)
            .map(CheckRow::latencies)
            .unwrap_or_default()
    }
}

#[relm4::component(pub)]
impl SimpleComponent for ChecksPage {
    type Init = ();
    type Input = ChecksInput;
    type Output = ChecksOutput;

    view! {
        #[root]
        gtk::Stack {
            set_vexpand: true,
            add_named[Some("empty")] = &adw::StatusPage {
                set_icon_name: Some("network-transmit-receive-symbolic"),
                set_title: &gettext("No Checks"),
                set_description: Some(&gettext("Checks probe your services and hosts (HTTP, TCP, TLS certificates, DNS, ping) as often as every second, keep their history and raise alerts when they fail.")),
                gtk::Button {
                    set_label: &gettext("Add Check…"),
                    set_halign: gtk::Align::Center,
                    add_css_class: "pill",
                    add_css_class: "suggested-action",
                    connect_clicked => ChecksInput::Add,
                },
            },
            add_named[Some("list")] = &gtk::ScrolledWindow {
                set_hscrollbar_policy: gtk::PolicyType::Never,
                adw::Clamp {
                    set_maximum_size: 1000,
                    set_margin_all: 18,
                    gtk::Box {
                        set_orientation: gtk::Orientation::Vertical,
                        set_spacing: 12,
                        gtk::Button {
                            set_label: &gettext("Add Check…"),
                            set_halign: gtk::Align::End,
                            connect_clicked => ChecksInput::Add,
                        },
                        #[local_ref]
                        check_list -> gtk::ListBox {
                            add_css_class: "boxed-list",
                            set_selection_mode: gtk::SelectionMode::None,
                        },
                    },
                },
            },
            #[watch]
            set_visible_child_name: if model.rows.is_empty() { "empty" } else { "list" },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let rows = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .forward(sender.input_sender(), |out| match out {
                CheckRowOutput::Remove(name) => {
                    ChecksInput::Request(InfraRequest::RemoveCheck(name))
                }
            });
        let model = ChecksPage { rows };
        let check_list = model.rows.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: ChecksInput, sender: ComponentSender<Self>) {
        match input {
            ChecksInput::Replace(list) => {
                let mut rows = self.rows.guard();
                rows.clear();
                for info in list {
                    rows.push_back(info);
                }
            }
            ChecksInput::Results(results) => {
                for result in results {
                    if let Some(index) = self
                        .rows
                        .iter()
                        .position(|r| r.info.spec.name == result.name)
                    {
                        self.rows.send(index, CheckRowInput::Result(result));
                    }
                }
            }
            ChecksInput::Add => {
                let sender = sender.clone();
                super::check_dialog::present(self.rows.widget(), move |spec| {
                    let _ = sender.output(ChecksOutput::Request(DaemonRequest::Infra(
                        InfraRequest::SaveCheck(spec),
                    )));
                });
            }
            ChecksInput::Request(r) => {
                let _ = sender.output(ChecksOutput::Request(DaemonRequest::Infra(r)));
            }
        }
    }
}
