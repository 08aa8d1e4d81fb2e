//! Wake-word references: the built-in "hey roxy" and the ones trained from the user's own
//! recordings (`<data dir>/models/wakeword/<name>.json`), which one listens and how strictly,
//! and the recordings collected for training a new one.

use super::listener::{Listener, MicEvent};
use super::{Mode, VoiceHub};
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::{WakeInfo, WakeSampleInfo};
use roxy_ipc::RoxyError;
use roxy_voice::wakeword::{measure_sample, DEFAULT_SENSITIVITY, MIN_SAMPLES};
use roxy_voice::{WakeDetector, WakeReference};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const BUILT_IN: &str = "hey-roxy";
const SHIPPED: &str = include_str!("../../../../data/voice/hey-roxy.wake.json");
const MAX_NAME: usize = 40;

struct State {
    chosen: String,
    reference: Option<Arc<WakeReference>>,
    /// Why the chosen reference could not be loaded.
    problem: String,
    sensitivity: f32,
    samples: Vec<Vec<f32>>,
}

pub struct WakeWords {
    dir: PathBuf,
    store: Store,
    state: Mutex<State>,
}

impl WakeWords {
    pub async fn load(store: Store, data_dir: &Path) -> Self {
        let chosen = store
            .setting("voice.wake.reference")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| BUILT_IN.into());
        let sensitivity = store
            .setting("voice.wake.sensitivity")
            .await
            .ok()
            .flatten()
            .and_then(|s| s.parse::<f32>().ok())
            .filter(|s| (0.0..=1.0).contains(s))
            .unwrap_or(DEFAULT_SENSITIVITY);
        let words = Self {
            dir: data_dir.join("models").join("wakeword"),
            store,
            state: Mutex::new(State {
                chosen: chosen.clone(),
                reference: None,
                problem: String::new(),
                sensitivity,
                samples: Vec::new(),
            }),
        };
        let loaded = words.read(&chosen);
        let mut state = words.state.lock().unwrap();
        match loaded {
            Ok(r) => state.reference = Some(Arc::new(r)),
            Err(e) => {
                tracing::warn!("wake word: {e}");
                state.problem = e.to_string();
            }
        }
        drop(state);
        words
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    fn read(&self, name: &str) -> Result<WakeReference, RoxyError> {
        let reference = if name == BUILT_IN {
            WakeReference::parse("built-in hey-roxy", SHIPPED)
        } else {
            let path = self.path(name);
            if !path.is_file() {
                return Err(RoxyError::NotFound(fill(
                    &gettext("name: no wake word is called “{}”; `roxyctl voice wake` lists them."),
                    &[&name],
                )));
            }
            WakeReference::load(&path)
        };
        reference.map_err(|e| RoxyError::InvalidInput(e.to_string()))
    }

    /// A fresh detector for the chosen reference, and the phrase it listens for; `None` when
    /// the reference is broken (then the transcript decides).
    pub fn detector(&self) -> Option<(WakeDetector, String)> {
        let state = self.state.lock().unwrap();
        let reference = state.reference.as_ref()?;
        Some((
            WakeDetector::new(reference, state.sensitivity),
            reference.phrase.clone(),
        ))
    }

    /// The chosen reference is loaded and listens.
    pub fn usable(&self) -> bool {
        self.state.lock().unwrap().reference.is_some()
    }

    /// The phrase of the chosen reference ("hey roxy").
    pub fn phrase(&self) -> String {
        let state = self.state.lock().unwrap();
        state
            .reference
            .as_ref()
            .map_or_else(|| "hey roxy".into(), |r| r.phrase.clone())
    }

    pub fn info(&self) -> WakeInfo {
        let mut references = vec![BUILT_IN.to_string()];
        let mut trained: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".json").map(str::to_string)
            })
            .filter(|n| n != BUILT_IN)
            .collect();
        trained.sort();
        references.extend(trained);
        let state = self.state.lock().unwrap();
        WakeInfo {
            reference: state.chosen.clone(),
            phrase: state
                .reference
                .as_ref()
                .map(|r| r.phrase.clone())
                .unwrap_or_default(),
            built_in: state.chosen == BUILT_IN,
            recordings: state
                .reference
                .as_ref()
                .map_or(0, |r| r.templates.len() as u32),
            sensitivity: f64::from(state.sensitivity),
            references,
            samples: state.samples.len() as u32,
            samples_needed: MIN_SAMPLES as u32,
            problem: state.problem.clone(),
        }
    }

    pub async fn choose(&self, name: &str) -> Result<WakeInfo, RoxyError> {
        let reference = self.read(name)?;
        self.store
            .set_setting("voice.wake.reference", name)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        let mut state = self.state.lock().unwrap();
        state.chosen = name.to_string();
        state.reference = Some(Arc::new(reference));
        state.problem.clear();
        drop(state);
        Ok(self.info())
    }

    pub async fn set_sensitivity(&self, sensitivity: f64) -> Result<WakeInfo, RoxyError> {
        if !(0.0..=1.0).contains(&sensitivity) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("sensitivity: {} is out of range; use 0 (fewest false wakes) to 1 (fewest misses)."),
                &[&sensitivity],
            )));
        }
        self.store
            .set_setting("voice.wake.sensitivity", &sensitivity.to_string())
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        self.state.lock().unwrap().sensitivity = sensitivity as f32;
        Ok(self.info())
    }

    /// Keeps a recording for training, if it holds a usable saying of the phrase.
    pub fn add_sample(&self, audio: Vec<f32>) -> Result<WakeSampleInfo, RoxyError> {
        let (speech_ms, peak_db) = measure_sample(&audio).map_err(|problem| {
            RoxyError::InvalidInput(fill(
                &gettext("The recording can't be used: {}. Record it again."),
                &[&problem],
            ))
        })?;
        let mut state = self.state.lock().unwrap();
        state.samples.push(audio);
        Ok(WakeSampleInfo {
            number: state.samples.len() as u32,
            speech_ms,
            peak_db: f64::from(peak_db),
        })
    }

    pub fn clear_samples(&self) {
        self.state.lock().unwrap().samples.clear();
    }

    /// Makes reference `name` from the recordings, saves it and starts using it. The
    /// recordings are kept if training fails, so one more can be added.
    pub async fn train(&self, name: &str, phrase: &str) -> Result<WakeInfo, RoxyError> {
        check_name(name)?;
        let phrase = phrase.trim();
        if phrase.is_empty() || phrase.len() > 60 {
            return Err(RoxyError::InvalidInput(gettext(
                "phrase: write the words of the wake phrase (1 to 60 characters), e.g. “hey roxy”.",
            )));
        }
        let samples = self.state.lock().unwrap().samples.clone();
        let phrase_owned = phrase.to_string();
        let reference = tokio::task::spawn_blocking(move || {
            WakeReference::from_samples(&phrase_owned, &samples)
        })
        .await
        .map_err(|e| RoxyError::Failed(e.to_string()))?
        .map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        reference
            .save(&self.path(name))
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        tracing::info!(
            name,
            recordings = reference.templates.len(),
            typical = reference.typical_score,
            "wake word trained"
        );
        self.clear_samples();
        self.choose(name).await
    }

    pub async fn remove(&self, name: &str) -> Result<WakeInfo, RoxyError> {
        if name == BUILT_IN {
            return Err(RoxyError::InvalidInput(gettext(
                "name: the built-in wake word can't be removed.",
            )));
        }
        check_name(name)?;
        std::fs::remove_file(self.path(name)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                RoxyError::NotFound(fill(
                    &gettext("name: no wake word is called “{}”; `roxyctl voice wake` lists them."),
                    &[&name],
                ))
            } else {
                RoxyError::Failed(e.to_string())
            }
        })?;
        let chosen = self.state.lock().unwrap().chosen == name;
        if chosen {
            return self.choose(BUILT_IN).await;
        }
        Ok(self.info())
    }
}

pub(super) fn check_name(name: &str) -> Result<(), RoxyError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name != BUILT_IN;
    if ok {
        Ok(())
    } else {
        Err(RoxyError::InvalidInput(fill(
            &gettext("name: “{}” can't be a wake word's name; use 1 to 40 lower-case letters, digits and dashes, other than “hey-roxy”."),
            &[&name],
        )))
    }
}

/// The hub's side of the wake word: recording samples needs the microphone, and a new
/// reference or sensitivity restarts an always-open one.
impl VoiceHub {
    pub fn wake_status(&self) -> WakeInfo {
        self.wake.info()
    }

    /// Records one saying of the wake phrase for training. A wake-mode listener pauses
    /// meanwhile: the recording needs the microphone to itself.
    pub async fn record_wake_sample(&self) -> Result<WakeSampleInfo, RoxyError> {
        let (device, old, wake) = {
            let mut inner = self.inner.lock().unwrap();
            let busy = inner
                .listener
                .as_ref()
                .is_some_and(|l| l.push_to_talk && !l.is_finished());
            if busy || inner.recording {
                return Err(RoxyError::Unavailable(gettext(
                    "The microphone is busy with another sentence; try again when it is done.",
                )));
            }
            inner.recording = true;
            (
                inner.device.clone(),
                inner.listener.take(),
                inner.mode == Mode::Wake,
            )
        };
        if let Some(old) = old {
            let _ = tokio::task::spawn_blocking(move || drop(old)).await;
        }
        let result = self.record_sample_from(device).await;
        self.inner.lock().unwrap().recording = false;
        if wake {
            self.open_microphone(false);
        } else {
            self.set_state("idle");
        }
        result
    }

    async fn record_sample_from(&self, device: String) -> Result<WakeSampleInfo, RoxyError> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let listener = Listener::start(device, true, self.segmenter, None, tx)
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        self.set_state("listening");
        let nothing = || {
            RoxyError::InvalidInput(gettext(
                "Nothing was heard; say the wake phrase right after starting the recording.",
            ))
        };
        let result = loop {
            match rx.recv().await {
                Some(MicEvent::Level(db)) => self.emit("Level", &(f64::from(db),)),
                Some(MicEvent::SpeechStarted) => self.set_state("heard"),
                Some(MicEvent::Utterance { audio, .. }) => break self.wake.add_sample(audio),
                Some(MicEvent::Failed(reason)) => break Err(RoxyError::Unavailable(reason)),
                Some(MicEvent::Woke { .. }) => {}
                Some(MicEvent::NoSpeech | MicEvent::Closed) | None => break Err(nothing()),
            }
        };
        let _ = tokio::task::spawn_blocking(move || drop(listener)).await;
        result
    }

    pub fn clear_wake_samples(&self) {
        self.wake.clear_samples();
    }

    pub async fn train_wake(&self, name: &str, phrase: &str) -> Result<WakeInfo, RoxyError> {
        let info = self.wake.train(name, phrase).await?;
        self.wake_changed();
        Ok(info)
    }

    pub async fn use_wake(&self, name: &str) -> Result<WakeInfo, RoxyError> {
        let info = self.wake.choose(name).await?;
        self.wake_changed();
        Ok(info)
    }

    pub async fn remove_wake(&self, name: &str) -> Result<WakeInfo, RoxyError> {
        let info = self.wake.remove(name).await?;
        self.wake_changed();
        Ok(info)
    }

    pub async fn set_wake_sensitivity(&self, sensitivity: f64) -> Result<WakeInfo, RoxyError> {
        let info = self.wake.set_sensitivity(sensitivity).await?;
        self.wake_changed();
        Ok(info)
    }

    /// An always-open microphone restarts with the new reference or sensitivity.
    fn wake_changed(&self) {
        let listening = {
            let inner = self.inner.lock().unwrap();
            inner.mode == Mode::Wake
                && !inner.recording
                && inner.listener.as_ref().is_some_and(|l| !l.push_to_talk)
        };
        if listening {
            self.open_microphone(false);
        }
    }
}
