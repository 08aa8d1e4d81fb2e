//! Spoken replies: Piper voices (VITS models in ONNX; phonemes from espeak-ng) through
//! piper-rs. ONNX Runtime is loaded from a library file at run time, once per process.
//! Text is spoken a sentence at a time, so the first can play while the next is made.

use piper_rs::{ModelConfig, Piper};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    #[error("ONNX Runtime can't be loaded from {path}: {reason}")]
    Runtime { path: String, reason: String },
    #[error("the voice {path} can't be loaded: {reason}")]
    Load { path: String, reason: String },
    #[error("speech synthesis failed: {0}")]
    Failed(String),
}

static RUNTIME: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// Loads ONNX Runtime from `library` (libonnxruntime.so). Only the first call in a process
/// loads; later calls report how that went.
pub fn load_runtime(library: &Path) -> Result<(), TtsError> {
    let loaded = RUNTIME.get_or_init(|| {
        if !library.is_file() {
            return Err("no such file".into());
        }
        ort::init_from(library)
            .map(|environment| {
                environment.commit();
                library.to_path_buf()
            })
            .map_err(|e| e.to_string())
    });
    loaded
        .as_ref()
        .map(|_| ())
        .map_err(|reason| TtsError::Runtime {
            path: library.display().to_string(),
            reason: reason.clone(),
        })
}

pub struct Voice {
    piper: Mutex<Piper>,
    pub sample_rate: u32,
}

impl Voice {
    /// Loads a Piper voice: `model` (.onnx) with its `model.json` beside it. ONNX Runtime must
    /// be loaded first ([`load_runtime`]).
    pub fn load(model: &Path) -> Result<Self, TtsError> {
        let load_error = |reason: String| TtsError::Load {
            path: model.display().to_string(),
            reason,
        };
        if RUNTIME.get().is_none_or(|r| r.is_err()) {
            return Err(load_error("ONNX Runtime is not loaded".into()));
        }
        let config_path = PathBuf::from(format!("{}.json", model.display()));
        let config_file = std::fs::File::open(&config_path)
            .map_err(|e| load_error(format!("{}: {e}", config_path.display())))?;
        let config: ModelConfig = serde_json::from_reader(std::io::BufReader::new(config_file))
            .map_err(|e| {
                load_error(format!(
                    "{}:{}:{}: {e}",
                    config_path.display(),
                    e.line(),
                    e.column()
                ))
            })?;
        let sample_rate = config.audio.sample_rate;
        // Two threads: this machine class has two cores, and replies are short.
        let session = ort::session::Session::builder()
            .map_err(|e| load_error(e.to_string()))?
            .with_intra_threads(2)
            .map_err(|e| load_error(e.to_string()))?
            .commit_from_file(model)
            .map_err(|e| load_error(e.to_string()))?;
        Ok(Self {
            piper: Mutex::new(Piper::from_session(session, config)),
            sample_rate,
        })
    }

    /// Mono samples at [`Voice::sample_rate`], in -1..=1.
    pub fn synthesize(&self, text: &str) -> Result<Vec<f32>, TtsError> {
        // espeak-ng behind piper-rs has one global state: one synthesis at a time.
        let mut piper = self.piper.lock().unwrap_or_else(|e| e.into_inner());
        piper
            .create(text, false, None, None, None, None)
            .map(|(samples, _)| samples)
            .map_err(|e| TtsError::Failed(e.to_string()))
    }
}

/// Splits a reply into sentences to speak one after another.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        let ends = matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace());
        if ends {
            let sentence = current.trim().to_string();
            if !sentence.is_empty() {
                out.push(sentence);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_split_into_sentences() {
        assert_eq!(
            sentences("Switched to Live. Recording is on!  Anything else? ok"),
            [
                "Switched to Live.",
                "Recording is on!",
                "Anything else?",
                "ok"
            ]
        );
        // A dot inside a name or number is not an end.
        assert_eq!(sentences("Scene v1.2 is live."), ["Scene v1.2 is live."]);
        assert!(sentences("  ").is_empty());
    }

    #[test]
    fn a_missing_runtime_or_voice_says_which_file() {
        let err = Voice::load(Path::new("/nonexistent/voice.onnx"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("/nonexistent/voice.onnx"), "{err}");
    }
}
