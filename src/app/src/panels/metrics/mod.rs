//! Metrics panel: live charts of the host (drawn from the daemon's `Sampled` signal), their
//! history over 1 h / 24 h / 7 d / 30 d, the energy level and the alerts. Mirrors Metrics1.

mod alert_row;
mod chart_card;
mod rule_dialog;
mod score_row;

use crate::connection::{DaemonRequest, MetricsEvent, MetricsRequest};
use alert_row::AlertRow;
use chart_card::{ChartCard, Unit};
use relm4::adw::prelude::*;
use relm4::factory::FactoryVecDeque;
use relm4::{adw, gtk, ComponentParts, ComponentSender, RelmWidgetExt, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{AlertInfo, EnergyInfo, ScoreInfo};
use score_row::ScoreRow;

/// The ranges on offer: label and seconds.
fn ranges() -> [(String, u64); 4] {
    [
        (gettext("1 h"), 3600),
        (gettext("24 h"), 86_400),
        (gettext("7 d"), 7 * 86_400),
        (gettext("30 d"), 30 * 86_400),
    ]
}

pub struct MetricsPanel {
    charts: Vec<ChartCard>,
    seconds: u64,
    alerts: FactoryVecDeque<AlertRow>,
    scores: FactoryVecDeque<ScoreRow>,
    energy: Option<EnergyInfo>,
}

#[derive(Debug)]
pub enum MetricsInput {
    Event(MetricsEvent),
    Range(u64),
    AddRule,
}

#[derive(Debug)]
pub enum MetricsOutput {
    Request(DaemonRequest),
}

impl MetricsPanel {
    fn energy_text(&self) -> String {
        let Some(e) = &self.energy else {
            return String::new();
        };
        let level = match e.level.as_str() {
            "critical" => gettext("critical"),
            "low" => gettext("low"),
            "medium" => gettext("medium"),
            "high" => gettext("high"),
            _ => gettext("full"),
        };
        let mut text = if !e.has_battery {
            fill(&gettext("Energy: {} (no battery)"), &[&level])
        } else if e.on_battery {
            fill(
                &gettext("Energy: {} (battery {}%)"),
                &[&level, &e.battery_pct.round()],
            )
        } else {
            fill(
                &gettext("Energy: {} (on mains, battery {}%)"),
                &[&level, &e.battery_pct.round()],
            )
        };
        if !e.deferred.is_empty() {
            text.push_str(" · ");
            text.push_str(&fill(
                &gettext("waiting for power: {}"),
                &[&e.deferred
                    .iter()
                    .map(|d| d.runbook.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")],
            ));
        }
        text
    }

    fn open_alerts(&self) -> usize {
        self.alerts
            .iter()
            .filter(|a| a.info.resolved_at == 0)
            .count()
    }

    /// For tests: each chart's first metric with how many points it draws and its value.
    pub fn chart_state(&self) -> Vec<(String, usize, String)> {
        self.charts
            .iter()
            .map(|c| (c.metrics[0].clone(), c.points(), c.value_text()))
            .collect()
    }

    pub fn alerts(&self) -> Vec<AlertInfo> {
        self.alerts.iter().map(|a| a.info.clone()).collect()
    }

    pub fn scores(&self) -> Vec<ScoreInfo> {
        self.scores.iter().map(|s| s.info.clone()).collect()
    }

    pub fn range(&self) -> u64 {
        self.seconds
    }

    fn request_history(&self, sender: &ComponentSender<Self>) {
        let metrics = self
            .charts
            .iter()
            .flat_map(|c| c.metrics.iter().cloned())
            .collect();
        let _ = sender.output(MetricsOutput::Request(DaemonRequest::Metrics(
            MetricsRequest::History {
                metrics,
                seconds: self.seconds,
            },
        )));
    }
}

#[relm4::component(pub)]
impl SimpleComponent for MetricsPanel {
    type Init = ();
    type Input = MetricsInput;
    type Output = MetricsOutput;

    view! {
        #[root]
        gtk::ScrolledWindow {
            set_hscrollbar_policy: gtk::PolicyType::Never,
            set_vexpand: true,
            adw::Clamp {
                set_maximum_size: 1200,
                set_margin_all: 18,
                gtk::Box {
                    set_orientation: gtk::Orientation::Vertical,
                    set_spacing: 12,
                    gtk::Box {
                        set_spacing: 12,
                        #[name = "range_box"]
                        gtk::Box {
                            add_css_class: "linked",
                        },
                        gtk::Label {
                            set_hexpand: true,
                            set_xalign: 1.0,
                            add_css_class: "dim-label",
                            #[watch]
                            set_label: &model.energy_text(),
                        },
                    },
                    #[name = "grid"]
                    gtk::Grid {
                        set_row_spacing: 12,
                        set_column_spacing: 12,
                        set_column_homogeneous: true,
                    },
                    gtk::Box {
                        set_margin_top: 12,
                        gtk::Label {
                            set_xalign: 0.0,
                            set_hexpand: true,
                            add_css_class: "heading",
                            #[watch]
                            set_label: &fill(&gettext("Alerts ({} open)"), &[&model.open_alerts()]),
                        },
                        gtk::Button {
                            set_label: &gettext("Add Rule…"),
                            connect_clicked => MetricsInput::AddRule,
                        },
                    },
                    gtk::Label {
                        set_xalign: 0.0,
                        add_css_class: "dim-label",
                        set_wrap: true,
                        set_label: &gettext("No alerts. Rules watch disk space, checks and certificates by default; add your own with Add Rule or roxyctl alerts add."),
                        #[watch]
                        set_visible: model.alerts.is_empty(),
                    },
                    #[local_ref]
                    alert_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                        #[watch]
                        set_visible: !model.alerts.is_empty(),
                    },
                    gtk::Label {
                        set_xalign: 0.0,
                        set_margin_top: 12,
                        add_css_class: "heading",
                        set_label: &gettext("Scorecard"),
                    },
                    #[local_ref]
                    score_list -> gtk::ListBox {
                        add_css_class: "boxed-list",
                        set_selection_mode: gtk::SelectionMode::None,
                    },
                },
            },
        }
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let charts = vec![
            ChartCard::new(
                &gettext("Processor"),
                &[("cpu", gettext("CPU"))],
                Unit::Percent,
            ),
            ChartCard::new(
                &gettext("Memory"),
                &[
                    ("mem.used_pct", gettext("Used")),
                    ("swap.used_pct", gettext("Swap")),
                ],
                Unit::Percent,
            ),
            ChartCard::new(
                &gettext("Network"),
                &[
                    ("net.rx_bps", gettext("Received")),
                    ("net.tx_bps", gettext("Sent")),
                ],
                Unit::BytesPerSecond,
            ),
            ChartCard::new(
                &gettext("Disk I/O"),
                &[
                    ("disk.read_bps", gettext("Read")),
                    ("disk.write_bps", gettext("Written")),
                ],
                Unit::BytesPerSecond,
            ),
            ChartCard::new(
                &gettext("Load (1 min)"),
                &[("load1", gettext("Load"))],
                Unit::Plain,
            ),
            ChartCard::new(
                &gettext("Root Disk Used"),
                &[("disk.root_used_pct", gettext("Used"))],
                Unit::Percent,
            ),
        ];
        let alerts = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .detach();
        let scores = FactoryVecDeque::builder()
            .launch(gtk::ListBox::default())
            .detach();
        let model = MetricsPanel {
            charts,
            seconds: 3600,
            alerts,
            scores,
            energy: None,
        };
        let alert_list = model.alerts.widget();
        let score_list = model.scores.widget();
        let widgets = view_output!();
        for (i, chart) in model.charts.iter().enumerate() {
            let frame = gtk::Frame::new(None);
            frame.set_child(Some(&chart.root));
            widgets
                .grid
                .attach(&frame, (i % 2) as i32, (i / 2) as i32, 1, 1);
        }
        let mut group: Option<gtk::ToggleButton> = None;
        for (label, seconds) in ranges() {
            let button = gtk::ToggleButton::with_label(&label);
            button.set_active(seconds == 3600);
            if let Some(first) = &group {
                button.set_group(Some(first));
            } else {
                group = Some(button.clone());
            }
            let sender = sender.clone();
            button.connect_toggled(move |b| {
                if b.is_active() {
                    sender.input(MetricsInput::Range(seconds));
                }
            });
            widgets.range_box.append(&button);
        }
        ComponentParts { model, widgets }
    }

    fn update(&mut self, input: MetricsInput, sender: ComponentSender<Self>) {
        match input {
            MetricsInput::AddRule => {
                let sender = sender.clone();
                rule_dialog::present(self.alerts.widget(), move |rule| {
                    let _ = sender.output(MetricsOutput::Request(DaemonRequest::Metrics(
                        MetricsRequest::SaveRule(rule),
                    )));
                });
            }
            MetricsInput::Range(seconds) => {
                self.seconds = seconds;
                self.request_history(&sender);
            }
            MetricsInput::Event(event) => match event {
                MetricsEvent::Sampled { values, .. } => {
                    let live = self.seconds == 3600;
                    for value in &values {
                        for chart in &self.charts {
                            chart.push(&value.name, value.value, live);
                        }
                    }
                }
                MetricsEvent::History { seconds, series } => {
                    if seconds != self.seconds {
                        return;
                    }
                    for (metric, points) in &series {
                        for chart in &self.charts {
                            chart.set_history(metric, points);
                        }
                    }
                }
                MetricsEvent::Alerts(list) => {
                    let mut rows = self.alerts.guard();
                    rows.clear();
                    for alert in list {
                        rows.push_back(alert);
                    }
                }
                MetricsEvent::Scorecard(list) => {
                    let mut rows = self.scores.guard();
                    rows.clear();
                    for score in list {
                        rows.push_back(score);
                    }
                }
                MetricsEvent::Energy(energy) => {
                    // First contact: also fill the charts with the last hour.
                    if self.energy.is_none() {
                        self.request_history(&sender);
                    }
                    self.energy = Some(energy);
                }
            },
        }
    }
}
