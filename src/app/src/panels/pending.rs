//! The status page of a panel that is not built yet: what it will do, and that it is not
//! there today. No sample data, ever.

use crate::panel::PanelId;
use relm4::adw::prelude::*;
use relm4::{adw, gtk, ComponentParts, ComponentSender, SimpleComponent};
use roxy_ipc::i18n::gettext;

#[derive(Debug, Clone)]
pub struct Plan {
    pub panel: PanelId,
    /// What the panel will do, in one or two sentences.
    pub summary: String,
}

pub struct PendingPanel {
    plan: Plan,
}

#[relm4::component(pub)]
impl SimpleComponent for PendingPanel {
    type Init = Plan;
    type Input = ();
    type Output = ();

    view! {
        #[root]
        adw::StatusPage {
            set_icon_name: Some(model.plan.panel.icon()),
            set_title: &model.plan.panel.title(),
            set_description: Some(&model.plan.summary),
            set_vexpand: true,

            gtk::Label {
                add_css_class: "roxy-pending",
                set_label: &gettext("Not built yet"),
                set_halign: gtk::Align::Center,
            },
        }
    }

    fn init(plan: Plan, root: Self::Root, _sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let model = PendingPanel { plan };
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }
}
