//! The sound of a frame as wake-word matching compares it: 25 ms windows every 10 ms, a mel
//! filter bank and the cepstrum (MFCC), without the energy coefficient so that a louder or
//! quieter speaker still matches.

use crate::SAMPLE_RATE;
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

const WINDOW: usize = SAMPLE_RATE as usize / 40;
pub(crate) const HOP: usize = SAMPLE_RATE as usize / 100;
const FFT_LEN: usize = 512;
const BANDS: usize = 26;
const LOW_HZ: f32 = 80.0;
const HIGH_HZ: f32 = 7_600.0;
const PRE_EMPHASIS: f32 = 0.97;
/// Cepstral coefficients kept, c1 to c12.
pub const COEFFS: usize = 12;

pub type Frame = [f32; COEFFS];

/// One analysed frame: its cepstrum and its level in dBFS.
#[derive(Debug, Clone, Copy)]
pub struct Analysed {
    pub cepstrum: Frame,
    pub level_db: f32,
}

pub struct Features {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// Per band: (first FFT bin, weights).
    bands: Vec<(usize, Vec<f32>)>,
    dct: Vec<[f32; BANDS]>,
    /// Pre-emphasised samples not yet consumed by a whole window.
    pending: Vec<f32>,
    previous: f32,
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Default for Features {
    fn default() -> Self {
        Self::new()
    }
}

impl Features {
    pub fn new() -> Self {
        let fft = FftPlanner::new().plan_fft_forward(FFT_LEN);
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        let window = (0..WINDOW)
            .map(|n| {
                0.54 - 0.46 * (2.0 * std::f32::consts::PI * n as f32 / (WINDOW - 1) as f32).cos()
            })
            .collect();
        let dct = (1..=COEFFS)
            .map(|k| {
                let mut row = [0.0; BANDS];
                for (m, w) in row.iter_mut().enumerate() {
                    *w = (2.0 / BANDS as f32).sqrt()
                        * (std::f32::consts::PI * k as f32 * (m as f32 + 0.5) / BANDS as f32).cos();
                }
                row
            })
            .collect();
        Self {
            fft,
            window,
            bands: mel_bands(),
            dct,
            pending: Vec::with_capacity(WINDOW + HOP),
            previous: 0.0,
            spectrum: vec![Complex32::default(); FFT_LEN],
            scratch,
        }
    }

    /// Feeds 16 kHz samples; appends one frame per 10 ms that became complete.
    pub fn push(&mut self, samples: &[f32], out: &mut Vec<Analysed>) {
        for &s in samples {
            self.pending.push(s - PRE_EMPHASIS * self.previous);
            self.previous = s;
            if self.pending.len() == WINDOW {
                out.push(self.analyse());
                self.pending.drain(..HOP);
            }
        }
    }

    /// All frames of a whole clip.
    pub fn of_clip(samples: &[f32]) -> Vec<Analysed> {
        let mut out = Vec::with_capacity(samples.len() / HOP + 1);
        Self::new().push(samples, &mut out);
        out
    }

    fn analyse(&mut self) -> Analysed {
        let mut power = 0.0f32;
        for (i, slot) in self.spectrum.iter_mut().enumerate() {
            let v = if i < WINDOW {
                power += self.pending[i] * self.pending[i];
                self.pending[i] * self.window[i]
            } else {
                0.0
            };
            *slot = Complex32::new(v, 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.spectrum, &mut self.scratch);
        let mut log_mel = [0.0f32; BANDS];
        for (value, (first, weights)) in log_mel.iter_mut().zip(&self.bands) {
            let energy: f32 = weights
                .iter()
                .zip(&self.spectrum[*first..])
                .map(|(w, c)| w * c.norm_sqr())
                .sum();
            *value = (energy + 1e-8).ln();
        }
        let mut cepstrum = [0.0f32; COEFFS];
        for (c, row) in cepstrum.iter_mut().zip(&self.dct) {
            *c = row.iter().zip(&log_mel).map(|(w, v)| w * v).sum();
        }
        Analysed {
            cepstrum,
            level_db: 10.0 * (power / WINDOW as f32 + 1e-12).log10(),
        }
    }
}

fn mel(hz: f32) -> f32 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

fn hz(mel: f32) -> f32 {
    700.0 * (10f32.powf(mel / 2595.0) - 1.0)
}

/// Triangular filters evenly spaced on the mel scale, over FFT bins.
fn mel_bands() -> Vec<(usize, Vec<f32>)> {
    let bin_hz = SAMPLE_RATE as f32 / FFT_LEN as f32;
    let (low, high) = (mel(LOW_HZ), mel(HIGH_HZ));
    let edges: Vec<f32> = (0..BANDS + 2)
        .map(|i| hz(low + (high - low) * i as f32 / (BANDS + 1) as f32) / bin_hz)
        .collect();
    edges
        .windows(3)
        .map(|e| {
            let (left, centre, right) = (e[0], e[1], e[2]);
            let first = left.floor() as usize;
            let last = (right.ceil() as usize).min(FFT_LEN / 2);
            let weights = (first..=last)
                .map(|bin| {
                    let b = bin as f32;
                    if b <= left || b >= right {
                        0.0
                    } else if b <= centre {
                        (b - left) / (centre - left)
                    } else {
                        (right - b) / (right - centre)
                    }
                })
                .collect();
            (first, weights)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wakeword::distance;

    fn tone(hz: f32, seconds: f32, amplitude: f32) -> Vec<f32> {
        (0..(seconds * SAMPLE_RATE as f32) as usize)
            .map(|n| amplitude * (2.0 * std::f32::consts::PI * hz * n as f32 / 16_000.0).sin())
            .collect()
    }

    #[test]
    fn one_frame_every_ten_milliseconds() {
        // 1 s: the first window needs 25 ms, then one more frame per 10 ms.
        assert_eq!(Features::of_clip(&tone(440.0, 1.0, 0.5)).len(), 98);
        // Fed in odd pieces, the same frames come out.
        let audio = tone(440.0, 0.5, 0.5);
        let mut features = Features::new();
        let mut pieces = Vec::new();
        for chunk in audio.chunks(37) {
            features.push(chunk, &mut pieces);
        }
        let whole = Features::of_clip(&audio);
        assert_eq!(pieces.len(), whole.len());
        assert!(distance(&pieces[20].cepstrum, &whole[20].cepstrum) < 1e-3);
    }

    #[test]
    fn loudness_changes_the_level_not_the_cepstrum() {
        let loud = Features::of_clip(&tone(300.0, 0.3, 0.5));
        let quiet = Features::of_clip(&tone(300.0, 0.3, 0.05));
        assert!((loud[10].level_db - quiet[10].level_db - 20.0).abs() < 0.5);
        assert!(distance(&loud[10].cepstrum, &quiet[10].cepstrum) < 0.05);
        // A different pitch is a different sound.
        let other = Features::of_clip(&tone(2_000.0, 0.3, 0.5));
        assert!(distance(&loud[10].cepstrum, &other[10].cepstrum) > 1.0);
    }
}
