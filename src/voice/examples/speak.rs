//! Speaks a sentence with a Piper voice: `speak DATA_DIR "text" [OUT.raw]`, where DATA_DIR
//! holds what `build-aux/fetch-tts.sh` unpacks. Prints the synthesis time; plays the speech,
//! or writes it (mono f32 little-endian at the voice's rate) to OUT.raw.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_default());
    let text = args.next().unwrap_or_else(|| "Hello from Roxy.".into());
    roxy_voice::tts::load_runtime(&dir.join("onnxruntime/libonnxruntime.so"))?;
    let started = Instant::now();
    let voice = roxy_voice::Voice::load(&dir.join("models/piper/en_US-joe-medium.onnx"))?;
    println!("voice loaded in {} ms", started.elapsed().as_millis());
    let started = Instant::now();
    let samples = voice.synthesize(&text)?;
    println!(
        "{:.2} s of speech in {} ms",
        samples.len() as f64 / f64::from(voice.sample_rate),
        started.elapsed().as_millis()
    );
    match args.next() {
        Some(out) => std::fs::write(
            out,
            samples
                .iter()
                .flat_map(|s| s.to_le_bytes())
                .collect::<Vec<u8>>(),
        )?,
        None => {
            let stop = std::sync::atomic::AtomicBool::new(false);
            roxy_voice::playback::play(samples, voice.sample_rate, &stop)?;
        }
    }
    Ok(())
}
