//! The "daemon unreachable" banner at the top of the content. libadwaita 1.2 has no
//! AdwBanner, so this is a revealer styled the same way.

use relm4::gtk::prelude::*;
use relm4::{gtk, ComponentParts, ComponentSender, SimpleComponent};
use roxy_ipc::i18n::gettext;

pub struct DaemonBanner {
    visible: bool,
    reason: String,
}

#[derive(Debug)]
pub enum BannerInput {
    Show(String),
    Hide,
}

#[derive(Debug)]
pub enum BannerOutput {
    StartDaemon,
}

#[relm4::component(pub)]
impl SimpleComponent for DaemonBanner {
    type Init = ();
    type Input = BannerInput;
    type Output = BannerOutput;

    view! {
        #[root]
        gtk::Revealer {
            #[watch]
            set_reveal_child: model.visible,
            set_transition_type: gtk::RevealerTransitionType::SlideDown,

            gtk::Box {
                add_css_class: "roxy-banner",
                set_spacing: 12,

                gtk::Label {
                    set_hexpand: true,
                    set_wrap: true,
                    set_xalign: 0.0,
                    #[watch]
                    set_label: &model.reason,
                },

                gtk::Button {
                    set_label: &gettext("Start Daemon"),
                    set_valign: gtk::Align::Center,
                    add_css_class: "suggested-action",
                    connect_clicked[sender] => move |_| {
                        let _ = sender.output(BannerOutput::StartDaemon);
                    },
                },
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let model = DaemonBanner {
            visible: false,
            reason: String::new(),
        };
        let widgets = view_output!();
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: BannerInput, _sender: ComponentSender<Self>) {
        match input {
            BannerInput::Show(reason) => {
                self.visible = true;
                self.reason = reason;
            }
            BannerInput::Hide => self.visible = false,
        }
    }
}

impl DaemonBanner {
    /// Whether the banner is (being) shown; for tests and the screenshot tool.
    pub fn is_shown(&self) -> bool {
        self.visible
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}
