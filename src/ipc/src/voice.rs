//! What the Voice service sends over the bus: the listening state, what was heard and done,
//! intents and how a sentence matches them.

use serde::{Deserialize, Serialize};
use zbus::zvariant::Type;

/// States of the listening loop, in the order a command passes through them.
pub const STATES: &[&str] = &[
    "idle",
    "listening",
    "heard",
    "thinking",
    "acting",
    "speaking",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct VoiceStatusInfo {
    /// One of [`STATES`].
    pub state: String,
    /// "off" (push-to-talk only) or "wake" (always listening for "hey roxy").
    pub mode: String,
    /// The input device in use or chosen ("" = the default input).
    pub device: String,
    /// The speech model's file, and whether it is loaded.
    pub model: String,
    pub model_ready: bool,
    /// Why voice can't work right now, in a sentence that says what to do; empty when fine.
    pub message: String,
    /// Share of daemon actions reachable by voice with the loaded intents, 0..=1.
    pub coverage: f64,
    /// A question the daemon asked back and waits on ("Did you mean …?"); empty when none.
    pub pending_question: String,
    /// Spoken replies: whether the voice is loaded, its name, and why not (empty when fine).
    pub speech_ready: bool,
    pub speech_voice: String,
    pub speech_message: String,
}

/// One sentence heard (or typed) and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct HeardInfo {
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    /// "microphone" or "typed".
    pub source: String,
    pub transcript: String,
    pub intent: String,
    pub confidence: f64,
    /// "done", "asked", "no_match", "failed", "refused" or "cancelled".
    pub outcome: String,
    pub detail: String,
    /// What was answered (spoken and shown).
    pub reply: String,
    pub stt_ms: u64,
    /// End of speech → action done.
    pub total_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct IntentInfo {
    pub id: String,
    pub action: String,
    pub patterns: Vec<String>,
    pub reply: String,
}

/// The intents in use and where they came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct IntentsInfo {
    /// The user's file, or the shipped defaults when it doesn't exist or is broken.
    pub file: String,
    pub intents: Vec<IntentInfo>,
    /// Problems in the user's file, each as "file:line:col: message".
    pub errors: Vec<String>,
    pub coverage: f64,
    /// Actions the daemon can do but no intent reaches.
    pub unreachable: Vec<String>,
}

/// How a sentence matched one intent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct IntentMatchInfo {
    pub intent: String,
    pub action: String,
    pub pattern: String,
    pub confidence: f64,
    /// "act", "ask" or "none": what the daemon would do with it.
    pub decision: String,
    /// `slot=value` pairs.
    pub slots: Vec<(String, String)>,
    /// Why, one line per word.
    pub explanation: Vec<String>,
    /// The pattern filled with the chosen values.
    pub restated: String,
}

/// The wake word: which reference listens, how strictly, and the recordings made for a new one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct WakeInfo {
    /// The reference in use ("hey-roxy" is the built-in one).
    pub reference: String,
    /// The words it listens for.
    pub phrase: String,
    pub built_in: bool,
    /// Recordings in the reference.
    pub recordings: u32,
    /// 0 (fewest false wakes) ..= 1 (fewest misses).
    pub sensitivity: f64,
    /// All references to choose from, the built-in first.
    pub references: Vec<String>,
    /// Recordings made so far for training a new reference.
    pub samples: u32,
    /// How many recordings training needs.
    pub samples_needed: u32,
    /// Why the chosen reference can't be used (then the transcript decides); empty when fine.
    pub problem: String,
}

/// One recording of the wake phrase for training.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct WakeSampleInfo {
    /// 1 for the first recording since training or clearing.
    pub number: u32,
    /// Speech in it, ms.
    pub speech_ms: u32,
    /// Its loudest moment, dBFS.
    pub peak_db: f64,
}

/// One installed model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ModelInfo {
    /// "whisper" (speech to text), "piper" (spoken replies) or "wakeword".
    pub kind: String,
    /// The file name without its extension ("ggml-tiny.en").
    pub name: String,
    /// Its file; empty for the built-in wake word.
    pub file: String,
    pub bytes: u64,
    /// The one of its kind in use.
    pub in_use: bool,
    pub built_in: bool,
}
