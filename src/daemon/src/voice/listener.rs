//! The microphone side of the listening loop, on its own thread: capture → segmenter (and the
//! wake-word detector, in wake mode) → utterances handed to the async side. In push-to-talk it
//! takes one sentence and closes the microphone; in wake mode it stays open.

use roxy_voice::{Capture, Segmenter, SegmenterEvent, SegmenterSettings, WakeDetector};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// Push-to-talk gives up when nobody starts speaking within this time.
const PTT_WAIT_FOR_SPEECH: Duration = Duration::from_secs(8);

#[derive(Debug)]
pub enum MicEvent {
    Level(f32),
    SpeechStarted,
    /// The wake-word detector heard the phrase.
    Woke {
        score: f32,
    },
    Utterance {
        audio: Vec<f32>,
        /// When the segmenter decided speech was over.
        detected: Instant,
        /// The wake phrase was heard in it (or just before it began).
        woken: bool,
    },
    /// Push-to-talk heard nothing; or the microphone failed (with the reason).
    NoSpeech,
    Failed(String),
    Closed,
}

pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub push_to_talk: bool,
}

impl Listener {
    pub fn start(
        device: String,
        push_to_talk: bool,
        settings: SegmenterSettings,
        detector: Option<WakeDetector>,
        tx: UnboundedSender<MicEvent>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("roxy-listener".into())
                .spawn(move || {
                    let mode = Mode {
                        push_to_talk,
                        detector,
                    };
                    run(&device, mode, settings, &stop, &tx)
                })?
        };
        Ok(Self {
            stop,
            thread: Some(thread),
            push_to_talk,
        })
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A wake phrase heard while nobody seemed to speak still counts for a sentence starting
/// this soon after.
const WOKEN_LINGERS: Duration = Duration::from_secs(3);

struct Mode {
    push_to_talk: bool,
    detector: Option<WakeDetector>,
}

fn run(
    device: &str,
    mode: Mode,
    settings: SegmenterSettings,
    stop: &AtomicBool,
    tx: &UnboundedSender<MicEvent>,
) {
    let capture = match Capture::open(device) {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(MicEvent::Failed(e.to_string()));
            return;
        }
    };
    let Mode {
        push_to_talk,
        mut detector,
    } = mode;
    tracing::info!(device = %capture.device, push_to_talk, wake_word = detector.is_some(), "microphone open");
    let mut segmenter = Segmenter::new(settings);
    let opened = Instant::now();
    let mut speaking = false;
    let mut woken_at: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let chunk = match capture.chunks.recv_timeout(Duration::from_millis(100)) {
            Ok(chunk) => chunk,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if push_to_talk && !speaking && opened.elapsed() > PTT_WAIT_FOR_SPEECH {
                    let _ = tx.send(MicEvent::NoSpeech);
                    break;
                }
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                let _ = tx.send(MicEvent::Failed(
                    "the microphone stopped delivering audio".into(),
                ));
                break;
            }
        };
        if let Some(hit) = detector.as_mut().and_then(|d| d.push(&chunk)) {
            woken_at = Some(Instant::now());
            if tx.send(MicEvent::Woke { score: hit.score }).is_err() {
                return;
            }
        }
        let mut done = false;
        for event in segmenter.push(&chunk) {
            let message = match event {
                SegmenterEvent::Level(db) => MicEvent::Level(db),
                SegmenterEvent::SpeechStarted => {
                    speaking = true;
                    MicEvent::SpeechStarted
                }
                SegmenterEvent::Utterance { audio, .. } => {
                    speaking = false;
                    done = push_to_talk;
                    let seconds = audio.len() as f32 / roxy_voice::SAMPLE_RATE as f32;
                    let began = Duration::from_secs_f32(seconds) + WOKEN_LINGERS;
                    MicEvent::Utterance {
                        audio,
                        detected: Instant::now(),
                        woken: woken_at.take().is_some_and(|t| t.elapsed() < began),
                    }
                }
                SegmenterEvent::Discarded => {
                    speaking = false;
                    if woken_at.is_some_and(|t| t.elapsed() > WOKEN_LINGERS) {
                        woken_at = None;
                    }
                    continue;
                }
            };
            if tx.send(message).is_err() {
                return;
            }
            if done {
                break;
            }
        }
        if done {
            break;
        }
        if push_to_talk && !speaking && opened.elapsed() > PTT_WAIT_FOR_SPEECH {
            let _ = tx.send(MicEvent::NoSpeech);
            break;
        }
    }
    let dropped = capture.dropped.load(Ordering::Relaxed);
    if dropped > 0 {
        tracing::warn!(dropped, "audio chunks dropped while the listener was busy");
    }
    let _ = tx.send(MicEvent::Closed);
}
