//! One check: up or down, latency with a sparkline of the last minute, uptime, last result.

use crate::chart::{self, Series};
use relm4::adw::prelude::*;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender};
use relm4::{adw, gtk};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{CheckInfo, CheckResult};

/// Latencies kept for the sparkline.
const SPARK_POINTS: usize = 60;

pub struct CheckRow {
    pub info: CheckInfo,
    latencies: Series,
    spark: gtk::DrawingArea,
}

#[derive(Debug)]
pub enum CheckRowInput {
    Result(CheckResult),
}

#[derive(Debug)]
pub enum CheckRowOutput {
    Remove(String),
}

fn status(info: &CheckInfo) -> (String, &'static str) {
    match info.up {
        _ if !info.spec.enabled => (gettext("Off"), "dim"),
        1 if info.cert_days >= 0.0 && info.cert_days < f64::from(info.spec.warn_days) => {
            (gettext("Expiring"), "warning")
        }
        1 => (gettext("Up"), "success"),
        0 => (gettext("Down"), "error"),
        _ => (gettext("Pending"), "dim"),
    }
}

fn subtitle(info: &CheckInfo) -> String {
    let mut parts = vec![info.spec.target.clone()];
    if info.up >= 0 {
        parts.push(format!("{:.1} ms", info.latency_ms));
    }
    if info.uptime_24h >= 0.0 {
        parts.push(fill(
            &gettext("{}% in 24 h"),
            &[&format!("{:.2}", info.uptime_24h)],
        ));
    }
    if !info.message.is_empty() {
        parts.push(info.message.clone());
    }
    parts.join(" · ")
}

#[relm4::factory(pub)]
impl FactoryComponent for CheckRow {
    type Init = CheckInfo;
    type Input = CheckRowInput;
    type Output = CheckRowOutput;
    type CommandOutput = ();
    type ParentWidget = gtk::ListBox;

    view! {
        #[root]
        adw::ActionRow {
            set_use_markup: false,
            set_title: &self.info.spec.name,
            #[watch]
            set_subtitle: &subtitle(&self.info),
            set_subtitle_lines: 2,

            add_prefix = &gtk::Label {
                set_valign: gtk::Align::Center,
                set_width_chars: 8,
                #[watch]
                set_label: &status(&self.info).0,
                #[watch]
                set_css_classes: &["roxy-state", status(&self.info).1],
            },
            add_suffix: &self.spark,
            add_suffix = &gtk::Button {
                set_icon_name: "user-trash-symbolic",
                set_valign: gtk::Align::Center,
                add_css_class: "flat",
                set_tooltip_text: Some(&gettext("Remove check")),
                connect_clicked[sender, name = self.info.spec.name.clone()] => move |_| {
                    let _ = sender.output(CheckRowOutput::Remove(name.clone()));
                },
            },
        }
    }

    fn init_model(info: CheckInfo, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        let latencies = Series::default();
        let spark = chart::sparkline(latencies.clone(), chart::BLUE);
        Self {
            info,
            latencies,
            spark,
        }
    }

    fn update(&mut self, input: CheckRowInput, _sender: FactorySender<Self>) {
        let CheckRowInput::Result(result) = input;
        if self.info.up != i32::from(result.up) {
            self.info.since = result.at;
        }
        self.info.up = i32::from(result.up);
        self.info.latency_ms = result.latency_ms;
        self.info.message = result.message;
        self.info.last_at = result.at;
        let mut values = self.latencies.borrow_mut();
        values.push(if result.up {
            result.latency_ms
        } else {
            f64::NAN
        });
        let extra = values.len().saturating_sub(SPARK_POINTS);
        values.drain(..extra);
        drop(values);
        self.spark.queue_draw();
    }
}

impl CheckRow {
    /// The sparkline's values; for tests.
    pub fn latencies(&self) -> Vec<f64> {
        self.latencies.borrow().clone()
    }
}
