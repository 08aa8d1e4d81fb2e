//! Voice: the intents file (what a spoken sentence may ask for), the matcher that maps a
//! transcript onto an intent with a confidence and a reason, and the log of what was heard and
//! done. The audio path itself lives in `roxy-voice`; acting lives in the daemon.

pub mod actions;
pub mod intents;
pub mod log;
pub mod matcher;
mod normalize;

pub use actions::{coverage, Action, ACTIONS};
pub use intents::{Intent, IntentError, IntentSet, Pattern, PatternToken, SlotKind};
pub use log::{Heard, HeardEntry, Outcome};
pub use matcher::{Decision, IntentMatch, Matcher, SlotFill, Vocabulary, ACT_AT, ASK_BELOW};
pub use normalize::{normalize, strip_phrase, strip_wake_phrase};

#[cfg(test)]
mod tests;
