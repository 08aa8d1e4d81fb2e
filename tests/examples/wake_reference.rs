//! Makes the shipped wake-word reference, `data/voice/hey-roxy.wake.json`: "hey roxy" spoken
//! by six espeak-ng voices at different speeds. None of these voice/speed pairs is used by the
//! voice tests or the benchmark (they speak en-us at 160 and en-gb at 140 words a minute), so
//! those measure recordings the reference has not seen.
//!
//! `cargo run -p roxy-tests --example wake_reference -- data/voice/hey-roxy.wake.json`

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

fn main() -> anyhow::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: wake_reference OUT.json"))?;
    let dir = tempfile::tempdir()?;
    let samples: Vec<Vec<f32>> = RENDERINGS
        .iter()
        .enumerate()
        .map(|(i, (voice, speed))| {
            let raw = dir.path().join(format!("{i}.raw"));
            speech::speak_raw("hey roxy", voice, *speed, 0.5, &raw);
            speech::read_raw(&raw)
        })
        .collect();
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
