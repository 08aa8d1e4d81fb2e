//! Voice activity and end of speech: 16 kHz audio in 20 ms frames, an energy detector over an
//! adaptive noise floor, and utterances cut out with a little audio from before speech began
//! (so the first consonant isn't lost).

use crate::SAMPLE_RATE;
use std::collections::VecDeque;

const FRAME: usize = (SAMPLE_RATE as usize) / 50;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmenterSettings {
    /// Silence after speech that ends an utterance. Every millisecond here is latency after
    /// the speaker stops, so it is short; commands have few long pauses.
    pub end_silence_ms: u32,
    /// Speech shorter than this is a click or a cough, not a sentence.
    pub min_speech_ms: u32,
    /// An utterance is cut here even if speech goes on.
    pub max_utterance_ms: u32,
    /// Audio kept from before speech was detected.
    pub preroll_ms: u32,
    /// How far above the noise floor a frame must be to count as speech.
    pub margin_db: f32,
    /// Frames quieter than this are never speech.
    pub min_level_db: f32,
}

impl Default for SegmenterSettings {
    fn default() -> Self {
        Self {
            end_silence_ms: 400,
            min_speech_ms: 200,
            max_utterance_ms: 10_000,
            preroll_ms: 300,
            margin_db: 12.0,
            min_level_db: -50.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SegmenterEvent {
    /// The level of the last frames, in dBFS (for the meter); sent every 100 ms.
    Level(f32),
    SpeechStarted,
    /// A whole utterance, 16 kHz mono; `at_sample` is where speech ended in the stream.
    Utterance {
        audio: Vec<f32>,
        at_sample: u64,
    },
    /// Speech that turned out too short to be a sentence.
    Discarded,
}

pub struct Segmenter {
    settings: SegmenterSettings,
    pending: Vec<f32>,
    preroll: VecDeque<f32>,
    utterance: Vec<f32>,
    in_speech: bool,
    speech_frames: u32,
    silent_frames: u32,
    /// Consecutive loud frames while idle: two are needed to start, against single clicks.
    onset_frames: u32,
    noise_floor_db: f32,
    /// Frames left before detection starts: the first 200 ms only measure the room.
    calibrating: u32,
    samples_seen: u64,
    level_frames: u32,
    level_peak_db: f32,
}

impl Segmenter {
    pub fn new(settings: SegmenterSettings) -> Self {
        Self {
            settings,
            pending: Vec::new(),
            preroll: VecDeque::new(),
            utterance: Vec::new(),
            in_speech: false,
            speech_frames: 0,
            silent_frames: 0,
            onset_frames: 0,
            noise_floor_db: -100.0,
            calibrating: 10,
            samples_seen: 0,
            level_frames: 0,
            level_peak_db: -100.0,
        }
    }

    pub fn in_speech(&self) -> bool {
        self.in_speech
    }

    /// Forgets a sentence in progress (push-to-talk started, or a reply is being spoken).
    pub fn reset(&mut self) {
        self.in_speech = false;
        self.utterance.clear();
        self.speech_frames = 0;
        self.silent_frames = 0;
        self.onset_frames = 0;
    }

    pub fn push(&mut self, samples: &[f32]) -> Vec<SegmenterEvent> {
        let mut events = Vec::new();
        // Taken out for the loop so frames are borrowed, not copied, while `self` changes.
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(samples);
        let whole = pending.len() / FRAME * FRAME;
        for frame in pending[..whole].chunks_exact(FRAME) {
            self.frame(frame, &mut events);
        }
        pending.drain(..whole);
        self.pending = pending;
        events
    }

    fn frame(&mut self, frame: &[f32], events: &mut Vec<SegmenterEvent>) {
        self.samples_seen += frame.len() as u64;
        let db = level_db(frame);
        self.level_peak_db = self.level_peak_db.max(db);
        self.level_frames += 1;
        if self.level_frames == 5 {
            events.push(SegmenterEvent::Level(self.level_peak_db));
            self.level_frames = 0;
            self.level_peak_db = -100.0;
        }
        if self.calibrating > 0 {
            self.calibrating -= 1;
            self.noise_floor_db = self.noise_floor_db.max(db);
            self.preroll.extend(frame);
            return;
        }
        let loud =
            db > self.settings.min_level_db && db > self.noise_floor_db + self.settings.margin_db;
        if !loud {
            // The floor follows quiet frames quickly down and slowly up, so speech doesn't raise it.
            let rate = if db < self.noise_floor_db { 0.2 } else { 0.01 };
            self.noise_floor_db += rate * (db - self.noise_floor_db);
        }
        let ms = |frames: u32| frames * 20;
        if !self.in_speech {
            self.preroll.extend(frame);
            let keep = (self.settings.preroll_ms as usize) * (SAMPLE_RATE as usize) / 1000;
            while self.preroll.len() > keep {
                self.preroll.pop_front();
            }
            self.onset_frames = if loud { self.onset_frames + 1 } else { 0 };
            if self.onset_frames >= 2 {
                self.in_speech = true;
                self.utterance = self.preroll.drain(..).collect();
                self.speech_frames = self.onset_frames;
                self.silent_frames = 0;
                events.push(SegmenterEvent::SpeechStarted);
            }
            return;
        }
        self.utterance.extend_from_slice(frame);
        if loud {
            self.speech_frames += 1;
            self.silent_frames = 0;
        } else {
            self.silent_frames += 1;
        }
        let too_long = ms((self.utterance.len() / FRAME) as u32) >= self.settings.max_utterance_ms;
        if ms(self.silent_frames) >= self.settings.end_silence_ms || too_long {
            self.in_speech = false;
            self.onset_frames = 0;
            let audio = std::mem::take(&mut self.utterance);
            if ms(self.speech_frames) >= self.settings.min_speech_ms {
                events.push(SegmenterEvent::Utterance {
                    audio,
                    at_sample: self.samples_seen - u64::from(self.silent_frames) * FRAME as u64,
                });
            } else {
                events.push(SegmenterEvent::Discarded);
            }
        }
    }
}

/// RMS level in dBFS.
pub fn level_db(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return -100.0;
    }
    let power = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    (10.0 * power.max(1e-10).log10()).max(-100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(ms: u32, amplitude: f32) -> Vec<f32> {
        (0..(ms as usize * 16))
            .map(|i| amplitude * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 16_000.0).sin())
            .collect()
    }

    fn noise(ms: u32, amplitude: f32) -> Vec<f32> {
        // A fixed pseudo-random hiss (no rand dependency needed for a test signal).
        let mut x: u32 = 12345;
        (0..(ms as usize * 16))
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                amplitude * ((x >> 16) as f32 / 32768.0 - 1.0)
            })
            .collect()
    }

    #[test]
    fn one_sentence_between_quiet_gives_one_utterance() {
        let mut s = Segmenter::new(SegmenterSettings::default());
        let mut events = s.push(&noise(1000, 0.001));
        events.extend(s.push(&tone(1200, 0.3)));
        events.extend(s.push(&noise(1000, 0.001)));
        let utterances: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                SegmenterEvent::Utterance { audio, .. } => Some(audio.len()),
                _ => None,
            })
            .collect();
        assert_eq!(utterances.len(), 1, "{events:?}");
        // Speech plus pre-roll plus the end silence, give or take a frame.
        let expected = (1200 + 300 + 400) * 16;
        assert!(
            (utterances[0] as i64 - expected as i64).abs() <= 2 * FRAME as i64,
            "{utterances:?}"
        );
        assert!(events.contains(&SegmenterEvent::SpeechStarted));
    }

    #[test]
    fn clicks_and_steady_noise_are_not_speech() {
        let mut s = Segmenter::new(SegmenterSettings::default());
        let mut events = s.push(&noise(3000, 0.05));
        events.extend(s.push(&tone(60, 0.5)));
        events.extend(s.push(&noise(1000, 0.05)));
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, SegmenterEvent::Utterance { .. })),
            "{events:?}"
        );
    }

    #[test]
    fn endless_speech_is_cut_at_the_limit() {
        let settings = SegmenterSettings {
            max_utterance_ms: 2000,
            ..Default::default()
        };
        let mut s = Segmenter::new(settings);
        let mut events = s.push(&noise(500, 0.001));
        events.extend(s.push(&tone(5000, 0.3)));
        let count = events
            .iter()
            .filter(|e| matches!(e, SegmenterEvent::Utterance { .. }))
            .count();
        assert!(count >= 2, "{events:?}");
    }
}
