//! One chart of the Metrics panel: a title, the latest value, and the lines of one or more
//! metrics over the chosen range. Live samples are appended while the range is one hour.

use crate::chart::{self, Series};
use relm4::gtk;
use relm4::gtk::prelude::*;
use roxy_ipc::MetricPoint;

/// How a chart shows its values.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Percent,
    BytesPerSecond,
    Plain,
}

impl Unit {
    fn format(self, value: f64) -> String {
        match self {
            Unit::Percent => format!("{value:.1} %"),
            Unit::BytesPerSecond if value >= 1048576.0 => {
                format!("{:.1} MiB/s", value / 1048576.0)
            }
            Unit::BytesPerSecond => format!("{:.1} KiB/s", value / 1024.0),
            Unit::Plain => format!("{value:.2}"),
        }
    }
}

pub struct ChartCard {
    pub metrics: Vec<String>,
    series: Vec<Series>,
    unit: Unit,
    area: gtk::DrawingArea,
    value: gtk::Label,
    pub root: gtk::Box,
}

/// Points kept for live drawing: one hour of seconds.
const LIVE_POINTS: usize = 3600;

impl ChartCard {
    /// `metrics`: each metric with the name its line gets in the legend.
    pub fn new(title: &str, metrics: &[(&str, String)], unit: Unit) -> Self {
        let colours = [chart::BLUE, chart::ORANGE, chart::GREEN];
        let series: Vec<Series> = metrics.iter().map(|_| Series::default()).collect();
        let area = gtk::DrawingArea::builder()
            .content_height(120)
            .hexpand(true)
            .build();
        let lines: Vec<(Series, (f64, f64, f64))> = series
            .iter()
            .cloned()
            .zip(colours.iter().cycle().copied())
            .collect();
        let fixed_max = matches!(unit, Unit::Percent).then_some(100.0);
        area.set_draw_func(move |area, cr, w, h| chart::draw(area, cr, w, h, &lines, fixed_max));
        let heading = gtk::Label::builder()
            .label(title)
            .xalign(0.0)
            .hexpand(true)
            .build();
        heading.add_css_class("heading");
        let value = gtk::Label::builder().label("–").build();
        value.add_css_class("numeric");
        let top = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        top.append(&heading);
        top.append(&value);
        let root = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_top(6)
            .margin_bottom(6)
            .margin_start(12)
            .margin_end(12)
            .build();
        root.append(&top);
        root.append(&area);
        if metrics.len() > 1 {
            let markup: Vec<String> = metrics
                .iter()
                .zip(colours.iter().cycle())
                .map(|((_, label), (r, g, b))| {
                    format!(
                        "<span foreground=\"#{:02x}{:02x}{:02x}\">●</span> {}",
                        (r * 255.0) as u8,
                        (g * 255.0) as u8,
                        (b * 255.0) as u8,
                        gtk::glib::markup_escape_text(label)
                    )
                })
                .collect();
            let legend = gtk::Label::builder()
                .use_markup(true)
                .label(markup.join("   "))
                .xalign(0.0)
                .build();
            legend.add_css_class("dim-label");
            legend.add_css_class("caption");
            root.append(&legend);
        }
        Self {
            metrics: metrics.iter().map(|(m, _)| (*m).to_owned()).collect(),
            series,
            unit,
            area,
            value,
            root,
        }
    }

    /// Replaces the lines with history from roxyd.
    pub fn set_history(&self, metric: &str, points: &[MetricPoint]) {
        if let Some(i) = self.metrics.iter().position(|m| m == metric) {
            *self.series[i].borrow_mut() = points.iter().map(|p| p.avg).collect();
            if i == 0 {
                if let Some(last) = points.last() {
                    self.value.set_label(&self.unit.format(last.avg));
                }
            }
            self.area.queue_draw();
        }
    }

    /// Appends one live sample (only drawn when `live`; the value label always follows).
    pub fn push(&self, metric: &str, value: f64, live: bool) {
        let Some(i) = self.metrics.iter().position(|m| m == metric) else {
            return;
        };
        if i == 0 {
            self.value.set_label(&self.unit.format(value));
        }
        if live {
            let mut series = self.series[i].borrow_mut();
            series.push(value);
            let extra = series.len().saturating_sub(LIVE_POINTS);
            series.drain(..extra);
            drop(series);
            self.area.queue_draw();
        }
    }

    /// Points drawn for the first metric; for tests.
    pub fn points(&self) -> usize {
        self.series[0].borrow().len()
    }

    pub fn value_text(&self) -> String {
        self.value.label().to_string()
    }
}
