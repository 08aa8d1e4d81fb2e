//! The outputs: big Stream and Record buttons with running timers, pause, replay buffer,
//! virtual camera, studio mode, and a line of statistics and health.

use super::{BroadcastInput, BroadcastPanel};
use crate::connection::BroadcastRequest;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::ComponentSender;
use roxy_ipc::broadcast::ObsStateInfo;
use roxy_ipc::i18n::{fill, gettext};

pub struct Outputs {
    pub widget: gtk::Box,
    stream: gtk::Button,
    record: gtk::Button,
    pause: gtk::Button,
    replay: gtk::Button,
    vcam: gtk::ToggleButton,
    studio: gtk::ToggleButton,
    transition: gtk::Button,
    stats: gtk::Label,
    health: gtk::Label,
    /// What the buttons show now, so a click asks for the opposite.
    streaming: bool,
    recording: bool,
    paused: bool,
    quiet: std::rc::Rc<std::cell::Cell<bool>>,
}

fn request(sender: &ComponentSender<BroadcastPanel>, request: BroadcastRequest) {
    sender.input(BroadcastInput::Request(request));
}

fn clock(started_ms: i64) -> String {
    if started_ms <= 0 {
        return String::new();
    }
    let now = glib_now_ms();
    let secs = ((now - started_ms).max(0) / 1000) as u64;
    format!(" {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

fn glib_now_ms() -> i64 {
    relm4::gtk::glib::real_time() / 1000
}

impl Outputs {
    pub fn new(sender: &ComponentSender<BroadcastPanel>) -> Self {
        let big = |label: String| {
            let b = gtk::Button::builder()
                .label(label)
                .height_request(64)
                .hexpand(true)
                .build();
            b.add_css_class("pill");
            b
        };
        let stream = big(gettext("Start Streaming"));
        let record = big(gettext("Start Recording"));
        let pause = gtk::Button::builder()
            .icon_name("media-playback-pause-symbolic")
            .tooltip_text(gettext("Pause or resume the recording"))
            .valign(gtk::Align::Center)
            .build();
        let replay = gtk::Button::with_label(&gettext("Save Replay"));
        let vcam = gtk::ToggleButton::with_label(&gettext("Virtual Camera"));
        let studio = gtk::ToggleButton::with_label(&gettext("Studio Mode"));
        let transition = gtk::Button::with_label(&gettext("Transition"));
        transition.set_tooltip_text(Some(&gettext("Move the preview scene to program")));
        let stats = gtk::Label::builder().xalign(0.0).wrap(true).build();
        stats.add_css_class("caption");
        stats.add_css_class("numeric");
        let health = gtk::Label::builder().xalign(0.0).wrap(true).build();
        health.add_css_class("error");
        let quiet = std::rc::Rc::new(std::cell::Cell::new(false));

        let big_row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        big_row.append(&stream);
        big_row.append(&record);
        big_row.append(&pause);
        let small_row = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .column_spacing(6)
            .row_spacing(6)
            .build();
        for w in [
            replay.upcast_ref::<gtk::Widget>(),
            vcam.upcast_ref(),
            studio.upcast_ref(),
            transition.upcast_ref(),
        ] {
            small_row.insert(w, -1);
        }
        let widget = gtk::Box::new(gtk::Orientation::Vertical, 8);
        widget.append(&big_row);
        widget.append(&small_row);
        widget.append(&stats);
        widget.append(&health);
        let outputs = Self {
            widget,
            stream,
            record,
            pause,
            replay,
            vcam,
            studio,
            transition,
            stats,
            health,
            streaming: false,
            recording: false,
            paused: false,
            quiet,
        };
        outputs.connect(sender);
        outputs
    }

    fn connect(&self, sender: &ComponentSender<BroadcastPanel>) {
        // Each button reads what it shows at the moment of the click.
        let s = sender.clone();
        self.stream.connect_clicked(move |b| {
            let start = b.has_css_class("suggested-action");
            request(
                &s,
                BroadcastRequest::Stream {
                    instance: String::new(),
                    action: if start { "start" } else { "stop" }.into(),
                },
            );
        });
        let s = sender.clone();
        self.record.connect_clicked(move |b| {
            let start = b.has_css_class("suggested-action");
            request(
                &s,
                BroadcastRequest::Record {
                    instance: String::new(),
                    action: if start { "start" } else { "stop" }.into(),
                },
            );
        });
        let s = sender.clone();
        self.pause.connect_clicked(move |b| {
            let resume = b.icon_name().as_deref() == Some("media-playback-start-symbolic");
            request(
                &s,
                BroadcastRequest::Record {
                    instance: String::new(),
                    action: if resume { "resume" } else { "pause" }.into(),
                },
            );
        });
        let s = sender.clone();
        self.replay
            .connect_clicked(move |_| request(&s, BroadcastRequest::SaveReplay(String::new())));
        let (s, quiet) = (sender.clone(), self.quiet.clone());
        self.vcam.connect_toggled(move |b| {
            if !quiet.get() {
                request(
                    &s,
                    BroadcastRequest::VirtualCam {
                        instance: String::new(),
                        on: b.is_active(),
                    },
                );
            }
        });
        let (s, quiet) = (sender.clone(), self.quiet.clone());
        self.studio.connect_toggled(move |b| {
            if !quiet.get() {
                request(
                    &s,
                    BroadcastRequest::StudioMode {
                        instance: String::new(),
                        on: b.is_active(),
                    },
                );
            }
        });
        let s = sender.clone();
        self.transition
            .connect_clicked(move |_| request(&s, BroadcastRequest::Transition(String::new())));
    }

    pub fn show(&mut self, state: &ObsStateInfo, connected: bool) {
        self.streaming = state.stream != "stopped";
        self.recording = state.record != "stopped";
        self.paused = state.record == "paused";
        for b in [&self.stream, &self.record] {
            b.remove_css_class("suggested-action");
            b.remove_css_class("destructive-action");
        }
        self.stream.add_css_class(if self.streaming {
            "destructive-action"
        } else {
            "suggested-action"
        });
        self.record.add_css_class(if self.recording {
            "destructive-action"
        } else {
            "suggested-action"
        });
        self.pause.set_icon_name(if self.paused {
            "media-playback-start-symbolic"
        } else {
            "media-playback-pause-symbolic"
        });
        self.pause.set_sensitive(connected && self.recording);
        for w in [
            self.stream.upcast_ref::<gtk::Widget>(),
            self.record.upcast_ref(),
            self.replay.upcast_ref(),
            self.vcam.upcast_ref(),
            self.studio.upcast_ref(),
        ] {
            w.set_sensitive(connected);
        }
        self.replay.set_sensitive(connected && state.replay_buffer);
        self.replay.set_tooltip_text(Some(&if state.replay_buffer {
            gettext("Save the last seconds to a file")
        } else {
            gettext("The replay buffer is not running in OBS")
        }));
        self.quiet.set(true);
        self.vcam.set_active(state.virtual_cam);
        self.studio.set_active(state.studio_mode);
        self.quiet.set(false);
        self.transition
            .set_sensitive(connected && state.studio_mode);
        let st = &state.stats;
        self.stats.set_label(&if connected {
            fill(
                &gettext("{} fps · render {} ms · skipped {} of {} frames · CPU {} % · {} GB free"),
                &[
                    &format!("{:.1}", st.fps),
                    &format!("{:.1}", st.render_ms),
                    &st.render_skipped,
                    &st.render_total,
                    &format!("{:.1}", st.cpu_percent),
                    &format!("{:.1}", st.disk_free_mb / 1024.0),
                ],
            )
        } else {
            String::new()
        });
        let issues: Vec<String> = state.issues.iter().map(|i| issue_label(i)).collect();
        self.health.set_label(&issues.join(" · "));
        self.health.set_visible(!issues.is_empty());
        self.tick(Some(state));
    }

    /// Moves the timers on (twice a second).
    pub fn tick(&self, state: Option<&ObsStateInfo>) {
        let (stream_clock, record_clock) = state
            .map(|s| (clock(s.stream_started_ms), clock(s.record_started_ms)))
            .unwrap_or_default();
        self.stream.set_label(&if self.streaming {
            fill(&gettext("Stop Streaming{}"), &[&stream_clock])
        } else {
            gettext("Start Streaming")
        });
        self.record.set_label(&if self.paused {
            fill(&gettext("Paused{}"), &[&record_clock])
        } else if self.recording {
            fill(&gettext("Stop Recording{}"), &[&record_clock])
        } else {
            gettext("Start Recording")
        });
    }
}

fn issue_label(id: &str) -> String {
    match id {
        "dropped-frames" => gettext("The stream is dropping frames"),
        "render-lag" => gettext("OBS is skipping frames"),
        "disk-low" => gettext("The recording disk is almost full"),
        "stream-disconnected" => gettext("The stream lost its connection"),
        other => other.to_owned(),
    }
}
