//! The microphone side of the listening loop, on its own thread: capture → segmenter →
//! utterances handed to the async side. In push-to-talk it takes one sentence and closes the
//! microphone; in wake mode it stays open.

use roxy_voice::{Capture, Segmenter, SegmenterEvent, SegmenterSettings};
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
    Utterance {
        audio: Vec<f32>,
        /// When the segmenter decided speech was over.
        detected: Instant,
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
        tx: UnboundedSender<MicEvent>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("roxy-listener".into())
                .spawn(move || run(&device, push_to_talk, settings, &stop, &tx))?
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

fn run(
    device: &str,
    push_to_talk: bool,
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
    tracing::info!(device = %capture.device, push_to_talk, "microphone open");
    let mut segmenter = Segmenter::new(settings);
    let opened = Instant::now();
    let mut speaking = false;
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
                    MicEvent::Utterance {
                        audio,
                        detected: Instant::now(),
                    }
                }
                SegmenterEvent::Discarded => {
                    speaking = false;
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
