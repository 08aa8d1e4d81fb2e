//! Makes the shipped wake-word reference, `data/voice/hey-roxy.wake.json`: "hey roxy" spoken
//! by six espeak-ng voices at different speeds and, so that it is not bound to one kind of
//! synthesizer, three readings by the Piper voice "joe". None of the espeak-ng voice/speed
//! pairs is used by the voice tests or the benchmark (they speak en-us at 160 and en-gb at 140
//! words a minute), so those measure recordings the reference has not seen; the Piper clips
//! of the benchmark are the same voice and so are not held out.
//!
//! `ROXY_TTS_DIR=… cargo run -p roxy-tests --example wake_reference -- data/voice/hey-roxy.wake.json`
//! (`ROXY_TTS_DIR` is what `build-aux/fetch-tts.sh DIR` made.)

use roxy_tests::speech;
use roxy_voice::WakeReference;
use std::path::PathBuf;

const RENDERINGS: &[(&str, u32)] = &[
    ("en-us+m3", 150),
    ("en-us+f2", 175),
    ("en-gb-x-rp", 150),
    ("en-029", 165),
    ("en-us-nyc+m1", 135),
    ("en-gb-scotland+f4", 160),
];

/// Punctuation changes Piper's prosody: three ways of saying it.
const PIPER_READINGS: &[&str] = &["Hey Roxy.", "Hey, Roxy!", "hey roxy,"];

fn main() -> anyhow::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: wake_reference OUT.json"))?;
    let dir = tempfile::tempdir()?;
    let mut samples: Vec<Vec<f32>> = RENDERINGS
        .iter()
        .enumerate()
        .map(|(i, (voice, speed))| {
            let raw = dir.path().join(format!("{i}.raw"));
            speech::speak_raw("hey roxy", voice, *speed, 0.5, &raw);
            speech::read_raw(&raw)
        })
        .collect();
    let tts = std::env::var_os("ROXY_TTS_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            anyhow::anyhow!("ROXY_TTS_DIR must name what build-aux/fetch-tts.sh made")
        })?;
    roxy_voice::tts::load_runtime(&tts.join("onnxruntime/libonnxruntime.so"))?;
    let joe = roxy_voice::Voice::load(&tts.join("models/piper/en_US-joe-medium.onnx"))?;
    for text in PIPER_READINGS {
        samples.push(speech::piper_clip(&joe, dir.path(), text));
    }
    let reference = WakeReference::from_samples("hey roxy", &samples)?;
    reference.save(&out)?;
    println!(
        "{}: {} recordings, typical score {:.3}",
        out.display(),
        reference.templates.len(),
        reference.typical_score
    );
    Ok(())
}
