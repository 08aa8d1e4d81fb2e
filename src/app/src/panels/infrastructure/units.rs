//! The Units page: systemd services, timers and sockets, failed ones first; user units can be
//! started, stopped and restarted, system units are shown only.

use super::unit_row::{UnitRow, UnitRowOutput};
use crate::connection::{DaemonRequest, InfraRequest};
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::gettext;
use roxy_ipc::UnitInfo;

pub struct UnitsPage {
    rows: FactoryVecDeque<UnitRow>,
}

#[derive(Debug)]
pub enum UnitsInput {
    Replace(Vec<UnitInfo>),
    Request(InfraRequest),
}

#[derive(Debug)]
pub enum UnitsOutput {
    Request(DaemonRequest),
}

impl UnitsPage {
    pub fn units(&self) -> Vec<UnitInfo> {
        self.rows.iter().map(|r| r.info.clone()).collect()
    }
}

#[relm4::component(pub)]
impl SimpleComponent for UnitsPage {
    type Init = ();
    type Input = UnitsInput;
    type Output = UnitsOutput;

    view! {
        #[root]
        gtk::Stack {
            set_vexpand: true,
            add_named[Some("empty")] = &adw::StatusPage {
                set_icon_name: Some("system-run-symbolic"),
                set_title: &gettext("No systemd Manager"),
                set_description: Some(&gettext("Neither the user nor the system manager of systemd answers on the bus, so there are no units to show.")),
            },
            add_named[Some("list")] = &gtk::ScrolledWindow {
                set_hscrollbar_policy: gtk::PolicyType::Never,
                adw::Clamp {
                    set_maximum_size: 1000,
                    set_margin_all: 18,
                    #[local_ref]
                    unit_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                        set_valign: gtk::Align::Start,
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
                UnitRowOutput::Action { unit, action } => {
                    UnitsInput::Request(InfraRequest::UnitAction {
                        unit,
                        action: action.to_owned(),
                    })
                }
            });
        let model = UnitsPage { rows };
        let unit_list = model.rows.widget();
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: UnitsInput, sender: ComponentSender<Self>) {
        match input {
            UnitsInput::Replace(mut list) => {
                // Failed first, then user units, then by name.
                list.sort_by_key(|u| {
                    (
                        u.active_state != "failed",
                        u.scope != "user",
                        u.name.clone(),
                    )
                });
                let mut rows = self.rows.guard();
                rows.clear();
                for unit in list {
                    rows.push_back(unit);
                }
            }
            UnitsInput::Request(r) => {
                let _ = sender.output(UnitsOutput::Request(DaemonRequest::Infra(r)));
            }
        }
    }
}
