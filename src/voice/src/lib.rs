//! Roxy's audio path: microphone capture (cpal) at 16 kHz mono, voice activity and end of
//! speech, the wake word, speech-to-text (whisper.cpp through whisper-rs) and spoken replies
//! (Piper through piper-rs, played with cpal). No D-Bus and no intents here:
//! the daemon wires these parts into its listening loop.

pub mod capture;
pub mod playback;
pub mod segmenter;
pub mod stt;
pub mod tts;
pub mod wakeword;

pub use capture::{input_devices, Capture, CaptureError};
pub use segmenter::{Segmenter, SegmenterEvent, SegmenterSettings};
pub use stt::{Decoding, SttError, Transcriber, Transcript};
pub use tts::{TtsError, Voice};
pub use wakeword::{WakeDetector, WakeError, WakeHit, WakeReference};

/// Everything after capture works on 16 kHz mono `f32` in -1..=1, what whisper expects.
pub const SAMPLE_RATE: u32 = 16_000;
