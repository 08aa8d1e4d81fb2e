//! Speech-to-text with whisper.cpp, tuned for short commands: the encoder only looks at as
//! much audio as there is (a small audio context instead of 30 s), one greedy pass without
//! temperature fallback, and a prompt holding the live vocabulary (scene and runbook names)
//! so unusual names come out spelled the way the daemon knows them.

use crate::SAMPLE_RATE;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

/// Encoder frames per second of audio (whisper: 1500 frames for 30 s).
const FRAMES_PER_SECOND: f32 = 50.0;
/// Below this the encoder loses accuracy faster than it gains speed.
const MIN_AUDIO_CTX: i32 = 256;
/// Longer prompts made tiny.en answer with nothing more often than they helped.
const MAX_PROMPT_CHARS: usize = 120;
const MAX_TOKENS: i32 = 48;

#[derive(Debug, thiserror::Error)]
pub enum SttError {
    #[error("the speech model {path} can't be loaded: {reason}")]
    Load { path: String, reason: String },
    #[error("speech-to-text failed: {0}")]
    Failed(String),
}

/// How hard the decoder tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoding {
    /// Beam search with 5 beams instead of one greedy pass.
    pub beam_search: bool,
    /// The whole 30 s window instead of an audio context sized to the clip.
    pub full_window: bool,
}

impl Decoding {
    /// The fast first try: greedy over the clip's own length.
    pub const QUICK: Self = Self {
        beam_search: false,
        full_window: false,
    };
    /// What whisper.cpp's CLI does: beam search over the whole window; a second opinion when
    /// the quick words fit no intent.
    pub const THOROUGH: Self = Self {
        beam_search: true,
        full_window: true,
    };
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub text: String,
    pub took: Duration,
    /// Seconds of audio per second of work, below 1 means faster than real time.
    pub real_time_factor: f64,
}

pub struct Transcriber {
    // whisper_rs's state borrows nothing from the context (it holds an Arc), so both live here.
    _context: WhisperContext,
    state: Mutex<WhisperState>,
    threads: i32,
}

impl Transcriber {
    pub fn load(path: &Path) -> Result<Self, SttError> {
        let load_error = |reason: String| SttError::Load {
            path: path.display().to_string(),
            reason,
        };
        if !path.is_file() {
            return Err(load_error("no such file".into()));
        }
        // whisper.cpp prints every decoded token to stderr; through tracing it follows the
        // daemon's log level instead.
        whisper_rs::install_logging_hooks();
        let context = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|e| load_error(e.to_string()))?;
        let state = context
            .create_state()
            .map_err(|e| load_error(e.to_string()))?;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().min(4) as i32)
            .unwrap_or(2);
        Ok(Self {
            _context: context,
            state: Mutex::new(state),
            threads,
        })
    }

    /// Transcribes 16 kHz mono audio; `vocabulary` words steer the spelling of names.
    pub fn transcribe(&self, audio: &[f32], vocabulary: &[&str]) -> Result<Transcript, SttError> {
        self.transcribe_with(audio, vocabulary, Decoding::QUICK)
    }

    pub fn transcribe_with(
        &self,
        audio: &[f32],
        vocabulary: &[&str],
        decoding: Decoding,
    ) -> Result<Transcript, SttError> {
        let started = Instant::now();
        let seconds = audio.len() as f32 / SAMPLE_RATE as f32;
        // whisper needs at least one second; pad short clips with silence.
        let minimum = SAMPLE_RATE as usize + SAMPLE_RATE as usize / 10;
        let padded;
        let input = if audio.len() < minimum {
            let mut longer = audio.to_vec();
            longer.resize(minimum, 0.0);
            padded = longer;
            &padded[..]
        } else {
            audio
        };
        let prompt = prompt(vocabulary);
        let mut text = self.run(input, seconds, &prompt, decoding)?;
        // A prompt sometimes makes tiny models answer with nothing at all; the sentence
        // without help beats no sentence.
        if text.is_empty() && !prompt.is_empty() {
            text = self.run(input, seconds, "", decoding)?;
        }
        let took = started.elapsed();
        Ok(Transcript {
            text,
            took,
            real_time_factor: took.as_secs_f64() / f64::from(seconds.max(0.01)),
        })
    }

    fn run(
        &self,
        input: &[f32],
        seconds: f32,
        prompt: &str,
        decoding: Decoding,
    ) -> Result<String, SttError> {
        let strategy = if decoding.beam_search {
            SamplingStrategy::BeamSearch {
                beam_size: 5,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(self.threads);
        params.set_language(Some("en"));
        params.set_no_context(true);
        params.set_single_segment(true);
        params.set_temperature_inc(0.0);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_suppress_blank(true);
        if !decoding.full_window {
            params.set_audio_ctx(audio_context(seconds));
        }
        // A shortened audio context sometimes sends the decoder into a loop ("start recording,
        // start recording, …"); a command is never this long.
        params.set_max_tokens(MAX_TOKENS);
        if !prompt.is_empty() {
            params.set_initial_prompt(prompt);
        }
        let mut state = self
            .state
            .lock()
            .map_err(|_| SttError::Failed("an earlier transcription crashed".into()))?;
        state
            .full(params, input)
            .map_err(|e| SttError::Failed(e.to_string()))?;
        let text: String = state
            .as_iter()
            .filter_map(|segment| segment.to_str_lossy().ok().map(|s| s.into_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        Ok(without_repeats(&clean(&text)))
    }
}

fn audio_context(seconds: f32) -> i32 {
    let frames = ((seconds + 0.5) * FRAMES_PER_SECOND).ceil() as i32;
    // Round up to a multiple of 64, which the encoder handles best.
    let rounded = (frames + 63) / 64 * 64;
    rounded.clamp(MIN_AUDIO_CTX, 1500)
}

fn prompt(vocabulary: &[&str]) -> String {
    let mut text = String::new();
    for word in vocabulary {
        if text.len() + word.len() + 2 > MAX_PROMPT_CHARS {
            break;
        }
        // Names as short sentences of their own: a list ("Intro, Live, BRB") or a label
        // ("Scenes: …") made tiny.en drop the first sound of commands ("stop" → "Top")
        // far more often in our clips.
        text.push_str(word);
        text.push_str(". ");
    }
    text.trim_end().to_string()
}

/// whisper marks non-speech as "[BLANK_AUDIO]", "(music)" and the like: not words said.
fn clean(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '[' | '(' | '*' if depth == 0 || c != '*' => depth += 1,
            ']' | ')' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Start recording, Start recording, Start recording" → "Start recording": a phrase said again
/// right after itself is a decoder loop, not speech.
fn without_repeats(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let key = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let mut out: Vec<&str> = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    let mut i = 0;
    'outer: while i < words.len() {
        for len in (2..=(out.len().min(words.len() - i))).rev() {
            let tail = &out[out.len() - len..];
            let next = &words[i..i + len];
            if tail.iter().map(|w| key(w)).eq(next.iter().map(|w| key(w))) {
                repeated = next.iter().map(|w| key(w)).collect();
                i += len;
                continue 'outer;
            }
        }
        out.push(words[i]);
        i += 1;
    }
    // The loop was cut off mid-phrase by the token limit: drop that fragment too.
    for k in (1..=repeated.len()).rev() {
        if out.len() <= k {
            continue;
        }
        let tail: Vec<String> = out[out.len() - k..].iter().map(|w| key(w)).collect();
        let fits = tail.iter().zip(&repeated).enumerate().all(|(n, (t, r))| {
            if n + 1 == k {
                r.starts_with(t.as_str())
            } else {
                t == r
            }
        });
        if fits {
            out.truncate(out.len() - k);
            break;
        }
    }
    out.join(" ").trim_end_matches(',').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decoder_loops_are_cut_to_one_phrase() {
        assert_eq!(
            without_repeats("Start recording, Start recording, Start recording, Start recordin"),
            "Start recording"
        );
        assert_eq!(
            without_repeats("switch to scene two"),
            "switch to scene two"
        );
        assert_eq!(without_repeats("no no"), "no no");
    }

    use super::*;

    #[test]
    fn the_audio_context_follows_the_clip_length() {
        assert_eq!(audio_context(0.5), 256);
        assert_eq!(audio_context(3.0), 256);
        assert_eq!(audio_context(5.0), 320);
        assert_eq!(audio_context(8.0), 448);
        assert_eq!(audio_context(60.0), 1500);
    }

    #[test]
    fn non_speech_marks_are_dropped() {
        assert_eq!(clean(" [BLANK_AUDIO] "), "");
        assert_eq!(
            clean(" Switch to scene Gaming. (music)"),
            "Switch to scene Gaming."
        );
    }

    #[test]
    fn a_missing_model_says_so() {
        let Err(e) = Transcriber::load(Path::new("/nonexistent/ggml-tiny.en.bin")) else {
            panic!("loaded a model that isn't there");
        };
        assert!(
            e.to_string()
                .contains("/nonexistent/ggml-tiny.en.bin can't be loaded: no such file"),
            "{e}"
        );
    }
}
