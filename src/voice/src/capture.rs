//! Microphone capture: a cpal input stream on its own thread (cpal streams are not `Send` on
//! every host), down-mixed to mono and resampled to 16 kHz, delivered in chunks over a channel.

use crate::SAMPLE_RATE;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::{FftFixedIn, Resampler};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Chunks waiting for the listener before capture starts dropping (about 10 s of audio).
const QUEUE_CHUNKS: usize = 500;
/// The longest the audio callback waits for room in the queue.
const MAX_WAIT: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("no input device named “{0}”; roxyctl voice devices lists them")]
    NoSuchDevice(String),
    #[error("this computer has no audio input device")]
    NoDevice,
    #[error("the input device “{device}” can't be opened: {reason}")]
    Open { device: String, reason: String },
}

/// Names of the input devices, the default first.
pub fn input_devices() -> Vec<String> {
    let host = cpal::default_host();
    let mut names = Vec::new();
    if let Some(d) = host.default_input_device() {
        names.push(device_name(&d));
    }
    if let Ok(devices) = host.input_devices() {
        for d in devices {
            let name = device_name(&d);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

fn device_name(device: &cpal::Device) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| device.to_string())
}

/// A running capture. Dropping it stops the stream and joins its thread.
pub struct Capture {
    /// 16 kHz mono chunks.
    pub chunks: Receiver<Vec<f32>>,
    pub device: String,
    /// Chunks dropped because the listener fell behind.
    pub dropped: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    /// Opens `device` (empty: the default input) and starts capturing.
    pub fn open(device: &str) -> Result<Self, CaptureError> {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (tx, chunks) = mpsc::sync_channel(QUEUE_CHUNKS);
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let wanted = device.to_string();
        let thread = {
            let stop = stop.clone();
            let dropped = dropped.clone();
            std::thread::Builder::new()
                .name("roxy-capture".into())
                .spawn(move || run(&wanted, tx, ready_tx, stop, dropped))
                .map_err(|e| CaptureError::Open {
                    device: device.to_string(),
                    reason: e.to_string(),
                })?
        };
        let name = match ready_rx.recv() {
            Ok(Ok(name)) => name,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(CaptureError::Open {
                    device: device.to_string(),
                    reason: "the capture thread ended".into(),
                });
            }
        };
        Ok(Self {
            chunks,
            device: name,
            dropped,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn find_device(wanted: &str) -> Result<cpal::Device, CaptureError> {
    let host = cpal::default_host();
    if wanted.is_empty() {
        return host.default_input_device().ok_or(CaptureError::NoDevice);
    }
    host.input_devices()
        .ok()
        .and_then(|mut all| all.find(|d| device_name(d) == wanted))
        .ok_or_else(|| CaptureError::NoSuchDevice(wanted.to_string()))
}

fn run(
    wanted: &str,
    tx: SyncSender<Vec<f32>>,
    ready: mpsc::Sender<Result<String, CaptureError>>,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
) {
    let opened = open_stream(wanted, tx, dropped, stop.clone());
    let stream = match opened {
        Ok((stream, name)) => {
            let _ = ready.send(Ok(name));
            stream
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stream);
}

fn open_stream(
    wanted: &str,
    tx: SyncSender<Vec<f32>>,
    dropped: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> Result<(cpal::Stream, String), CaptureError> {
    let device = find_device(wanted)?;
    let name = device_name(&device);
    let open_error = |reason: String| CaptureError::Open {
        device: name.clone(),
        reason,
    };
    let supported = match sixteen_k_mono(&device) {
        Some(config) => config,
        None => device
            .default_input_config()
            .map_err(|e| open_error(e.to_string()))?,
    };
    let format = supported.sample_format();
    let config: cpal::StreamConfig = supported.into();
    let channels = usize::from(config.channels.max(1));
    let mut to_16k = ToSixteen::new(config.sample_rate, tx, dropped, stop)
        .map_err(|e| open_error(e.to_string()))?;
    let on_error = |e: cpal::Error| tracing::warn!("audio input: {e}");
    let stream = match format {
        cpal::SampleFormat::F32 => device.build_input_stream(
            config,
            move |data: &[f32], _: &_| to_16k.push(data.chunks(channels).map(mean)),
            on_error,
            None,
        ),
        cpal::SampleFormat::I16 => device.build_input_stream(
            config,
            move |data: &[i16], _: &_| {
                to_16k.push(data.chunks(channels).map(|f| {
                    f.iter().map(|s| f32::from(*s) / 32768.0).sum::<f32>() / f.len() as f32
                }))
            },
            on_error,
            None,
        ),
        other => {
            return Err(open_error(format!(
                "sample format {other} is not supported"
            )))
        }
    }
    .map_err(|e| open_error(e.to_string()))?;
    stream.play().map_err(|e| open_error(e.to_string()))?;
    Ok((stream, name))
}

/// 16 kHz mono straight from the device when it offers it: no resampling, and byte-exact
/// input from file-backed devices.
fn sixteen_k_mono(device: &cpal::Device) -> Option<cpal::SupportedStreamConfig> {
    mono_at(device.supported_input_configs().ok()?, SAMPLE_RATE)
}

/// A mono 16-bit (else float) configuration at `rate` among the device's `ranges`.
pub(crate) fn mono_at(
    ranges: impl Iterator<Item = cpal::SupportedStreamConfigRange>,
    rate: u32,
) -> Option<cpal::SupportedStreamConfig> {
    let ranges: Vec<_> = ranges.collect();
    [cpal::SampleFormat::I16, cpal::SampleFormat::F32]
        .into_iter()
        .find_map(|format| {
            ranges.iter().find(|r| {
                r.channels() == 1
                    && r.sample_format() == format
                    && r.min_sample_rate() <= rate
                    && r.max_sample_rate() >= rate
            })
        })
        .map(|r| r.with_sample_rate(rate))
}

fn mean(frame: &[f32]) -> f32 {
    frame.iter().sum::<f32>() / frame.len() as f32
}

/// Mono samples at the device rate in, 16 kHz chunks out.
struct ToSixteen {
    resampler: Option<FftFixedIn<f32>>,
    pending: Vec<f32>,
    tx: SyncSender<Vec<f32>>,
    dropped: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

/// Device-rate samples per resampler call (about 20 ms at 48 kHz).
const RESAMPLE_CHUNK: usize = 960;

impl ToSixteen {
    fn new(
        rate: u32,
        tx: SyncSender<Vec<f32>>,
        dropped: Arc<AtomicU64>,
        stop: Arc<AtomicBool>,
    ) -> Result<Self, rubato::ResamplerConstructionError> {
        let resampler = if rate == SAMPLE_RATE {
            None
        } else {
            Some(FftFixedIn::new(
                rate as usize,
                SAMPLE_RATE as usize,
                RESAMPLE_CHUNK,
                1,
                1,
            )?)
        };
        Ok(Self {
            resampler,
            pending: Vec::new(),
            tx,
            dropped,
            stop,
        })
    }

    fn push(&mut self, samples: impl Iterator<Item = f32>) {
        self.pending.extend(samples);
        match &mut self.resampler {
            None => {
                let chunk = std::mem::take(&mut self.pending);
                self.send(chunk);
            }
            Some(resampler) => {
                let mut out = Vec::new();
                while self.pending.len() >= resampler.input_frames_next() {
                    let n = resampler.input_frames_next();
                    if let Ok(mut resampled) = resampler.process(&[&self.pending[..n]], None) {
                        out.append(&mut resampled[0]);
                    }
                    self.pending.drain(..n);
                }
                if !out.is_empty() {
                    self.send(out);
                }
            }
        }
    }

    /// Waits a little for a listener that fell behind (a file-backed device delivers audio
    /// faster than real time) instead of losing words; drops only after [`MAX_WAIT`].
    fn send(&self, mut chunk: Vec<f32>) {
        if chunk.is_empty() {
            return;
        }
        let started = std::time::Instant::now();
        loop {
            match self.tx.try_send(chunk) {
                Ok(()) => return,
                Err(mpsc::TrySendError::Disconnected(_)) => return,
                Err(mpsc::TrySendError::Full(back)) => {
                    if self.stop.load(Ordering::Relaxed) || started.elapsed() > MAX_WAIT {
                        self.dropped.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    chunk = back;
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
    }
}
