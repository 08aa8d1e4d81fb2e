//! Voice commands: the listening loop (microphone → end of speech → speech-to-text), the wake
//! phrase, push-to-talk, and handling a sentence (typed or heard): match an intent, ask back
//! when unsure, act through the same calls a click makes, log and signal what happened.

mod actions;
mod intents;
mod listener;
mod model_transfer;
mod models;
mod speaker;
mod vocabulary;
mod wake;

use crate::alerting::ValueSource;
use crate::broadcast::BroadcastHub;
use crate::crm::CrmHub;
use crate::runbooks::Engine;
use intents::LoadedIntents;
use listener::{Listener, MicEvent};
use roxy_core::voice::{
    normalize, strip_phrase, strip_wake_phrase, Decision, Heard as HeardRow, IntentMatch, Matcher,
    Outcome,
};
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::{interfaces::VOICE1, DAEMON_PATH};
use roxy_ipc::voice::{HeardInfo, IntentInfo, IntentMatchInfo, IntentsInfo, VoiceStatusInfo};
use roxy_ipc::RoxyError;
use roxy_voice::{Decoding, SegmenterSettings, Transcriber};
pub use speaker::point_espeak_at_installed_data;
use speaker::Speaker;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, RwLock};
use wake::WakeWords;
use zbus::Connection;

/// A question asked back waits this long for "yes" or "no".
const QUESTION_WAITS: Duration = Duration::from_secs(15);
/// After a reply in wake mode, the next sentence needs no wake phrase for this long.
const FOLLOW_UP: Duration = Duration::from_secs(6);
/// After the wake phrase alone ("hey roxy" … pause), the command may follow this late.
const AFTER_WAKE_PHRASE: Duration = Duration::from_secs(8);
const YES: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "correct",
    "do it",
    "yes please",
    "right",
];
const NO: &[&str] = &["no", "nope", "cancel", "never mind", "no thanks", "stop"];
const MAX_SENTENCE: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The microphone opens only for push-to-talk.
    Off,
    /// The microphone stays open; sentences starting with the wake phrase are commands.
    Wake,
}

impl Mode {
    fn id(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Wake => "wake",
        }
    }
}

struct Inner {
    state: &'static str,
    mode: Mode,
    device: String,
    message: String,
    pending: Option<(IntentMatch, Instant)>,
    follow_up_until: Option<Instant>,
    /// In wake mode, push-to-talk arms the next sentence to count without the wake phrase.
    armed_until: Option<Instant>,
    listener: Option<Listener>,
    /// A wake-word recording has the microphone.
    recording: bool,
}

pub struct VoiceHub {
    conn: Connection,
    store: Store,
    broadcast: Arc<BroadcastHub>,
    engine: Arc<Engine>,
    crm: Arc<CrmHub>,
    intents: RwLock<LoadedIntents>,
    inner: Mutex<Inner>,
    transcriber: RwLock<Option<Arc<Transcriber>>>,
    /// The speech model's file, while one is loaded.
    model_path: Mutex<Option<PathBuf>>,
    catalog: models::Catalog,
    /// Held while a model loads.
    loading: tokio::sync::Mutex<()>,
    supervisor: Arc<crate::supervisor::Supervisor>,
    heard_tx: mpsc::UnboundedSender<MicEvent>,
    coverage_bits: AtomicU64,
    segmenter: SegmenterSettings,
    tray: Mutex<Option<Arc<crate::tray::Tray>>>,
    wake: WakeWords,
    speaker: Speaker,
    /// Itself, for the spoken reply that goes on after a command's call returns.
    me: std::sync::Weak<VoiceHub>,
}

/// A heard sentence's audio, to decode again for a second opinion.
struct Retry {
    transcriber: Arc<Transcriber>,
    audio: Vec<f32>,
    /// The prompt's words, as the quick pass had them.
    words: Vec<String>,
}

impl Retry {
    /// Beam search over the whole 30 s window, as whisper.cpp's CLI decodes: about a second
    /// slower than the quick pass, and it hears many sentences that pass garbles ("Same for
    /// each leg." → "Save the replay."). Only sentences no intent fits pay for it.
    async fn thorough(self) -> Option<roxy_voice::Transcript> {
        tokio::task::spawn_blocking(move || {
            let vocabulary: Vec<&str> = self.words.iter().map(String::as_str).collect();
            self.transcriber
                .transcribe_with(&self.audio, &vocabulary, Decoding::THOROUGH)
                .ok()
        })
        .await
        .ok()
        .flatten()
    }
}

impl VoiceHub {
    pub async fn start(
        conn: Connection,
        store: Store,
        dirs: (&Path, &Path),
        broadcast: Arc<BroadcastHub>,
        engine: Arc<Engine>,
        crm: Arc<CrmHub>,
        supervisor: Arc<crate::supervisor::Supervisor>,
    ) -> Arc<Self> {
        let (data_dir, config_dir) = dirs;
        let intents = LoadedIntents::new(config_dir);
        let coverage = intents.coverage();
        let mode = match store.setting("voice.mode").await.ok().flatten().as_deref() {
            Some("wake") => Mode::Wake,
            _ => Mode::Off,
        };
        let device = store
            .setting("voice.device")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let (heard_tx, heard_rx) = mpsc::unbounded_channel();
        let wake = WakeWords::load(store.clone(), data_dir).await;
        let hub = Arc::new_cyclic(|me| Self {
            conn,
            store,
            broadcast,
            engine,
            crm,
            intents: RwLock::new(intents),
            inner: Mutex::new(Inner {
                state: "idle",
                mode,
                device,
                message: String::new(),
                pending: None,
                follow_up_until: None,
                armed_until: None,
                listener: None,
                recording: false,
            }),
            transcriber: RwLock::new(None),
            model_path: Mutex::new(None),
            catalog: models::Catalog::new(data_dir),
            loading: tokio::sync::Mutex::new(()),
            supervisor,
            heard_tx,
            coverage_bits: AtomicU64::new(coverage.to_bits()),
            segmenter: SegmenterSettings::default(),
            tray: Mutex::new(None),
            wake,
            speaker: Speaker::new(data_dir),
            me: me.clone(),
        });
        tokio::spawn(Self::heard_loop(Arc::downgrade(&hub), heard_rx));
        let loading = hub.clone();
        tokio::spawn(async move { loading.load_models_at_start().await });
        hub
    }

    fn set_message(&self, message: String) {
        self.inner.lock().unwrap().message = message;
    }

    /// Shows the listening state in the tray, with push-to-talk once a model is loaded.
    pub async fn attach_tray(&self, tray: Arc<crate::tray::Tray>) {
        *self.tray.lock().unwrap() = Some(tray);
        self.show_in_tray().await;
    }

    async fn show_in_tray(&self) {
        let tray = self.tray.lock().unwrap().clone();
        let Some(tray) = tray else { return };
        let ready = self.transcriber.read().await.is_some();
        let state = self.inner.lock().unwrap().state;
        tray.show_voice(if ready {
            state.to_string()
        } else {
            String::new()
        })
        .await;
    }

    fn set_state(&self, state: &'static str) {
        let changed = {
            let mut inner = self.inner.lock().unwrap();
            let changed = inner.state != state;
            inner.state = state;
            changed
        };
        if changed {
            self.emit("VoiceStateChanged", &(state,));
            let tray = self.tray.lock().unwrap().clone();
            if let Some(tray) = tray {
                tokio::spawn(async move { tray.show_voice(state.to_string()).await });
            }
        }
    }

    fn emit<B>(&self, member: &'static str, body: &B)
    where
        B: serde::Serialize + zbus::zvariant::DynamicType + Send + Sync + Clone + 'static,
    {
        let conn = self.conn.clone();
        let body = body.clone();
        tokio::spawn(async move {
            let _ = conn
                .emit_signal(None::<()>, DAEMON_PATH, VOICE1, member, &body)
                .await;
        });
    }

    pub async fn status(&self) -> VoiceStatusInfo {
        let ready = self.transcriber.read().await.is_some();
        let (speech_voice, speech_message) = self.speaker.describe();
        let coverage = f64::from_bits(self.coverage_bits.load(Ordering::Relaxed));
        let inner = self.inner.lock().unwrap();
        VoiceStatusInfo {
            state: inner.state.to_string(),
            mode: inner.mode.id().to_string(),
            device: inner.device.clone(),
            model: self.speech_model_name().unwrap_or_default(),
            model_ready: ready,
            message: inner.message.clone(),
            coverage,
            pending_question: inner
                .pending
                .as_ref()
                .filter(|(_, at)| at.elapsed() < QUESTION_WAITS)
                .map(|(m, _)| question(m))
                .unwrap_or_default(),
            speech_ready: self.speaker.ready(),
            speech_voice,
            speech_message,
        }
    }

    /// Push-to-talk.
    pub async fn listen(&self) -> Result<(), RoxyError> {
        self.require_model().await?;
        self.speaker.stop();
        let mut inner = self.inner.lock().unwrap();
        if inner.recording {
            return Err(RoxyError::Unavailable(gettext(
                "The microphone is recording the wake phrase; try again when it is done.",
            )));
        }
        if inner.mode == Mode::Wake && inner.listener.as_ref().is_some_and(|l| !l.is_finished()) {
            inner.armed_until = Some(Instant::now() + Duration::from_secs(10));
            drop(inner);
            self.set_state("listening");
            return Ok(());
        }
        drop(inner);
        self.open_microphone(true);
        Ok(())
    }

    async fn require_model(&self) -> Result<(), RoxyError> {
        if self.transcriber.read().await.is_some() {
            return Ok(());
        }
        let message = self.inner.lock().unwrap().message.clone();
        Err(RoxyError::Unavailable(if message.is_empty() {
            gettext("The speech model is still loading; try again in a moment.")
        } else {
            message
        }))
    }

    fn open_microphone(&self, push_to_talk: bool) {
        let (device, old, wake) = {
            let mut inner = self.inner.lock().unwrap();
            (
                inner.device.clone(),
                inner.listener.take(),
                inner.mode == Mode::Wake,
            )
        };
        // Joining the old listener's thread takes up to ~150 ms: not on the runtime.
        if let Some(old) = old {
            std::thread::spawn(move || drop(old));
        }
        let detector = (wake && !push_to_talk)
            .then(|| self.wake.detector().map(|(d, _)| d))
            .flatten();
        match Listener::start(
            device,
            push_to_talk,
            self.segmenter,
            detector,
            self.heard_tx.clone(),
        ) {
            Ok(l) => {
                self.inner.lock().unwrap().listener = Some(l);
                self.set_state("listening");
            }
            Err(e) => self.set_message(e.to_string()),
        }
    }

    pub async fn set_mode(&self, mode: &str) -> Result<(), RoxyError> {
        let mode = match mode {
            "off" => Mode::Off,
            "wake" => Mode::Wake,
            other => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("mode: “{}” is not a listening mode; use “off” or “wake”."),
                    &[&other],
                )))
            }
        };
        if mode == Mode::Wake {
            self.require_model().await?;
        }
        self.store
            .set_setting("voice.mode", mode.id())
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        self.inner.lock().unwrap().mode = mode;
        match mode {
            Mode::Wake => self.open_microphone(false),
            Mode::Off => {
                let old = self.inner.lock().unwrap().listener.take();
                if let Some(old) = old {
                    std::thread::spawn(move || drop(old));
                }
                self.set_state("idle");
            }
        }
        Ok(())
    }

    pub async fn set_device(&self, device: &str) -> Result<(), RoxyError> {
        if !device.is_empty() && !roxy_voice::input_devices().iter().any(|d| d == device) {
            return Err(RoxyError::NotFound(fill(
                &gettext(
                    "device: no input device is called “{}”; `roxyctl voice devices` lists them.",
                ),
                &[&device],
            )));
        }
        self.store
            .set_setting("voice.device", device)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        let reopen = {
            let mut inner = self.inner.lock().unwrap();
            inner.device = device.to_string();
            inner.mode == Mode::Wake
        };
        if reopen {
            self.open_microphone(false);
        }
        Ok(())
    }

    pub fn cancel(&self) {
        self.speaker.stop();
        let mut inner = self.inner.lock().unwrap();
        inner.pending = None;
        inner.follow_up_until = None;
    }

    pub async fn intents(&self) -> IntentsInfo {
        let mut loaded = self.intents.write().await;
        if loaded.refresh() {
            self.intents_changed(&loaded);
        }
        IntentsInfo {
            file: loaded.source.clone(),
            intents: loaded
                .set
                .intents
                .iter()
                .map(|i| IntentInfo {
                    id: i.id.clone(),
                    action: i.action.clone(),
                    patterns: i.patterns.iter().map(|p| p.text.clone()).collect(),
                    reply: i.reply.clone(),
                })
                .collect(),
            errors: loaded.errors.clone(),
            coverage: loaded.coverage(),
            unreachable: loaded.unreachable(),
        }
    }

    fn intents_changed(&self, loaded: &LoadedIntents) {
        self.coverage_bits
            .store(loaded.coverage().to_bits(), Ordering::Relaxed);
        self.emit("IntentsChanged", &());
    }

    /// How `sentence` matches each intent, best first.
    pub async fn test(&self, sentence: &str) -> Result<Vec<IntentMatchInfo>, RoxyError> {
        bounded(sentence)?;
        let live = self.live().await;
        let mut loaded = self.intents.write().await;
        if loaded.refresh() {
            self.intents_changed(&loaded);
        }
        let matcher = Matcher::new(&loaded.set, &live.vocabulary);
        Ok(matcher
            .rank(sentence)
            .into_iter()
            .take(5)
            .map(|m| match_info(&m))
            .collect())
    }

    pub async fn log(&self, limit: u32) -> Result<Vec<HeardInfo>, RoxyError> {
        let rows = self
            .store
            .heard(limit.clamp(1, 5_000))
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        Ok(rows
            .into_iter()
            .map(|r| heard_info(r.id, r.at, &r.heard))
            .collect())
    }

    /// A typed sentence, handled exactly like a heard one.
    pub async fn say(&self, sentence: &str) -> Result<HeardInfo, RoxyError> {
        bounded(sentence)?;
        if sentence.trim().is_empty() {
            return Err(RoxyError::InvalidInput(gettext(
                "sentence: say something (it is empty).",
            )));
        }
        Ok(self
            .handle(sentence, "typed", 0, Instant::now(), None)
            .await)
    }

    async fn heard_loop(hub: std::sync::Weak<Self>, mut rx: mpsc::UnboundedReceiver<MicEvent>) {
        while let Some(heard) = rx.recv().await {
            let Some(hub) = hub.upgrade() else { return };
            match heard {
                MicEvent::Level(db) => hub.emit("Level", &(f64::from(db),)),
                MicEvent::SpeechStarted => hub.set_state("heard"),
                MicEvent::Woke { score } => {
                    tracing::info!(score, "wake phrase heard");
                    hub.set_state("heard");
                }
                MicEvent::Utterance {
                    audio,
                    detected,
                    woken,
                } => hub.on_utterance(audio, detected, woken).await,
                MicEvent::NoSpeech => hub.set_state("idle"),
                MicEvent::Failed(reason) => {
                    tracing::warn!("microphone: {reason}");
                    hub.set_message(reason);
                    hub.set_state("idle");
                }
                MicEvent::Closed => {
                    let wake = hub.inner.lock().unwrap().mode == Mode::Wake;
                    if !wake {
                        hub.set_state("idle");
                    }
                }
            }
        }
    }

    async fn on_utterance(&self, audio: Vec<f32>, detected: Instant, woken: bool) {
        let Some(transcriber) = self.transcriber.read().await.clone() else {
            self.set_state(self.resting_state());
            return;
        };
        // Push-to-talk is never roxyd's own voice heard back.
        let push_to_talk = {
            let inner = self.inner.lock().unwrap();
            inner.listener.as_ref().is_some_and(|l| l.push_to_talk)
        };
        let speaking = self.speaker.is_speaking() && !push_to_talk;
        if self.detector_listens() && !woken && !speaking && !self.expects_command() {
            // The detector didn't hear the wake phrase: not for roxy, and not worth
            // transcribing.
            self.set_state(self.resting_state());
            return;
        }
        self.set_state("thinking");
        // Only OBS' names go into the prompt; the full vocabulary (runbooks, contacts) is
        // gathered once the sentence turns out to be a command.
        let words: Vec<String> = self
            .obs_vocabulary()
            .prompt_words()
            .map(str::to_string)
            .collect();
        let quick = transcriber.clone();
        let result = tokio::task::spawn_blocking(move || {
            let vocabulary: Vec<&str> = words.iter().map(String::as_str).collect();
            let transcript = quick.transcribe(&audio, &vocabulary);
            (audio, words, transcript)
        })
        .await;
        let (audio, words, transcript) = match result {
            Ok((audio, words, Ok(t))) => (audio, words, t),
            Ok((_, _, Err(e))) => {
                tracing::warn!("{e}");
                self.set_state(self.resting_state());
                return;
            }
            Err(e) => {
                tracing::warn!("speech-to-text stopped: {e}");
                self.set_state(self.resting_state());
                return;
            }
        };
        let stt_ms = transcript.took.as_millis() as u64;
        tracing::debug!(text = %transcript.text, stt_ms, rtf = transcript.real_time_factor, "transcribed");
        let command = self.command_words(&transcript.text);
        if speaking {
            // While roxyd speaks, only the stop word or a new woken command counts; anything
            // else is most likely its own voice, heard back.
            if speaker::is_stop_word(&command) {
                tracing::info!("stop word: stopped speaking");
                self.speaker.stop();
                self.set_state(self.resting_state());
                return;
            }
            if !woken {
                self.set_state("speaking");
                return;
            }
            self.speaker.stop();
        }
        if !(woken || self.addressed(&transcript.text)) {
            // Conversation not meant for roxy: neither acted on nor kept.
            self.set_state(self.resting_state());
            return;
        }
        if command.is_empty() {
            // The wake phrase alone: the command comes in the next sentence.
            self.inner.lock().unwrap().armed_until = Some(Instant::now() + AFTER_WAKE_PHRASE);
            self.set_state(self.resting_state());
            return;
        }
        let retry = Retry {
            transcriber,
            audio,
            words,
        };
        self.handle(
            &transcript.text,
            "microphone",
            stt_ms,
            detected,
            Some(retry),
        )
        .await;
    }

    /// The wake-word detector decides which sentences are commands (the microphone is open
    /// in wake mode and the reference loaded); otherwise the transcript's first words do.
    fn detector_listens(&self) -> bool {
        let inner = self.inner.lock().unwrap();
        inner.mode == Mode::Wake
            && inner.listener.as_ref().is_some_and(|l| !l.push_to_talk)
            && self.wake.usable()
    }

    /// A sentence would count without the wake phrase: push-to-talk armed it, or it follows a
    /// reply or question.
    fn expects_command(&self) -> bool {
        let inner = self.inner.lock().unwrap();
        let now = Instant::now();
        inner.armed_until.is_some_and(|t| now < t) || inner.follow_up_until.is_some_and(|t| now < t)
    }

    /// A sentence's words without the wake phrase (built-in or trained).
    fn command_words(&self, sentence: &str) -> Vec<String> {
        let words = normalize(sentence);
        let phrase = normalize(&self.wake.phrase());
        strip_phrase(strip_wake_phrase(&words), &phrase).to_vec()
    }

    /// Whether a heard sentence is a command: push-to-talk, a follow-up to a reply or
    /// question, or it starts with the wake phrase.
    fn addressed(&self, text: &str) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let now = Instant::now();
        let push_to_talk = inner.listener.as_ref().is_some_and(|l| l.push_to_talk);
        let armed = inner.armed_until.take().is_some_and(|t| now < t);
        let follow_up = inner.follow_up_until.is_some_and(|t| now < t);
        if inner.mode == Mode::Off || push_to_talk || armed || follow_up {
            return true;
        }
        if inner.mode == Mode::Wake && self.wake.usable() {
            // The detector didn't hear it, whatever the transcript says.
            return false;
        }
        let words = normalize(text);
        strip_wake_phrase(&words).len() < words.len()
    }

    fn resting_state(&self) -> &'static str {
        let inner = self.inner.lock().unwrap();
        if inner.mode == Mode::Wake && inner.listener.is_some() {
            "listening"
        } else {
            "idle"
        }
    }

    /// Matches a sentence and acts, asks back or says it is not understood. A heard sentence
    /// comes with `retry`, the audio to decode again when its words fit no intent well
    /// enough to act on.
    async fn handle(
        &self,
        sentence: &str,
        source: &str,
        mut stt_ms: u64,
        since: Instant,
        retry: Option<Retry>,
    ) -> HeardInfo {
        self.set_state("thinking");
        let mut sentence = sentence.to_string();
        let live = self.live().await;
        let pending = {
            let mut inner = self.inner.lock().unwrap();
            inner
                .pending
                .take()
                .filter(|(_, at)| at.elapsed() < QUESTION_WAITS)
        };
        let said = self.command_words(&sentence).join(" ");
        let (mut chosen, answer_to_question) = match pending {
            Some((m, _)) if YES.contains(&said.as_str()) => (Some(m), true),
            Some((m, _)) if NO.contains(&said.as_str()) => {
                let heard = self
                    .finish(
                        &sentence,
                        source,
                        &m.intent,
                        m.confidence,
                        Outcome::Cancelled,
                        "",
                        &gettext("Okay, I won't."),
                        stt_ms,
                        since,
                    )
                    .await;
                return heard;
            }
            _ => {
                let mut loaded = self.intents.write().await;
                if loaded.refresh() {
                    self.intents_changed(&loaded);
                }
                (
                    Matcher::new(&loaded.set, &live.vocabulary).best(&said),
                    false,
                )
            }
        };
        let unsure = !answer_to_question
            && chosen
                .as_ref()
                .is_none_or(|m| m.decision() != Decision::Act);
        if let (true, Some(retry)) = (unsure, retry) {
            if let Some(second) = retry.thorough().await {
                stt_ms += second.took.as_millis() as u64;
                let words = self.command_words(&second.text).join(" ");
                let loaded = self.intents.read().await;
                let acts = Matcher::new(&loaded.set, &live.vocabulary)
                    .best(&words)
                    .filter(|m| m.decision() == Decision::Act);
                drop(loaded);
                if let Some(m) = acts {
                    tracing::info!(quick = %sentence, second = %second.text, "the second opinion understood it");
                    sentence = second.text;
                    chosen = Some(m);
                }
            }
        }
        let sentence = sentence.as_str();
        let Some(m) = chosen else {
            return self
                .finish(
                    sentence,
                    source,
                    "",
                    0.0,
                    Outcome::NoMatch,
                    "",
                    &gettext("Sorry, I don't know that command."),
                    stt_ms,
                    since,
                )
                .await;
        };
        let decision = if answer_to_question {
            Decision::Act
        } else {
            m.decision()
        };
        match decision {
            Decision::NoMatch => {
                let detail = fill(&gettext("closest: {}"), &[&m.restated()]);
                self.finish(
                    sentence,
                    source,
                    "",
                    m.confidence,
                    Outcome::NoMatch,
                    &detail,
                    &gettext("Sorry, I don't know that command."),
                    stt_ms,
                    since,
                )
                .await
            }
            Decision::AskBack => {
                let q = question(&m);
                {
                    let mut inner = self.inner.lock().unwrap();
                    inner.pending = Some((m.clone(), Instant::now()));
                    inner.follow_up_until = Some(Instant::now() + QUESTION_WAITS);
                }
                self.finish(
                    sentence,
                    source,
                    &m.intent,
                    m.confidence,
                    Outcome::Asked,
                    &m.restated(),
                    &q,
                    stt_ms,
                    since,
                )
                .await
            }
            Decision::Act if m.action == "cancel" => {
                self.cancel();
                self.finish(
                    sentence,
                    source,
                    &m.intent,
                    m.confidence,
                    Outcome::Cancelled,
                    "",
                    "",
                    stt_ms,
                    since,
                )
                .await
            }
            Decision::Act => {
                self.set_state("acting");
                match self.act(&m, &live).await {
                    Ok(reply) => {
                        self.inner.lock().unwrap().follow_up_until =
                            Some(Instant::now() + FOLLOW_UP);
                        self.finish(
                            sentence,
                            source,
                            &m.intent,
                            m.confidence,
                            Outcome::Done,
                            &m.restated(),
                            &reply,
                            stt_ms,
                            since,
                        )
                        .await
                    }
                    Err(e) => {
                        let (outcome, reply) = match &e {
                            RoxyError::Denied(msg) => (Outcome::Refused, msg.clone()),
                            other => (Outcome::Failed, other.human()),
                        };
                        self.finish(
                            sentence,
                            source,
                            &m.intent,
                            m.confidence,
                            outcome,
                            &m.restated(),
                            &reply,
                            stt_ms,
                            since,
                        )
                        .await
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        sentence: &str,
        source: &str,
        intent: &str,
        confidence: f64,
        outcome: Outcome,
        detail: &str,
        reply: &str,
        stt_ms: u64,
        since: Instant,
    ) -> HeardInfo {
        let mut total = since.elapsed();
        if source == "microphone" {
            // The speaker stopped this long before the segmenter could tell.
            total += Duration::from_millis(u64::from(self.segmenter.end_silence_ms));
        }
        let row = HeardRow {
            source: source.to_string(),
            transcript: sentence.chars().take(MAX_SENTENCE).collect(),
            intent: intent.to_string(),
            confidence,
            outcome,
            detail: detail.to_string(),
            reply: reply.to_string(),
            stt_ms,
            total_ms: total.as_millis() as u64,
        };
        tracing::info!(source, transcript = %row.transcript, intent, confidence, outcome = outcome.id(), total_ms = row.total_ms, "voice command");
        let id = self.store.log_heard(&row).await.unwrap_or(0);
        let info = heard_info(id, roxy_core::time::now_ms(), &row);
        self.emit("Heard", &(info.clone(),));
        self.set_state(self.resting_state());
        if source == "microphone" && !reply.is_empty() && self.speaker.ready() {
            self.speak_in_background(reply.to_string());
        }
        info
    }

    pub fn shutdown(&self) {
        let old = self.inner.lock().unwrap().listener.take();
        drop(old);
    }
}

impl ValueSource for VoiceHub {
    fn values(&self) -> Vec<(String, f64)> {
        vec![(
            "voice.intent_coverage".into(),
            f64::from_bits(self.coverage_bits.load(Ordering::Relaxed)),
        )]
    }
}

fn bounded(sentence: &str) -> Result<(), RoxyError> {
    if sentence.len() > MAX_SENTENCE {
        return Err(RoxyError::InvalidInput(fill(
            &gettext("sentence: at most {} bytes are allowed."),
            &[&MAX_SENTENCE],
        )));
    }
    Ok(())
}

fn question(m: &IntentMatch) -> String {
    fill(&gettext("Did you mean “{}”?"), &[&m.restated()])
}

fn match_info(m: &IntentMatch) -> IntentMatchInfo {
    IntentMatchInfo {
        intent: m.intent.clone(),
        action: m.action.clone(),
        pattern: m.pattern.clone(),
        confidence: m.confidence,
        decision: match m.decision() {
            Decision::Act => "act",
            Decision::AskBack => "ask",
            Decision::NoMatch => "none",
        }
        .into(),
        slots: m
            .slots
            .iter()
            .map(|s| (s.kind.name().to_string(), s.value.clone()))
            .collect(),
        explanation: m.explanation.clone(),
        restated: m.restated(),
    }
}

fn heard_info(id: i64, at: i64, h: &HeardRow) -> HeardInfo {
    HeardInfo {
        id,
        at,
        source: h.source.clone(),
        transcript: h.transcript.clone(),
        intent: h.intent.clone(),
        confidence: h.confidence,
        outcome: h.outcome.id().to_string(),
        detail: h.detail.clone(),
        reply: h.reply.clone(),
        stt_ms: h.stt_ms,
        total_ms: h.total_ms,
    }
}
