//! Playing speech through cpal: mono samples at the voice's rate, on the device's own terms
//! (its rate and channels, resampled here when it doesn't take the voice's directly).

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::{FftFixedIn, Resampler};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error("this computer has no audio output device")]
    NoDevice,
    #[error("the output device can't play: {0}")]
    Open(String),
}

/// Plays `samples` (mono, `rate` Hz) on the default output and returns when they are done
/// (true) or `stop` was set (false).
pub fn play(samples: Vec<f32>, rate: u32, stop: &AtomicBool) -> Result<bool, PlaybackError> {
    let device = cpal::default_host()
        .default_output_device()
        .ok_or(PlaybackError::NoDevice)?;
    let open = |e: &dyn std::fmt::Display| PlaybackError::Open(e.to_string());
    // Mono at the voice's rate when the device offers it: no resampling.
    let supported = match device
        .supported_output_configs()
        .ok()
        .and_then(|ranges| crate::capture::mono_at(ranges, rate))
    {
        Some(c) => c,
        None => device.default_output_config().map_err(|e| open(&e))?,
    };
    let format = supported.sample_format();
    let config: cpal::StreamConfig = supported.into();
    let audio: Arc<Vec<f32>> = Arc::new(if config.sample_rate == rate {
        samples
    } else {
        resample(&samples, rate, config.sample_rate).map_err(|e| open(&e))?
    });
    let channels = usize::from(config.channels.max(1));
    let position = Arc::new(AtomicUsize::new(0));
    let on_error = |e: cpal::Error| tracing::warn!("audio output: {e}");
    let stream = match format {
        cpal::SampleFormat::I16 => {
            let (audio, position) = (audio.clone(), position.clone());
            device.build_output_stream(
                config,
                move |out: &mut [i16], _: &_| {
                    fill(out, channels, &audio, &position, |s| {
                        (s.clamp(-1.0, 1.0) * 32767.0) as i16
                    })
                },
                on_error,
                None,
            )
        }
        cpal::SampleFormat::F32 => {
            let (audio, position) = (audio.clone(), position.clone());
            device.build_output_stream(
                config,
                move |out: &mut [f32], _: &_| fill(out, channels, &audio, &position, |s| s),
                on_error,
                None,
            )
        }
        other => return Err(open(&format!("sample format {other} is not supported"))),
    }
    .map_err(|e| open(&e))?;
    stream.play().map_err(|e| open(&e))?;
    while position.load(Ordering::Relaxed) < audio.len() {
        if stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The last buffer is still in the device.
    std::thread::sleep(Duration::from_millis(100));
    Ok(true)
}

fn fill<T: Copy>(
    out: &mut [T],
    channels: usize,
    audio: &[f32],
    position: &AtomicUsize,
    convert: impl Fn(f32) -> T,
) {
    let mut at = position.load(Ordering::Relaxed);
    for frame in out.chunks_mut(channels) {
        let value = convert(audio.get(at).copied().unwrap_or(0.0));
        frame.fill(value);
        at += 1;
    }
    position.store(at.min(audio.len()), Ordering::Relaxed);
}

fn resample(
    samples: &[f32],
    from: u32,
    to: u32,
) -> Result<Vec<f32>, rubato::ResamplerConstructionError> {
    const CHUNK: usize = 1024;
    let mut resampler = FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK, 2, 1)?;
    let mut out = Vec::with_capacity(samples.len() * to as usize / from as usize + CHUNK);
    for chunk in samples.chunks(CHUNK) {
        let mut block = chunk.to_vec();
        block.resize(CHUNK, 0.0);
        if let Ok(done) = resampler.process(&[block], None) {
            out.extend_from_slice(&done[0]);
        }
    }
    Ok(out)
}
