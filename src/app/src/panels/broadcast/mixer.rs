//! The mixer: a strip per audio input with mute, a volume slider (dB) and a live meter whose
//! held peak is drawn as a mark. Meters come from roxyd while the panel is on screen.

use relm4::gtk;
use relm4::gtk::prelude::*;
use roxy_ipc::broadcast::{AudioInputInfo, MeterInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::cell::Cell;
use std::rc::Rc;

/// The meter shows −60 dBFS to 0.
const METER_FLOOR_DB: f64 = -60.0;

struct Strip {
    name: String,
    mute: gtk::ToggleButton,
    volume: gtk::Scale,
    meter: gtk::LevelBar,
    peak: gtk::Label,
    /// Set while the code moves the widgets, so it does not echo back to OBS.
    quiet: Rc<Cell<bool>>,
}

pub struct Mixer {
    pub widget: gtk::ListBox,
    strips: Vec<Strip>,
}

pub trait MixerActions: Clone + 'static {
    fn mute(&self, input: String, muted: bool);
    fn volume(&self, input: String, db: f64);
}

fn meter_value(db: f64) -> f64 {
    ((db - METER_FLOOR_DB) / -METER_FLOOR_DB).clamp(0.0, 1.0)
}

impl Mixer {
    pub fn new() -> Self {
        let widget = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .build();
        widget.add_css_class("boxed-list");
        Self {
            widget,
            strips: Vec::new(),
        }
    }

    pub fn show(&mut self, inputs: &[AudioInputInfo], actions: impl MixerActions) {
        let same_inputs = inputs.len() == self.strips.len()
            && inputs
                .iter()
                .zip(&self.strips)
                .all(|(i, s)| i.name == s.name);
        if !same_inputs {
            self.rebuild(inputs, actions);
        }
        for (input, strip) in inputs.iter().zip(&self.strips) {
            strip.quiet.set(true);
            strip.mute.set_active(input.muted);
            strip.mute.set_icon_name(if input.muted {
                "audio-volume-muted-symbolic"
            } else {
                "audio-volume-high-symbolic"
            });
            if (strip.volume.value() - input.volume_db).abs() > 0.05 {
                strip.volume.set_value(input.volume_db);
            }
            strip.quiet.set(false);
        }
    }

    fn rebuild(&mut self, inputs: &[AudioInputInfo], actions: impl MixerActions) {
        while let Some(row) = self.widget.first_child() {
            self.widget.remove(&row);
        }
        self.strips.clear();
        for input in inputs {
            let quiet = Rc::new(Cell::new(false));
            let row = gtk::Box::builder()
                .spacing(12)
                .margin_top(8)
                .margin_bottom(8)
                .margin_start(12)
                .margin_end(12)
                .build();
            let mute = gtk::ToggleButton::builder()
                .icon_name("audio-volume-high-symbolic")
                .tooltip_text(fill(&gettext("Mute {}"), &[&input.name]))
                .valign(gtk::Align::Center)
                .build();
            mute.add_css_class("flat");
            let labels = gtk::Box::new(gtk::Orientation::Vertical, 4);
            labels.set_hexpand(true);
            let title = gtk::Label::builder().label(&input.name).xalign(0.0).build();
            let meter = gtk::LevelBar::builder()
                .min_value(0.0)
                .max_value(1.0)
                .build();
            meter.add_offset_value("roxy-meter-hot", 0.9);
            let volume = gtk::Scale::with_range(gtk::Orientation::Horizontal, -60.0, 12.0, 0.5);
            volume.set_draw_value(false);
            volume.set_tooltip_text(Some(&gettext("Volume (dB)")));
            let peak = gtk::Label::builder().width_chars(9).xalign(1.0).build();
            peak.add_css_class("numeric");
            peak.add_css_class("dim-label");
            labels.append(&title);
            labels.append(&meter);
            labels.append(&volume);
            row.append(&mute);
            row.append(&labels);
            row.append(&peak);
            {
                let (actions, name, quiet) = (actions.clone(), input.name.clone(), quiet.clone());
                mute.connect_toggled(move |b| {
                    if !quiet.get() {
                        actions.mute(name.clone(), b.is_active());
                    }
                });
            }
            {
                let (actions, name, quiet) = (actions.clone(), input.name.clone(), quiet.clone());
                volume.connect_value_changed(move |s| {
                    if !quiet.get() {
                        actions.volume(name.clone(), s.value());
                    }
                });
            }
            self.widget.append(&row);
            self.strips.push(Strip {
                name: input.name.clone(),
                mute,
                volume,
                meter,
                peak,
                quiet,
            });
        }
    }

    pub fn meters(&self, meters: &[MeterInfo]) {
        for strip in &self.strips {
            match meters.iter().find(|m| m.input == strip.name) {
                Some(m) => {
                    strip.meter.set_value(meter_value(m.level_db));
                    strip
                        .peak
                        .set_label(&fill(&gettext("{} dB"), &[&format!("{:.1}", m.peak_db)]));
                }
                None => {
                    strip.meter.set_value(0.0);
                    strip.peak.set_label("");
                }
            }
        }
    }

    /// The meter fill of `input` (0–1); for tests.
    pub fn level(&self, input: &str) -> Option<f64> {
        self.strips
            .iter()
            .find(|s| s.name == input)
            .map(|s| s.meter.value())
    }

    /// Toggles the mute button of `input`, as a click would; for tests.
    pub fn toggle_mute(&self, input: &str) -> bool {
        match self.strips.iter().find(|s| s.name == input) {
            Some(s) => {
                s.mute.set_active(!s.mute.is_active());
                true
            }
            None => false,
        }
    }
}
