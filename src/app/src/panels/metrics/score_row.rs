//! One measure of the scorecard: name, value and grade, and what it covers or why it is not
//! measured.

use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::scorecard;
use roxy_ipc::ScoreInfo;

pub struct ScoreRow {
    pub info: ScoreInfo,
}

fn css(info: &ScoreInfo) -> &'static str {
    match info.grade.as_str() {
        "good" => "success",
        "fair" => "warning",
        "poor" => "error",
        _ => "dim",
    }
}

#[relm4::factory(pub)]
impl FactoryComponent for ScoreRow {
    type Init = ScoreInfo;
    type Input = ();
    type Output = ();
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            set_title: &scorecard::title(&self.info.id),
            set_subtitle: &self.info.detail,
            add_suffix = &gtk::Label {
                set_valign: gtk::Align::Center,
                add_css_class: "numeric",
                set_label: &scorecard::value(&self.info),
            },
            add_suffix = &gtk::Label {
                set_valign: gtk::Align::Center,
                set_width_chars: 12,
                set_label: &scorecard::grade(&self.info),
                set_css_classes: &["roxy-state", css(&self.info)],
            },
        }
    }

    fn init_model(info: ScoreInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self { info }
    }
}
