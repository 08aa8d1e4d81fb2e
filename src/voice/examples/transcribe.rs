//! Cuts a raw 16 kHz s16le mono file into utterances the way roxyd does and transcribes each:
//! `cargo run -p roxy-voice --example transcribe -- MODEL FILE.raw [VOCABULARY,…]`.

use roxy_voice::{Segmenter, SegmenterEvent, SegmenterSettings, Transcriber};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (model, file, vocabulary) = match &args[..] {
        [_, model, file] => (model, file, String::new()),
        [_, model, file, vocabulary] => (model, file, vocabulary.clone()),
        _ => {
            eprintln!("usage: transcribe MODEL FILE.raw [VOCABULARY,…]");
            std::process::exit(2);
        }
    };
    let vocabulary: Vec<&str> = vocabulary.split(',').filter(|w| !w.is_empty()).collect();
    let stt = Transcriber::load(model.as_ref()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let bytes = std::fs::read(file).expect("readable input");
    let samples: Vec<f32> = bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    let mut segmenter = Segmenter::new(SegmenterSettings::default());
    for chunk in samples.chunks(320) {
        for event in segmenter.push(chunk) {
            if let SegmenterEvent::Utterance { audio, at_sample } = event {
                let t = stt.transcribe(&audio, &vocabulary).expect("transcribed");
                println!(
                    "{:>6.2} s  {:>5.2} s of audio  {:>5} ms  {:?}",
                    at_sample as f64 / 16_000.0,
                    audio.len() as f64 / 16_000.0,
                    t.took.as_millis(),
                    t.text
                );
            }
        }
    }
}
