//! The wake word, matched by example: a reference holds a few recordings of the phrase as
//! cepstral frames, and the detector compares the live stream against each of them with
//! subsequence dynamic time warping (the SPRING scheme: one column per reference, updated once
//! per 10 ms frame), so listening costs a few thousand multiplications per frame and no
//! speech-to-text runs until the phrase is heard.

mod features;

pub use features::{Analysed, Features, Frame, COEFFS};

use crate::SAMPLE_RATE;
use serde::{Deserialize, Serialize};
use std::path::Path;

const FORMAT: &str = "roxy-wake-mfcc12-v1";
pub const MIN_SAMPLES: usize = 3;
const MAX_SAMPLES: usize = 12;
const MIN_PHRASE_MS: usize = 250;
const MAX_PHRASE_MS: usize = 2_000;
/// A sample whose loudest frame is below this is the room, not a voice.
const MIN_PEAK_DB: f32 = -50.0;
/// Frames within this much of the sample's peak (and above the floor) are the phrase.
const SPEECH_BELOW_PEAK_DB: f32 = 30.0;
const SPEECH_FLOOR_DB: f32 = -55.0;
/// A hit is reported once its score stops improving for this many frames.
const SETTLE_FRAMES: u64 = 8;
/// After a hit the detector is quiet this long (frames), so one phrase wakes once.
const REFRACTORY_FRAMES: u64 = 100;
pub const DEFAULT_SENSITIVITY: f32 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum WakeError {
    #[error("{needed} recordings of the wake phrase are needed; there are {got}")]
    TooFewSamples { got: usize, needed: usize },
    #[error("at most {max} recordings of the wake phrase are used; there are {got}")]
    TooManySamples { got: usize, max: usize },
    #[error("recording {number}: {problem}")]
    Sample { number: usize, problem: String },
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl WakeError {
    fn invalid(origin: &str, message: impl Into<String>) -> Self {
        WakeError::Invalid {
            origin: origin.into(),
            message: message.into(),
        }
    }
}

/// A wake phrase as recorded: what it says and its cepstral frames, one list per recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WakeReference {
    pub format: String,
    /// The words of the phrase ("hey roxy"), stripped from the transcript after a hit.
    pub phrase: String,
    pub templates: Vec<Vec<Frame>>,
    /// The median best score of each recording against the others: how far apart the same
    /// speaker saying the same phrase typically is. Thresholds scale from it.
    pub typical_score: f32,
}

impl WakeReference {
    /// Builds a reference from recordings (16 kHz mono) of `phrase`; each is trimmed to its
    /// speech.
    pub fn from_samples(phrase: &str, samples: &[Vec<f32>]) -> Result<Self, WakeError> {
        if samples.len() < MIN_SAMPLES {
            return Err(WakeError::TooFewSamples {
                got: samples.len(),
                needed: MIN_SAMPLES,
            });
        }
        if samples.len() > MAX_SAMPLES {
            return Err(WakeError::TooManySamples {
                got: samples.len(),
                max: MAX_SAMPLES,
            });
        }
        let templates = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                template(s).map_err(|problem| WakeError::Sample {
                    number: i + 1,
                    problem,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut scores: Vec<f32> = (0..samples.len())
            .map(|held_out| {
                let others: Vec<Vec<Frame>> = templates
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != held_out)
                    .map(|(_, t)| t.clone())
                    .collect();
                best_score(&others, &samples[held_out])
            })
            .collect();
        scores.sort_by(f32::total_cmp);
        let typical_score = scores[scores.len() / 2];
        if !typical_score.is_finite() {
            return Err(WakeError::Sample {
                number: 1,
                problem:
                    "the recordings don't resemble each other; record the same phrase each time"
                        .into(),
            });
        }
        Ok(Self {
            format: FORMAT.into(),
            phrase: phrase.trim().to_lowercase(),
            templates,
            typical_score,
        })
    }

    /// Reads a reference; `origin` names it in errors (a path, or "built-in").
    pub fn parse(origin: &str, text: &str) -> Result<Self, WakeError> {
        let reference: Self = serde_json::from_str(text).map_err(|e| WakeError::Parse {
            origin: origin.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if reference.format != FORMAT {
            return Err(WakeError::invalid(
                origin,
                format!(
                    "format: “{}” is not a wake-word reference this version reads (“{FORMAT}”)",
                    reference.format
                ),
            ));
        }
        if reference.templates.is_empty() || reference.templates.iter().any(Vec::is_empty) {
            return Err(WakeError::invalid(
                origin,
                "templates: a reference needs at least one non-empty recording",
            ));
        }
        if !(reference.typical_score.is_finite() && reference.typical_score > 0.0) {
            return Err(WakeError::invalid(
                origin,
                "typical_score: must be a positive number",
            ));
        }
        Ok(reference)
    }

    /// The lowest score any stretch of `samples` reaches: below the threshold is a hit.
    pub fn best_score(&self, samples: &[f32]) -> f32 {
        best_score(&self.templates, samples)
    }

    pub fn load(path: &Path) -> Result<Self, WakeError> {
        let text = std::fs::read_to_string(path).map_err(|source| WakeError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Writes the reference, frames rounded to 0.01 (far finer than speakers differ).
    pub fn save(&self, path: &Path) -> Result<(), WakeError> {
        let mut rounded = self.clone();
        for frame in rounded.templates.iter_mut().flatten() {
            for c in frame.iter_mut() {
                *c = (*c * 100.0).round() / 100.0;
            }
        }
        let io = |source| WakeError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string(&rounded).expect("a reference always serializes");
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, text).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)
    }
}

/// How long the speech in a recording of the phrase lasts (ms) and its loudest frame (dBFS),
/// or why it can't be used, in a sentence that says what to do.
pub fn measure_sample(samples: &[f32]) -> Result<(u32, f32), String> {
    let (frames, peak) = trimmed(samples)?;
    Ok((frames.len() as u32 * 10, peak))
}

/// The recording trimmed to its speech, as frames.
fn template(samples: &[f32]) -> Result<Vec<Frame>, String> {
    trimmed(samples).map(|(frames, _)| frames)
}

/// The recording's speech as frames, and its loudest frame (dBFS).
fn trimmed(samples: &[f32]) -> Result<(Vec<Frame>, f32), String> {
    let frames = Features::of_clip(samples);
    let peak = frames
        .iter()
        .map(|f| f.level_db)
        .fold(f32::NEG_INFINITY, f32::max);
    if frames.is_empty() || peak < MIN_PEAK_DB {
        return Err(format!(
            "too quiet (loudest part {peak:.0} dBFS); speak closer to the microphone"
        ));
    }
    let floor = (peak - SPEECH_BELOW_PEAK_DB).max(SPEECH_FLOOR_DB);
    let first = frames.iter().position(|f| f.level_db > floor).unwrap_or(0);
    let last = frames.iter().rposition(|f| f.level_db > floor).unwrap_or(0);
    let ms = (last + 1 - first) * 10;
    if ms < MIN_PHRASE_MS {
        return Err(format!(
            "only {ms} ms of speech; say the whole phrase (at least {MIN_PHRASE_MS} ms)"
        ));
    }
    if ms > MAX_PHRASE_MS {
        return Err(format!(
            "{ms} ms of speech; a wake phrase should take under {MAX_PHRASE_MS} ms"
        ));
    }
    Ok((
        frames[first..=last].iter().map(|f| f.cepstrum).collect(),
        peak,
    ))
}

/// The lowest score any stretch of `samples` reaches against `templates`.
fn best_score(templates: &[Vec<Frame>], samples: &[f32]) -> f32 {
    let mut springs: Vec<Spring> = templates.iter().map(|t| Spring::new(t.clone())).collect();
    let mut best = f32::INFINITY;
    for (t, frame) in Features::of_clip(samples).iter().enumerate() {
        if let Some(score) = combined(&mut springs, &frame.cepstrum, t as u64) {
            best = best.min(score);
        }
    }
    best
}

/// The stream frame's score against all references: the mean of the two best, so one odd
/// recording can't wake the detector alone.
fn combined(springs: &mut [Spring], frame: &Frame, t: u64) -> Option<f32> {
    let (mut first, mut second) = (f32::INFINITY, f32::INFINITY);
    for spring in springs.iter_mut() {
        if let Some(score) = spring.step(frame, t) {
            if score < first {
                second = first;
                first = score;
            } else if score < second {
                second = score;
            }
        }
    }
    match (first.is_finite(), second.is_finite()) {
        (true, true) => Some((first + second) / 2.0),
        (true, false) if springs.len() == 1 => Some(first),
        _ => None,
    }
}

/// One reference recording matched against the stream. Each reference frame is matched to
/// exactly one stream frame and each step to the next reference frame advances the stream by
/// 0, 1 or 2 frames (the speaker up to twice as fast or as slow), so every path sums the same
/// number of distances and paths of different lengths compare fairly. Kept: the last two
/// columns of the warping matrix, with where each path began.
struct Spring {
    template: Vec<Frame>,
    columns: [Column; 3],
}

#[derive(Clone)]
struct Column {
    cost: Vec<f32>,
    start: Vec<u64>,
}

impl Spring {
    fn new(template: Vec<Frame>) -> Self {
        let column = Column {
            cost: vec![f32::INFINITY; template.len()],
            start: vec![0; template.len()],
        };
        Self {
            template,
            columns: [column.clone(), column.clone(), column],
        }
    }

    fn reset(&mut self) {
        for column in &mut self.columns {
            column.cost.fill(f32::INFINITY);
        }
    }

    /// Advances by one stream frame `x` at index `t`. Returns the mean distance of the best
    /// match of the whole reference ending here, when its length is plausible (half to twice
    /// the reference).
    fn step(&mut self, x: &Frame, t: u64) -> Option<f32> {
        let [next, previous, before] = &mut self.columns;
        for (i, reference) in self.template.iter().enumerate() {
            let (cost, start) = if i == 0 {
                (0.0, t)
            } else {
                let mut best = (next.cost[i - 1], next.start[i - 1]);
                for column in [&*previous, &*before] {
                    if column.cost[i - 1] < best.0 {
                        best = (column.cost[i - 1], column.start[i - 1]);
                    }
                }
                best
            };
            next.cost[i] = cost + distance(reference, x);
            next.start[i] = start;
        }
        self.columns.rotate_right(1);
        let newest = &self.columns[1];
        let n = self.template.len();
        let matched = t + 1 - newest.start[n - 1];
        let plausible = matched * 2 >= n as u64 && matched <= 2 * n as u64;
        (newest.cost[n - 1].is_finite() && plausible).then(|| newest.cost[n - 1] / n as f32)
    }
}

/// Euclidean distance between two frames' cepstra.
pub(crate) fn distance(a: &Frame, b: &Frame) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

/// A heard wake phrase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WakeHit {
    pub score: f32,
    /// Where the phrase ended in the stream, in samples.
    pub at_sample: u64,
}

pub struct WakeDetector {
    features: Features,
    springs: Vec<Spring>,
    threshold: f32,
    frames: Vec<Analysed>,
    frame: u64,
    candidate: Option<(f32, u64)>,
    quiet_until: u64,
}

impl WakeDetector {
    /// `sensitivity` from 0 (fewest false wakes) to 1 (fewest misses).
    pub fn new(reference: &WakeReference, sensitivity: f32) -> Self {
        Self {
            features: Features::new(),
            springs: reference
                .templates
                .iter()
                .cloned()
                .map(Spring::new)
                .collect(),
            threshold: threshold(reference, sensitivity),
            frames: Vec::new(),
            frame: 0,
            candidate: None,
            quiet_until: 0,
        }
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Feeds 16 kHz samples; returns a hit when the phrase ended in them (or just before).
    pub fn push(&mut self, samples: &[f32]) -> Option<WakeHit> {
        let mut frames = std::mem::take(&mut self.frames);
        frames.clear();
        self.features.push(samples, &mut frames);
        let mut hit = None;
        for f in &frames {
            let t = self.frame;
            self.frame += 1;
            let score = combined(&mut self.springs, &f.cepstrum, t);
            if t < self.quiet_until {
                continue;
            }
            if let Some(s) = score.filter(|s| *s < self.threshold) {
                if self.candidate.is_none_or(|(best, _)| s < best) {
                    self.candidate = Some((s, t));
                }
            }
            let Some((best, at)) = self.candidate else {
                continue;
            };
            let settled = score.is_none_or(|s| s >= self.threshold) || t - at >= SETTLE_FRAMES;
            if settled && hit.is_none() {
                hit = Some(WakeHit {
                    score: best,
                    at_sample: (at + 1) * features::HOP as u64,
                });
                self.candidate = None;
                self.quiet_until = t + REFRACTORY_FRAMES;
                self.springs.iter_mut().for_each(Spring::reset);
            }
        }
        self.frames = frames;
        hit
    }

    /// Seconds of audio analysed so far.
    pub fn seconds(&self) -> f64 {
        self.frame as f64 * features::HOP as f64 / f64::from(SAMPLE_RATE)
    }
}

/// The score below which a stretch counts as the phrase: at the default sensitivity, as far
/// from the reference as its own recordings typically are from each other. (On the benchmark
/// the phrase scored 0.80–0.86 of that and other speech 1.13 and up.)
pub fn threshold(reference: &WakeReference, sensitivity: f32) -> f32 {
    reference.typical_score * (0.8 + 0.4 * sensitivity.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests;
