//! From a transcript to the intent it most likely asks for, tolerant of speech-to-text slips
//! ("switch to seam gaming" still reaches scene "Gaming").
//!
//! Every pattern is aligned word by word with the sentence (a small edit-distance alignment
//! where a pattern word can match a heard word with some similarity, be missing, or a heard
//! word can be extra). Slots take one or more heard words and pick the closest live value. The
//! loss of the best alignment, against the pattern's weight, gives a confidence in 0..=1; the
//! alignment itself is the explanation shown in the test box.

use super::intents::{Intent, IntentSet, PatternToken, SlotKind};
use super::normalize::{normalize, strip_wake_phrase};
use std::collections::BTreeMap;

/// At or above this confidence the daemon acts.
pub const ACT_AT: f64 = 0.8;
/// Below this nothing is matched; between the two the daemon asks back.
pub const ASK_BELOW: f64 = 0.55;

/// Longest sentence considered; speech beyond this is not a command.
const MAX_WORDS: usize = 40;
/// A slot value of more words than this is not looked for.
const MAX_SLOT_WORDS: usize = 6;
/// Slots weigh more than plain words: the value is what the command is about.
const SLOT_WEIGHT: f64 = 2.0;
/// One word of a multi-word value ("Ada" for "Ada Lovelace") counts this much of a full match:
/// enough to act on when the rest of the sentence fits, not when a common word ("scene" of
/// "Scene 2") is all that matched.
const PART_OF_VALUE: f64 = 0.7;
/// Heard words the pattern doesn't have. Politeness and articles cost little.
const EXTRA_WORD: f64 = 0.5;
const EXTRA_FILLER: f64 = 0.1;
const FILLERS: &[&str] = &[
    "please", "the", "a", "an", "now", "uh", "um", "so", "and", "then", "could", "you", "can",
    "would", "hey", "roxy", "okay", "ok", "just", "my",
];

/// The live values slots are filled from, by kind. Values are shown as given (original case).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub values: BTreeMap<SlotKind, Vec<String>>,
}

impl Vocabulary {
    pub fn set(&mut self, kind: SlotKind, values: Vec<String>) {
        self.values.insert(kind, values);
    }

    /// Names for the speech-to-text prompt: OBS scenes and inputs, the words people say most
    /// and speech-to-text spells worst. (Runbook ids and contacts made the prompt long, and a
    /// long prompt made tiny.en hear less, not more.)
    pub fn prompt_words(&self) -> impl Iterator<Item = &str> {
        [SlotKind::Scene, SlotKind::Input]
            .into_iter()
            .filter_map(|k| self.values.get(&k))
            .flatten()
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotFill {
    pub kind: SlotKind,
    /// The live value chosen (for `text`: the words as heard).
    pub value: String,
    /// The heard words it was taken from.
    pub heard: String,
    pub similarity: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntentMatch {
    pub intent: String,
    pub action: String,
    pub pattern: String,
    pub confidence: f64,
    pub slots: Vec<SlotFill>,
    /// One line per pattern token or extra word: why the confidence is what it is.
    pub explanation: Vec<String>,
}

impl IntentMatch {
    pub fn slot(&self, kind: SlotKind) -> Option<&str> {
        self.slots
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.value.as_str())
    }

    /// The pattern with its slots filled: what the daemon thinks was meant.
    pub fn restated(&self) -> String {
        let mut text = self.pattern.clone();
        for s in &self.slots {
            text = text.replace(&format!("{{{}}}", s.kind.name()), &s.value);
        }
        text
    }

    pub fn decision(&self) -> Decision {
        if self.confidence >= ACT_AT {
            Decision::Act
        } else if self.confidence >= ASK_BELOW {
            Decision::AskBack
        } else {
            Decision::NoMatch
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Act,
    AskBack,
    NoMatch,
}

pub struct Matcher<'a> {
    intents: &'a IntentSet,
    /// Live values, normalized once: (words, shown value).
    values: BTreeMap<SlotKind, Vec<(String, String)>>,
}

impl<'a> Matcher<'a> {
    pub fn new(intents: &'a IntentSet, vocabulary: &Vocabulary) -> Self {
        let values = vocabulary
            .values
            .iter()
            .map(|(kind, list)| {
                let normalized = list
                    .iter()
                    .map(|v| (normalize(v).join(" "), v.clone()))
                    .filter(|(n, _)| !n.is_empty())
                    .collect();
                (*kind, normalized)
            })
            .collect();
        Self { intents, values }
    }

    /// The best match per intent, best first. Empty when the sentence has no words.
    pub fn rank(&self, sentence: &str) -> Vec<IntentMatch> {
        let all = normalize(sentence);
        let words = strip_wake_phrase(&all);
        let words = &words[..words.len().min(MAX_WORDS)];
        if words.is_empty() {
            return Vec::new();
        }
        let mut ranked: Vec<IntentMatch> = self
            .intents
            .intents
            .iter()
            .filter_map(|intent| self.best_for(intent, words))
            .collect();
        ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        ranked
    }

    pub fn best(&self, sentence: &str) -> Option<IntentMatch> {
        self.rank(sentence).into_iter().next()
    }

    fn best_for(&self, intent: &Intent, words: &[String]) -> Option<IntentMatch> {
        intent
            .patterns
            .iter()
            .filter_map(|p| {
                let (confidence, slots, explanation) = self.align(&p.tokens, words)?;
                Some(IntentMatch {
                    intent: intent.id.clone(),
                    action: intent.action.clone(),
                    pattern: p.text.clone(),
                    confidence,
                    slots,
                    explanation,
                })
            })
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
    }

    /// Best alignment of `tokens` with `words`: (confidence, slots, explanation). `None` when a
    /// slot has no live values to choose from.
    fn align(
        &self,
        tokens: &[PatternToken],
        words: &[String],
    ) -> Option<(f64, Vec<SlotFill>, Vec<String>)> {
        let (m, n) = (tokens.len(), words.len());
        let mut loss = vec![vec![f64::INFINITY; n + 1]; m + 1];
        let mut back: Vec<Vec<Option<Step>>> = vec![vec![None; n + 1]; m + 1];
        loss[0][0] = 0.0;
        for i in 0..=m {
            for j in 0..=n {
                let here = loss[i][j];
                if !here.is_finite() {
                    continue;
                }
                let mut relax = |ni: usize, nj: usize, cost: f64, step: Step| {
                    if here + cost < loss[ni][nj] {
                        loss[ni][nj] = here + cost;
                        back[ni][nj] = Some(step);
                    }
                };
                if j < n {
                    let cost = if FILLERS.contains(&words[j].as_str()) {
                        EXTRA_FILLER
                    } else {
                        EXTRA_WORD
                    };
                    relax(i, j + 1, cost, Step::Extra);
                }
                let Some(token) = tokens.get(i) else { continue };
                match token {
                    PatternToken::Word(w) => {
                        relax(i + 1, j, 1.0, Step::Missing);
                        if j < n {
                            let s = word_similarity(w, &words[j]);
                            relax(i + 1, j + 1, 1.0 - s, Step::Word(s));
                        }
                    }
                    PatternToken::Slot(SlotKind::Text) => {
                        for k in 1..=n - j {
                            relax(i + 1, j + k, 0.0, Step::Slot(k, String::new(), 1.0));
                        }
                    }
                    PatternToken::Slot(kind) => {
                        let values = self.values.get(kind)?;
                        for k in 1..=(n - j).min(MAX_SLOT_WORDS) {
                            let heard = words[j..j + k].join(" ");
                            if let Some((value, s)) = closest(&heard, values) {
                                let cost = SLOT_WEIGHT * (1.0 - s);
                                relax(i + 1, j + k, cost, Step::Slot(k, value, s));
                            }
                        }
                    }
                }
            }
        }
        if !loss[m][n].is_finite() {
            return None;
        }
        let weight: f64 = tokens
            .iter()
            .map(|t| match t {
                PatternToken::Word(_) => 1.0,
                PatternToken::Slot(SlotKind::Text) => 0.0,
                PatternToken::Slot(_) => SLOT_WEIGHT,
            })
            .sum::<f64>()
            .max(1.0);
        let confidence = (1.0 - loss[m][n] / weight).clamp(0.0, 1.0);
        let (slots, explanation) = trace(tokens, words, &back);
        Some((confidence, slots, explanation))
    }
}

#[derive(Debug, Clone)]
enum Step {
    Word(f64),
    Missing,
    Extra,
    /// Heard words taken, chosen value, similarity.
    Slot(usize, String, f64),
}

fn trace(
    tokens: &[PatternToken],
    words: &[String],
    back: &[Vec<Option<Step>>],
) -> (Vec<SlotFill>, Vec<String>) {
    let (mut i, mut j) = (tokens.len(), words.len());
    let mut slots = Vec::new();
    let mut lines = Vec::new();
    while i > 0 || j > 0 {
        let Some(step) = back[i][j].clone() else {
            break;
        };
        match step {
            Step::Extra => {
                j -= 1;
                lines.push(format!("extra word “{}”", words[j]));
            }
            Step::Missing => {
                i -= 1;
                lines.push(format!("“{}” not heard", token_text(&tokens[i])));
            }
            Step::Word(s) => {
                i -= 1;
                j -= 1;
                lines.push(format!(
                    "“{}” ≈ “{}” ({s:.2})",
                    token_text(&tokens[i]),
                    words[j]
                ));
            }
            Step::Slot(k, value, s) => {
                i -= 1;
                j -= k;
                let heard = words[j..j + k].join(" ");
                let PatternToken::Slot(kind) = tokens[i] else {
                    break;
                };
                let value = if kind == SlotKind::Text {
                    heard.clone()
                } else {
                    value
                };
                lines.push(format!(
                    "{{{}}} = “{value}” from “{heard}” ({s:.2})",
                    kind.name()
                ));
                slots.push(SlotFill {
                    kind,
                    value,
                    heard,
                    similarity: s,
                });
            }
        }
    }
    slots.reverse();
    lines.reverse();
    (slots, lines)
}

fn token_text(token: &PatternToken) -> String {
    match token {
        PatternToken::Word(w) => w.clone(),
        PatternToken::Slot(k) => format!("{{{}}}", k.name()),
    }
}

/// Similarity of two words in 0..=1: spelling distance, forgiving when the sounds are close
/// (speech-to-text slips keep the consonant skeleton more often than the letters).
pub fn word_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let spelled = strsim::normalized_levenshtein(a, b);
    let (sa, sb) = (skeleton(a), skeleton(b));
    let sounded = if sa.is_empty() || sb.is_empty() {
        0.0
    } else {
        0.9 * strsim::normalized_levenshtein(&sa, &sb)
    };
    spelled.max(sounded)
}

/// A crude sound key: first letter, then consonants with similar-sounding ones merged and
/// repeats dropped ("scene" → "sn", "seam" → "sm", "gaming" → "gmng").
fn skeleton(word: &str) -> String {
    let mut out = String::new();
    let mut last = None;
    for (i, c) in word.chars().enumerate() {
        let class = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'w' if i > 0 => None,
            'c' | 'k' | 'q' => Some('k'),
            's' | 'z' | 'x' => Some('s'),
            'b' | 'p' => Some('p'),
            'd' | 't' => Some('t'),
            'f' | 'v' => Some('f'),
            'g' | 'j' => Some('g'),
            'm' | 'n' => Some('n'),
            other => Some(other),
        };
        if let Some(k) = class {
            if last != Some(k) {
                out.push(k);
            }
            last = Some(k);
        } else {
            last = None;
        }
    }
    out
}

/// The live value closest to the heard words, with its similarity. Multi-word values can also
/// be reached by one of their words ("Ada" for "Ada Lovelace"), at a discount.
fn closest(heard: &str, values: &[(String, String)]) -> Option<(String, f64)> {
    values
        .iter()
        .map(|(normalized, shown)| {
            let whole = phrase_similarity(heard, normalized);
            let part = normalized
                .split(' ')
                // Short words ("up" of "warm up") say too little about which value was meant.
                .filter(|w| normalized.contains(' ') && w.len() >= 3)
                .map(|w| PART_OF_VALUE * phrase_similarity(heard, w))
                .fold(0.0, f64::max);
            (shown.clone(), whole.max(part))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn phrase_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    if wa.len() == wb.len() {
        // Half the mean, half the worst word: "scene garden" is not "Scene 2" just because
        // one of two words fits.
        let sims: Vec<f64> = wa
            .iter()
            .zip(&wb)
            .map(|(x, y)| word_similarity(x, y))
            .collect();
        let mean = sims.iter().sum::<f64>() / sims.len() as f64;
        let worst = sims.iter().copied().fold(1.0, f64::min);
        0.5 * mean + 0.5 * worst
    } else {
        strsim::normalized_levenshtein(a, b)
    }
}
