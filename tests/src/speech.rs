//! Speech for the voice tests and benchmark: espeak-ng's voice, made into what roxyd's
//! microphone delivers (16 kHz mono s16le), with quiet around it like a person leaves.

use std::path::Path;
use std::process::Command;

/// The sox arguments for 16 kHz mono signed 16-bit samples.
pub const RAW_16K: [&str; 10] = [
    "-r",
    "16000",
    "-c",
    "1",
    "-b",
    "16",
    "-e",
    "signed-integer",
    "-t",
    "raw",
];

/// Speaks `text` with espeak-ng `voice` at `speed` words a minute into `raw`, with half a
/// second of quiet before and `quiet_after` seconds after.
pub fn speak_raw(text: &str, voice: &str, speed: u32, quiet_after: f32, raw: &Path) {
    let wav = raw.with_extension("wav");
    let ok = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &speed.to_string(), "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .expect("espeak-ng runs (apt-get install espeak-ng)");
    assert!(ok.success(), "espeak-ng failed on {text:?}");
    sox(
        &[wav.as_os_str()],
        raw,
        &["pad", "0.5", &quiet_after.to_string()],
    );
}

/// Runs sox from `inputs` to raw 16 kHz `raw` with `effects`.
pub fn sox(inputs: &[&std::ffi::OsStr], raw: &Path, effects: &[&str]) {
    let ok = Command::new("sox")
        .args(inputs)
        .args(RAW_16K)
        .arg(raw)
        .args(effects)
        .status()
        .expect("sox runs (apt-get install sox)");
    assert!(ok.success(), "sox failed writing {}", raw.display());
}

/// Converts raw mono samples at `rate` (`bits` wide, sox `encoding`: "signed-integer" or
/// "floating-point") into raw 16 kHz `out`, with `effects`.
pub fn raw_to_16k(
    input: &Path,
    rate: u32,
    bits: u32,
    encoding: &str,
    out: &Path,
    effects: &[&str],
) {
    let (rate, bits) = (rate.to_string(), bits.to_string());
    let ok = Command::new("sox")
        .args([
            "-r", &rate, "-c", "1", "-b", &bits, "-e", encoding, "-t", "raw",
        ])
        .arg(input)
        .args(RAW_16K)
        .arg(out)
        .args(effects)
        .status()
        .expect("sox runs (apt-get install sox)");
    assert!(ok.success(), "sox failed converting {}", input.display());
}

/// Raw 16 kHz s16le samples as `f32` in -1..=1.
pub fn read_raw(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

/// `text` said by a Piper voice, as the microphone would deliver it (16 kHz), with half a
/// second of quiet before and 1.5 s after; `dir` holds the intermediate files.
pub fn piper_clip(voice: &roxy_voice::Voice, dir: &Path, text: &str) -> Vec<f32> {
    let samples = voice.synthesize(text).expect("the Piper voice speaks");
    let raw = dir.join("piper.f32");
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    std::fs::write(&raw, bytes).expect("a writable scratch folder");
    let out = dir.join("piper16k.raw");
    raw_to_16k(
        &raw,
        voice.sample_rate,
        32,
        "floating-point",
        &out,
        &["pad", "0.5", "1.5"],
    );
    read_raw(&out)
}
