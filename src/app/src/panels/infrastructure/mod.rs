//! Infrastructure panel: containers (state from the engine's events, actions, self-healing,
//! live logs), systemd units and checks (state, sparklines, uptime). Mirrors the daemon's Infra1 service.

mod check_dialog;
mod check_row;
mod checks;
mod container_row;
mod containers;
mod unit_row;
mod units;

use crate::connection::{DaemonRequest, InfraEvent};
use checks::{ChecksInput, ChecksOutput, ChecksPage};
use containers::{ContainersInput, ContainersOutput, ContainersPage};
use relm4::adw::prelude::*;
use relm4::{
    adw, gtk, Component, ComponentController, ComponentParts, ComponentSender, Controller,
    SimpleComponent,
};
use roxy_ipc::i18n::gettext;
use roxy_ipc::{CheckInfo, ContainerInfo, UnitInfo};
use units::{UnitsInput, UnitsOutput, UnitsPage};

pub struct InfrastructurePanel {
    containers: Controller<ContainersPage>,
    checks: Controller<ChecksPage>,
    units: Controller<UnitsPage>,
    stack: adw::ViewStack,
}

#[derive(Debug)]
pub enum InfrastructureInput {
    Event(InfraEvent),
    Request(DaemonRequest),
}

#[derive(Debug)]
pub enum InfrastructureOutput {
    Request(DaemonRequest),
}

impl InfrastructurePanel {
    pub fn container_names(&self) -> Vec<String> {
        self.containers.model().names()
    }

    pub fn container(&self, name: &str) -> Option<ContainerInfo> {
        self.containers.model().container(name)
    }

    pub fn log_text(&self) -> String {
        self.containers.model().log_text()
    }

    pub fn checks(&self) -> Vec<CheckInfo> {
        self.checks.model().checks()
    }

    pub fn sparkline(&self, check: &str) -> Vec<f64> {
        self.checks.model().sparkline(check)
    }

    pub fn units(&self) -> Vec<UnitInfo> {
        self.units.model().units()
    }

    /// `containers`, `units` or `checks`.
    pub fn show_page(&self, name: &str) {
        self.stack.set_visible_child_name(name);
    }

    pub fn open_logs(&self, id: &str) {
        self.containers
            .emit(ContainersInput::OpenLogs(id.to_owned()));
    }
}

#[relm4::component(pub)]
impl SimpleComponent for InfrastructurePanel {
    type Init = ();
    type Input = InfrastructureInput;
    type Output = InfrastructureOutput;

    view! {
        #[root]
        gtk::Box {
            set_orientation: gtk::Orientation::Vertical,
            adw::ViewSwitcher {
                set_halign: gtk::Align::Center,
                set_margin_top: 6,
                set_policy: adw::ViewSwitcherPolicy::Wide,
                set_stack: Some(&stack),
            },
            #[local_ref]
            stack -> adw::ViewStack {
                set_vexpand: true,
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let containers =
            ContainersPage::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ContainersOutput::Request(r) => InfrastructureInput::Request(r),
                });
        let checks =
            ChecksPage::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ChecksOutput::Request(r) => InfrastructureInput::Request(r),
                });
        let units =
            UnitsPage::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    UnitsOutput::Request(r) => InfrastructureInput::Request(r),
                });
        let stack = adw::ViewStack::new();
        let model = InfrastructurePanel {
            containers,
            checks,
            units,
            stack: stack.clone(),
        };
        let widgets = view_output!();
        widgets
            .stack
            .add_titled(
                model.containers.widget(),
                Some("containers"),
                &gettext("Containers"),
            )
            .set_icon_name(Some("network-server-symbolic"));
        widgets
            .stack
            .add_titled(model.units.widget(), Some("units"), &gettext("Units"))
            .set_icon_name(Some("system-run-symbolic"));
        widgets
            .stack
            .add_titled(model.checks.widget(), Some("checks"), &gettext("Checks"))
            .set_icon_name(Some("network-transmit-receive-symbolic"));
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: InfrastructureInput, sender: ComponentSender<Self>) {
        match input {
            InfrastructureInput::Event(event) => match event {
                InfraEvent::Engine(e) => self.containers.emit(ContainersInput::Engine(e)),
                InfraEvent::Containers(list) => {
                    self.containers.emit(ContainersInput::Replace(list))
                }
                InfraEvent::ContainerChanged(c) => {
                    self.containers.emit(ContainersInput::Changed(c))
                }
                InfraEvent::ContainerRemoved(id) => {
                    self.containers.emit(ContainersInput::Removed(id))
                }
                InfraEvent::Logs { id, lines, reset } => self
                    .containers
                    .emit(ContainersInput::Logs { id, lines, reset }),
                InfraEvent::Checks(list) => self.checks.emit(ChecksInput::Replace(list)),
                InfraEvent::CheckResults(results) => {
                    self.checks.emit(ChecksInput::Results(results))
                }
                InfraEvent::Units(list) => self.units.emit(UnitsInput::Replace(list)),
            },
            InfrastructureInput::Request(r) => {
                let _ = sender.output(InfrastructureOutput::Request(r));
            }
        }
    }
}
