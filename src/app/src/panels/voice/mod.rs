//! Voice panel: the listening state with a live input level, push-to-talk and the wake
//! phrase, a test box that shows which intent a sentence matches and why (or runs it), what was
//! heard and done, and the intents with their coverage. Mirrors the daemon's Voice1.

mod heard_list;
mod intents_view;
mod layout;
mod model_install;
mod models_view;
mod wake_training;
mod wake_view;

use crate::connection::{DaemonRequest, ModelRequest, VoiceEvent, VoiceRequest, WakeRequest};
use layout::Parts;
use relm4::gtk::prelude::*;
use relm4::{gtk, ComponentParts, ComponentSender, SimpleComponent};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::{IntentMatchInfo, VoiceStatusInfo};
use roxy_ipc::JobInfo;

pub struct VoicePanel {
    status: VoiceStatusInfo,
    /// The test box's sentence the shown matches belong to.
    tested: String,
    widgets: Parts,
}

#[derive(Debug)]
pub enum VoiceInput {
    Event(Box<VoiceEvent>),
    DaemonGone,
    Listen,
    Wake(bool),
    Test(String),
    Say(String),
    CancelQuestion,
    UseWake(String),
    RemoveWake(String),
    WakeSensitivity(f64),
    WakeRefresh,
    RecordWakeSample,
    ClearWakeSamples,
    TrainWake {
        name: String,
        phrase: String,
    },
    TestSpeech,
    /// A model install or load job started, moved or ended.
    ModelJob(JobInfo),
    InstallModel {
        kind: String,
        source: String,
    },
    UseModel {
        kind: String,
        name: String,
    },
    RemoveModel {
        kind: String,
        name: String,
    },
    CancelJob(u64),
    /// Open the install dialog (the missing-model message's button).
    OfferInstall,
}

#[derive(Debug)]
pub enum VoiceOutput {
    Request(DaemonRequest),
}

impl VoicePanel {
    fn send(&self, sender: &ComponentSender<Self>, request: VoiceRequest) {
        let _ = sender.output(VoiceOutput::Request(DaemonRequest::Voice(request)));
    }

    /// The state line as shown; for tests.
    pub fn state_text(&self) -> String {
        self.widgets.state.label().to_string()
    }

    /// The test box's verdict line; for tests.
    pub fn test_result(&self) -> String {
        self.widgets.result.label().to_string()
    }

    pub fn explanation(&self) -> String {
        self.widgets.explanation.label().to_string()
    }

    pub fn set_sentence(&self, text: &str) {
        self.widgets.entry.set_text(text);
    }

    /// Presses Enter in the test box.
    pub fn run_sentence(&self) {
        self.widgets.entry.emit_activate();
    }

    pub fn heard(&self) -> Vec<String> {
        self.widgets.heard.transcripts()
    }

    pub fn can_talk(&self) -> bool {
        self.widgets.talk.is_sensitive()
    }

    /// The wake word in use and its sensitivity, as the panel shows them.
    pub fn wake_word(&self) -> (String, f64) {
        let info = self.widgets.wake_view.info();
        (info.reference.clone(), info.sensitivity)
    }

    pub fn wake_title(&self) -> String {
        relm4::adw::prelude::PreferencesRowExt::title(&self.widgets.wake_row).to_string()
    }

    /// Sets the wake-word sensitivity as a person would; for tests.
    pub fn set_wake_sensitivity(&self, value: f64) {
        self.widgets.wake_view.set_sensitivity(value);
    }

    /// Installed models as the Models group shows them; for tests.
    pub fn models(&self) -> Vec<(String, String, bool)> {
        self.widgets
            .models_view
            .models()
            .iter()
            .map(|m| (m.kind.clone(), m.name.clone(), m.in_use))
            .collect()
    }

    /// Why the last model request or job failed, as shown; for tests.
    pub fn model_problem(&self) -> String {
        self.widgets.models_view.problem()
    }

    /// Whether the panel offers to install a speech model (none is loaded).
    pub fn offers_install(&self) -> bool {
        self.widgets.install.is_visible()
    }

    fn model_request(&self, sender: &ComponentSender<Self>, request: ModelRequest) {
        self.send(sender, VoiceRequest::Models(request));
    }

    fn wake(&self, sender: &ComponentSender<Self>, request: WakeRequest) {
        self.send(sender, VoiceRequest::Wake(request));
    }

    fn show_status(&self) {
        let w = &self.widgets;
        let s = &self.status;
        w.state.set_label(&state_label(&s.state));
        w.talk.set_sensitive(s.model_ready);
        w.wake.set_sensitive(s.model_ready || s.mode == "wake");
        if w.wake.is_active() != (s.mode == "wake") {
            w.wake.set_active(s.mode == "wake");
        }
        relm4::adw::prelude::ActionRowExt::set_subtitle(
            &w.speech_row,
            &if s.speech_ready {
                fill(&gettext("Replies to spoken commands are said aloud by “{}”; say “stop” to interrupt."), &[&s.speech_voice])
            } else {
                s.speech_message.clone()
            },
        );
        w.speech_test.set_sensitive(s.speech_ready);
        w.message.set_label(&s.message);
        w.message.set_visible(!s.message.is_empty());
        // A missing or broken speech model: the way out is one click away.
        w.install
            .set_visible(!s.model_ready && !s.message.is_empty() && s.model.is_empty());
        w.question.set_label(&s.pending_question);
        w.question_row.set_visible(!s.pending_question.is_empty());
        if s.state == "idle" {
            w.level.set_value(0.0);
        }
    }

    fn show_matches(&self, matches: &[IntentMatchInfo]) {
        let w = &self.widgets;
        let Some(best) = matches.first() else {
            w.result.set_label(&if self.tested.trim().is_empty() {
                String::new()
            } else {
                gettext("No intent can match: no words, or no live values for its slots (is OBS connected?).")
            });
            w.explanation.set_label("");
            return;
        };
        let verdict = match best.decision.as_str() {
            "act" => gettext("Would do"),
            "ask" => gettext("Would ask back"),
            _ => gettext("Not understood; closest"),
        };
        w.result.set_label(&fill(
            &gettext("{}: {} — “{}” (confidence {} %)"),
            &[
                &verdict,
                &best.intent,
                &best.restated,
                &format!("{:.0}", best.confidence * 100.0),
            ],
        ));
        let mut lines = best.explanation.clone();
        for other in matches.iter().skip(1).take(2) {
            lines.push(fill(
                &gettext("next: {} (confidence {} %)"),
                &[&other.intent, &format!("{:.0}", other.confidence * 100.0)],
            ));
        }
        w.explanation.set_label(&lines.join("\n"));
    }
}

fn state_label(state: &str) -> String {
    match state {
        "listening" => gettext("Listening…"),
        "heard" => gettext("Hearing you…"),
        "thinking" => gettext("Thinking…"),
        "acting" => gettext("Doing it…"),
        "speaking" => gettext("Speaking…"),
        _ => gettext("Idle"),
    }
}

/// dBFS → 0..1 over the range a voice at a microphone moves in.
fn level_fraction(db: f64) -> f64 {
    ((db + 60.0) / 60.0).clamp(0.0, 1.0)
}

impl SimpleComponent for VoicePanel {
    type Init = ();
    type Input = VoiceInput;
    type Output = VoiceOutput;
    type Root = gtk::Box;
    type Widgets = ();

    fn init_root() -> Self::Root {
        gtk::Box::new(gtk::Orientation::Vertical, 0)
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let widgets = layout::build(&sender);
        root.append(&widgets.root);
        let model = VoicePanel {
            status: VoiceStatusInfo {
                state: "idle".into(),
                message: gettext("Waiting for the daemon…"),
                ..Default::default()
            },
            tested: String::new(),
            widgets,
        };
        model.show_status();
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, input: VoiceInput, sender: ComponentSender<Self>) {
        match input {
            VoiceInput::Event(event) => match *event {
                VoiceEvent::Status(status) => {
                    self.status = status;
                    self.show_status();
                }
                VoiceEvent::State(state) => {
                    self.status.state = state;
                    self.show_status();
                }
                VoiceEvent::Level(db) => self.widgets.level.set_value(level_fraction(db)),
                VoiceEvent::Heard(entry) => self.widgets.heard.push(entry),
                VoiceEvent::Log(entries) => self.widgets.heard.replace(entries),
                VoiceEvent::Intents(info) => {
                    self.status.coverage = info.coverage;
                    self.widgets.intents.show(&info);
                }
                VoiceEvent::Matches { sentence, matches } => {
                    // Answers to older keystrokes are stale.
                    if sentence == self.tested {
                        self.show_matches(&matches);
                    }
                }
                VoiceEvent::Wake(info) => {
                    relm4::adw::prelude::PreferencesRowExt::set_title(
                        &self.widgets.wake_row,
                        &fill(&gettext("Listen for “{}”"), &[&info.phrase]),
                    );
                    self.widgets.wake_view.show(info);
                    self.widgets.wake_view.finished(None);
                }
                VoiceEvent::WakeSample(sample) => self.widgets.wake_view.sample_recorded(&sample),
                VoiceEvent::WakeFailed(problem) => {
                    self.widgets.wake_view.finished(Some(&problem));
                }
                VoiceEvent::Models(models) => self.widgets.models_view.show(models),
                VoiceEvent::ModelFailed(problem) => {
                    self.widgets.models_view.show_problem(&problem);
                }
            },
            VoiceInput::DaemonGone => {
                self.status.state = "idle".into();
                self.status.model_ready = false;
                self.status.message =
                    gettext("The daemon is not running, so nothing is listening.");
                self.show_status();
            }
            VoiceInput::Listen => self.send(&sender, VoiceRequest::Listen),
            VoiceInput::Wake(on) => {
                if on != (self.status.mode == "wake") {
                    let mode = if on { "wake" } else { "off" };
                    self.send(&sender, VoiceRequest::Mode(mode.into()));
                }
            }
            VoiceInput::Test(sentence) => {
                self.tested = sentence.clone();
                if sentence.trim().is_empty() {
                    self.show_matches(&[]);
                } else {
                    self.send(&sender, VoiceRequest::Test(sentence));
                }
            }
            VoiceInput::Say(sentence) => {
                if !sentence.trim().is_empty() {
                    self.send(&sender, VoiceRequest::Say(sentence));
                }
            }
            VoiceInput::CancelQuestion => {
                self.send(&sender, VoiceRequest::Cancel);
                self.status.pending_question.clear();
                self.show_status();
            }
            VoiceInput::UseWake(name) => {
                if name != self.widgets.wake_view.info().reference {
                    self.wake(&sender, WakeRequest::Use(name));
                }
            }
            VoiceInput::RemoveWake(name) => self.wake(&sender, WakeRequest::Remove(name)),
            VoiceInput::WakeSensitivity(value) => {
                if (value - self.widgets.wake_view.info().sensitivity).abs() > 1e-6 {
                    self.wake(&sender, WakeRequest::Sensitivity(value));
                }
            }
            VoiceInput::WakeRefresh => self.wake(&sender, WakeRequest::Status),
            VoiceInput::RecordWakeSample => self.wake(&sender, WakeRequest::Record),
            VoiceInput::ClearWakeSamples => self.wake(&sender, WakeRequest::Clear),
            VoiceInput::TestSpeech => self.send(
                &sender,
                VoiceRequest::Speak(gettext("Hello! I will say replies like this one.")),
            ),
            VoiceInput::TrainWake { name, phrase } => {
                self.wake(&sender, WakeRequest::Train { name, phrase });
            }
            VoiceInput::ModelJob(job) => self.widgets.models_view.job(&job),
            VoiceInput::InstallModel { kind, source } => {
                self.widgets.models_view.show_problem("");
                self.model_request(&sender, ModelRequest::Install { kind, source });
            }
            VoiceInput::UseModel { kind, name } => {
                let in_use = self
                    .widgets
                    .models_view
                    .models()
                    .iter()
                    .any(|m| m.kind == kind && m.name == name && m.in_use);
                if !in_use {
                    self.model_request(&sender, ModelRequest::Use { kind, name });
                }
            }
            VoiceInput::RemoveModel { kind, name } => {
                self.model_request(&sender, ModelRequest::Remove { kind, name });
            }
            VoiceInput::CancelJob(id) => {
                let _ = sender.output(VoiceOutput::Request(DaemonRequest::Cancel(id)));
            }
            VoiceInput::OfferInstall => {
                model_install::present(&self.widgets.install, "whisper", &sender);
            }
        }
    }
}
