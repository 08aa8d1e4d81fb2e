//! Voice, measured on synthesized speech (espeak-ng, two voices and speeds): 24 command clips
//! and 10 minutes of conversation and noise that are not commands. Through roxy-voice's own
//! segmenter and whisper.cpp (the model `build-aux/whisper-model.sh` makes) and roxy-core's
//! matcher, as roxyd runs them. The baseline is whisper.cpp's own CLI (`whisper-model.sh
//! --cli`) on the same model and the same cut utterances, in the same run.
//!
//! Tuning set: the clips marked `tuned` were used while choosing the prompt and thresholds;
//! the others were not looked at before this benchmark and are reported separately. The wake
//! word's threshold was chosen from this benchmark's scores (all clips); its reference is made
//! from other espeak-ng voices than the clips use (`tests/examples/wake_reference.rs`).
//! TTS: the Piper voice from `build-aux/fetch-tts.sh`. `ROXY_BENCH_QUICK=1` measures the wake
//! word and TTS only.

use roxy_core::voice::{
    normalize, strip_wake_phrase, Decision, IntentSet, Matcher, SlotKind, Vocabulary,
};
use roxy_tests::speech;
use roxy_voice::wakeword::DEFAULT_SENSITIVITY;
use roxy_voice::{
    Decoding, Segmenter, SegmenterEvent, SegmenterSettings, Transcriber, WakeDetector,
    WakeReference,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// (sentence, expected intent, tuned?)
const COMMANDS: &[(&str, &str, bool)] = &[
    ("hey roxy, switch to scene live", "scene", true),
    ("hey roxy, start recording", "record-start", true),
    ("hey roxy, stop recording", "record-stop", true),
    ("hey roxy, switch to scene intro", "scene", false),
    ("hey roxy, go to scene gaming", "scene", false),
    ("hey roxy, start streaming", "stream-start", false),
    ("hey roxy, stop the stream", "stream-stop", false),
    ("hey roxy, mute music", "mute", false),
    ("hey roxy, unmute the music", "unmute", false),
    ("hey roxy, run runbook nightly backup", "runbook", false),
    ("hey roxy, what's the status", "status", false),
    ("hey roxy, save the replay", "replay", false),
];
const VOICES: &[(&str, u32)] = &[("en-us", 160), ("en-gb", 140)];

const CONVERSATION: &[&str] = &[
    "So the invoice for the March project went out on Tuesday, and I think the client will pay it by the end of the month.",
    "Hey Rocky, did you see the game last night? It went into overtime and nobody could believe the final score.",
    "The backup server in the closet has been making a strange noise, so I will order a new fan for it this week.",
    "Let us switch the meeting to Thursday afternoon, because the morning is already full with calls.",
    "I recorded a short video about the new camera, but the sound was not great, so I will do it again.",
    "The coffee machine is broken again. We should really buy a better one for the studio.",
    "Can you send me the list of contacts from the trade fair? I want to call a few of them tomorrow.",
    "The weather was lovely this weekend, we went hiking in the hills and had lunch by the lake.",
    "My brother says the new graphics card is fast, but it uses a lot of power and gets very hot.",
    "We need to update the website before the launch, the prices on the shop page are still the old ones.",
    "Last night the stream had a few dropped frames, probably because the upload was busy with the backup.",
    "Roxanne called about the contract, she wants to change the delivery date to next Friday.",
];
/// Minutes of non-command audio.
const NON_COMMAND_MINUTES: f64 = 10.0;

fn cache() -> PathBuf {
    std::env::var_os("ROXY_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/roxy"))
}

fn speak(
    dir: &Path,
    name: &str,
    text: &str,
    voice: &str,
    speed: u32,
    quiet_after: f32,
) -> Vec<f32> {
    let raw = dir.join(format!("{name}.raw"));
    speech::speak_raw(text, voice, speed, quiet_after, &raw);
    speech::read_raw(&raw)
}

/// Pink noise at a modest level, `seconds` long.
fn noise(dir: &Path, seconds: f64) -> Vec<f32> {
    let raw = dir.join("noise.raw");
    let length = seconds.to_string();
    speech::sox(
        &["-n".as_ref()],
        &raw,
        &["synth", &length, "pinknoise", "vol", "0.05"],
    );
    speech::read_raw(&raw)
}

fn utterances(audio: &[f32]) -> Vec<Vec<f32>> {
    let mut segmenter = Segmenter::new(SegmenterSettings::default());
    let mut out = Vec::new();
    for chunk in audio.chunks(320) {
        for event in segmenter.push(chunk) {
            if let SegmenterEvent::Utterance { audio, .. } = event {
                out.push(audio);
            }
        }
    }
    out
}

fn cpu_time() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// whisper-cli on one utterance: (text, ms of work without model loading).
fn whisper_cli(cli: &Path, model: &Path, dir: &Path, audio: &[f32]) -> (String, f64) {
    let raw = dir.join("cli.raw");
    let bytes: Vec<u8> = audio
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes())
        .collect();
    std::fs::write(&raw, bytes).unwrap();
    let wav = dir.join("cli.wav");
    assert!(Command::new("sox")
        .args([
            "-t",
            "raw",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed-integer"
        ])
        .arg(&raw)
        .arg(&wav)
        .status()
        .unwrap()
        .success());
    let out = Command::new(cli)
        .arg("-m")
        .arg(model)
        .arg("-f")
        .arg(&wav)
        .args(["-t", "2", "-nt", "-l", "en"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let log = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| {
        log.lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.split('=').nth(1))
            .and_then(|v| v.trim().trim_end_matches("ms").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (text, field("total time") - field("load time"))
}

/// Non-command audio: conversation and noise, about ten minutes.
fn background(dir: &Path) -> Vec<f32> {
    let mut background = Vec::new();
    let mut n = 0;
    while (background.len() as f64) < NON_COMMAND_MINUTES * 60.0 * 16_000.0 * 0.85 {
        let text = CONVERSATION[n % CONVERSATION.len()];
        let (voice, speed) = VOICES[n % VOICES.len()];
        background.extend(speak(dir, "talk", text, voice, speed, 1.0));
        n += 1;
    }
    let rest = NON_COMMAND_MINUTES * 60.0 - background.len() as f64 / 16_000.0;
    background.extend(noise(dir, rest.max(1.0)));
    background
}

/// The wake-word detector with the shipped reference, as roxyd runs it.
struct WakeStats {
    threshold: f32,
    hits: usize,
    clips: usize,
    false_alarms: usize,
    background_s: f64,
    cpu_s: f64,
    /// (best score, clip) of the commands it missed, and the lowest non-command scores.
    missed: Vec<(f32, usize)>,
    closest_others: Vec<f32>,
    /// A different synthesizer (Piper): (commands woken, commands, near misses woken,
    /// near misses).
    piper: Option<(usize, usize, usize, usize)>,
    /// Command clips' best scores, lowest first.
    command_scores: Vec<f32>,
}

impl WakeStats {
    fn print(&self) {
        println!(
            "\n| wake word (shipped reference, sensitivity {DEFAULT_SENSITIVITY}, threshold {:.2}) | value |",
            self.threshold
        );
        println!("|---|---|");
        println!("| command clips woken | {} of {} |", self.hits, self.clips);
        println!(
            "| false wakes in {:.1} min of non-command audio | {} |",
            self.background_s / 60.0,
            self.false_alarms
        );
        println!(
            "| detector CPU per second of audio (share of one core) | {:.3} % |",
            self.cpu_s / self.background_s * 100.0
        );
        if let Some((hits, commands, false_wakes, near)) = self.piper {
            println!(
                "| Piper voice (not the reference's synthesizer): command clips woken | {hits} of {commands} |"
            );
            println!("| Piper voice: near misses (“hey Rocky”, “hey Roxanne”…) woken | {false_wakes} of {near} |");
        }
        for (score, clip) in &self.missed {
            println!("  missed command clip {clip}: best score {score:.2}");
        }
        println!(
            "  lowest non-command sentence scores: {:.2?}",
            self.closest_others
        );
        println!("  command clip scores: {:.2?}", self.command_scores);
    }
}

/// Distractors for the wake word, said by the Piper voice.
const NEAR_MISSES: &[&str] = &[
    "Hey Rocky, start recording.",
    "Hey Roxanne, how are you?",
    "Hey, box it up for me.",
    "Okay, switch the lights off.",
];

/// The Piper voice, if fetched (`build-aux/fetch-tts.sh`).
fn piper() -> Option<roxy_voice::Voice> {
    let dir = std::env::var_os("ROXY_TTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("tts"));
    roxy_voice::tts::load_runtime(&dir.join("onnxruntime/libonnxruntime.so")).ok()?;
    roxy_voice::Voice::load(&dir.join("models/piper/en_US-joe-medium.onnx")).ok()
}

/// Hits among clips, each through a fresh detector.
fn woken(reference: &WakeReference, clips: &[Vec<f32>]) -> usize {
    clips
        .iter()
        .filter(|clip| {
            let mut detector = WakeDetector::new(reference, DEFAULT_SENSITIVITY);
            clip.chunks(320).any(|c| detector.push(c).is_some())
        })
        .count()
}

fn wake_word(clips: &[Vec<f32>], background: &[f32]) -> WakeStats {
    let reference = WakeReference::parse(
        "hey-roxy.wake.json",
        include_str!("../../data/voice/hey-roxy.wake.json"),
    )
    .unwrap();
    let mut hits = 0;
    let mut missed = Vec::new();
    let mut command_scores = Vec::new();
    for (i, clip) in clips.iter().enumerate() {
        let mut detector = WakeDetector::new(&reference, DEFAULT_SENSITIVITY);
        let score = reference.best_score(clip);
        command_scores.push(score);
        if clip.chunks(320).any(|c| detector.push(c).is_some()) {
            hits += 1;
        } else {
            missed.push((score, i));
        }
    }
    command_scores.sort_by(f32::total_cmp);
    let mut detector = WakeDetector::new(&reference, DEFAULT_SENSITIVITY);
    let cpu_before = cpu_time();
    let false_alarms = background
        .chunks(320)
        .filter(|c| detector.push(c).is_some())
        .count();
    let cpu_s = (cpu_time() - cpu_before).as_secs_f64();
    let mut closest_others: Vec<f32> = utterances(background)
        .iter()
        .map(|u| reference.best_score(u))
        .collect();
    closest_others.sort_by(f32::total_cmp);
    closest_others.truncate(5);
    let piper = piper().map(|voice| {
        let dir = tempfile::tempdir().unwrap();
        let commands: Vec<Vec<f32>> = COMMANDS
            .iter()
            .map(|(sentence, ..)| speech::piper_clip(&voice, dir.path(), sentence))
            .collect();
        let near: Vec<Vec<f32>> = NEAR_MISSES
            .iter()
            .map(|sentence| speech::piper_clip(&voice, dir.path(), sentence))
            .collect();
        let scores = |clips: &[Vec<f32>]| -> Vec<String> {
            clips
                .iter()
                .map(|c| format!("{:.2}", reference.best_score(c)))
                .collect()
        };
        println!("  Piper command clip scores: {:?}", scores(&commands));
        println!(
            "  Piper near-miss scores {NEAR_MISSES:?}: {:?}",
            scores(&near)
        );
        (
            woken(&reference, &commands),
            commands.len(),
            woken(&reference, &near),
            near.len(),
        )
    });
    WakeStats {
        threshold: detector.threshold(),
        hits,
        clips: clips.len(),
        false_alarms,
        background_s: background.len() as f64 / 16_000.0,
        cpu_s,
        missed,
        closest_others,
        command_scores,
        piper,
    }
}

/// Replies as roxyd says them, long ones included (a status report).
const REPLIES: &[&str] = &[
    "Switched to Live.",
    "Recording started.",
    "Did you mean “switch to scene Gaming”?",
    "OBS is connected, recording, not streaming. Two runbooks ran today. Nothing needs you.",
    "Started the runbook Nightly backup. It needs an approval before the restore step, from a click or roxyctl.",
];

/// TTS time to first audio: roxyd speaks a sentence at a time, so the first sound waits only
/// for the first sentence; the baseline synthesizes the whole reply at once (piper-rs' own
/// way), in the same run.
fn spoken_replies() {
    let dir = std::env::var_os("ROXY_TTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("tts"));
    let model = dir.join("models/piper/en_US-joe-medium.onnx");
    if roxy_voice::tts::load_runtime(&dir.join("onnxruntime/libonnxruntime.so")).is_err()
        || !model.is_file()
    {
        println!(
            "\nTTS: not measured — run build-aux/fetch-tts.sh {}",
            dir.display()
        );
        return;
    }
    let started = Instant::now();
    let voice = roxy_voice::Voice::load(&model).unwrap();
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let _ = voice.synthesize("Warm up.");
    let (mut first, mut whole, mut audio_s) = (Vec::new(), Vec::new(), 0.0);
    for _ in 0..3 {
        for reply in REPLIES {
            let started = Instant::now();
            let sentences = roxy_voice::tts::sentences(reply);
            let _ = voice.synthesize(&sentences[0]).unwrap();
            first.push(started.elapsed().as_secs_f64() * 1e3);
            let started = Instant::now();
            let samples = voice.synthesize(reply).unwrap();
            whole.push(started.elapsed().as_secs_f64() * 1e3);
            audio_s += samples.len() as f64 / f64::from(voice.sample_rate);
        }
    }
    first.sort_by(f64::total_cmp);
    whole.sort_by(f64::total_cmp);
    let sum: f64 = whole.iter().sum();
    println!(
        "\n| TTS, Piper joe-medium, {} replies × 3 | roxy (sentence first) | whole reply at once | ratio |",
        REPLIES.len()
    );
    println!("|---|---|---|---|");
    for (label, p) in [("p50", 0.5), ("p95", 0.95)] {
        println!(
            "| time to first audio {label} ms | {:.0} | {:.0} | {:.2} |",
            percentile(&first, p),
            percentile(&whole, p),
            percentile(&first, p) / percentile(&whole, p).max(1e-9)
        );
    }
    println!(
        "| real-time factor (work / audio) | | {:.3} | |",
        sum / 1e3 / audio_s
    );
    println!("| voice load ms | {load_ms:.0} | | |");
}

/// One command clip's outcome.
/// A second, slower decoding of a clip the quick pass left unsure about.
struct SecondTry {
    /// The right intent would be acted on.
    right: bool,
    /// Another intent would be acted on.
    wrong: bool,
    ms: f64,
}

const SECOND_OPINIONS: [(Decoding, &str); 3] = [
    (
        Decoding {
            beam_search: true,
            full_window: false,
        },
        "beam 5 over the clip",
    ),
    (
        Decoding {
            beam_search: false,
            full_window: true,
        },
        "greedy over 30 s",
    ),
    (Decoding::THOROUGH, "beam 5 over 30 s"),
];

struct Row {
    tuned: bool,
    /// The wake phrase was in the transcript.
    woke: bool,
    /// The right intent was acted on.
    right: bool,
    line: String,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let model = std::env::var_os("ROXY_WHISPER_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("models/whisper/ggml-tiny.en.bin"));
    let cli = cache().join("whisper-cli/whisper-cli");
    let dir = tempfile::tempdir().unwrap();
    let intents = IntentSet::parse(
        Path::new("intents.yaml"),
        include_str!("../../data/voice/intents.yaml"),
    )
    .unwrap();
    let mut vocabulary = Vocabulary::default();
    vocabulary.set(
        SlotKind::Scene,
        vec!["Intro".into(), "Live".into(), "BRB".into(), "Gaming".into()],
    );
    vocabulary.set(SlotKind::Input, vec!["Music".into(), "Mic/Aux".into()]);
    vocabulary.set(
        SlotKind::Runbook,
        vec!["Nightly backup".into(), "Studio warm-up".into()],
    );
    let words: Vec<&str> = vocabulary.prompt_words().collect();
    let matcher = Matcher::new(&intents, &vocabulary);
    let stt = Transcriber::load(&model).expect("the whisper model (build-aux/whisper-model.sh)");

    let clips: Vec<Vec<f32>> = COMMANDS
        .iter()
        .enumerate()
        .flat_map(|(i, (sentence, ..))| {
            let dir = dir.path();
            VOICES.iter().enumerate().map(move |(v, (voice, speed))| {
                speak(dir, &format!("c{i}v{v}"), sentence, voice, *speed, 1.5)
            })
        })
        .collect();
    let background = background(dir.path());
    let wake = wake_word(&clips, &background);
    // The wake word and TTS alone, without speech-to-text's minutes.
    if std::env::var_os("ROXY_BENCH_QUICK").is_some() {
        wake.print();
        spoken_replies();
        return;
    }

    // Commands.
    let mut rows = Vec::new();
    let (mut roxy_ms, mut cli_ms, mut audio_s) = (Vec::new(), Vec::new(), 0.0);
    let mut decided_ms = Vec::new();
    let mut second_tries: [Vec<SecondTry>; 3] = Default::default();
    for (i, (sentence, intent, tuned)) in COMMANDS.iter().enumerate() {
        for (v, (voice, _)) in VOICES.iter().enumerate() {
            let cut = utterances(&clips[i * VOICES.len() + v]);
            let Some(utterance) = cut.into_iter().max_by_key(|u| u.len()) else {
                rows.push(Row {
                    tuned: *tuned,
                    woke: false,
                    right: false,
                    line: format!("{sentence} [{voice}]: no speech found"),
                });
                continue;
            };
            let seconds = utterance.len() as f64 / 16_000.0;
            let started = Instant::now();
            let t = stt.transcribe(&utterance, &words).unwrap();
            let best = matcher.best(&t.text);
            let ms = started.elapsed().as_secs_f64() * 1e3;
            // The segmenter waited this long after the last word before cutting.
            decided_ms.push(ms + f64::from(SegmenterSettings::default().end_silence_ms));
            roxy_ms.push(t.took.as_secs_f64() * 1e3);
            audio_s += seconds;
            let woke = {
                let w = normalize(&t.text);
                strip_wake_phrase(&w).len() < w.len()
            };
            let right = best
                .as_ref()
                .is_some_and(|m| m.intent == *intent && m.decision() == Decision::Act);
            let mut second_texts = String::new();
            if best.as_ref().is_none_or(|m| m.decision() != Decision::Act) {
                for (k, (decoding, _)) in SECOND_OPINIONS.iter().enumerate() {
                    let started = Instant::now();
                    let second = stt.transcribe_with(&utterance, &words, *decoding).unwrap();
                    let ms = started.elapsed().as_secs_f64() * 1e3;
                    let acts = matcher
                        .best(&second.text)
                        .filter(|m| m.decision() == Decision::Act);
                    let right = acts.as_ref().is_some_and(|m| m.intent == *intent);
                    second_texts.push_str(&format!(" | {:?}", second.text));
                    second_tries[k].push(SecondTry {
                        right,
                        wrong: acts.is_some() && !right,
                        ms,
                    });
                }
            }
            let (cli_text, cli_time) = if cli.is_file() {
                whisper_cli(&cli, &model, dir.path(), &utterance)
            } else {
                (String::from("(whisper-cli not built)"), 0.0)
            };
            cli_ms.push(cli_time);
            rows.push(Row {
                tuned: *tuned,
                woke,
                right,
                line: format!(
                    "{sentence} [{voice}] → {:?} | cli {:?}{second_texts}",
                    t.text, cli_text
                ),
            });
        }
    }

    let background_s = background.len() as f64 / 16_000.0;
    let cpu_before = cpu_time();
    let mut false_alarms = 0;
    let mut second_false_alarms = [0; 3];
    let mut transcribed = 0;
    for utterance in utterances(&background) {
        transcribed += 1;
        let t = stt.transcribe(&utterance, &words).unwrap();
        let w = normalize(&t.text);
        let addressed = strip_wake_phrase(&w).len() < w.len();
        if addressed
            && matcher
                .best(&t.text)
                .is_some_and(|m| m.decision() == Decision::Act)
        {
            false_alarms += 1;
            println!("false alarm: {:?}", t.text);
        } else if addressed {
            // Addressed but unsure: the second opinion the daemon would ask for.
            for (k, (decoding, _)) in SECOND_OPINIONS.iter().enumerate() {
                let second = stt.transcribe_with(&utterance, &words, *decoding).unwrap();
                if matcher
                    .best(&second.text)
                    .is_some_and(|m| m.decision() == Decision::Act)
                {
                    second_false_alarms[k] += 1;
                    println!("false alarm of the second opinion: {:?}", second.text);
                }
            }
        }
    }
    let cpu = (cpu_time() - cpu_before).as_secs_f64();

    // The segmenter alone over the same audio: the cost of listening when nobody speaks to it.
    let cpu_before = cpu_time();
    let _ = utterances(&background);
    let segmenter_cpu = (cpu_time() - cpu_before).as_secs_f64();

    println!("\nClips (✓ = right intent acted on; W = wake phrase heard):");
    for r in &rows {
        println!(
            "  {} {} {} {}",
            if r.tuned { "tuned   " } else { "held-out" },
            if r.woke { "W" } else { "-" },
            if r.right { "✓" } else { "✗" },
            r.line
        );
    }
    let count = |tuned: bool, f: &dyn Fn(&Row) -> bool| {
        rows.iter().filter(|r| r.tuned == tuned && f(r)).count()
    };
    let total = |tuned: bool| rows.iter().filter(|r| r.tuned == tuned).count();
    let mut roxy_sorted = roxy_ms.clone();
    roxy_sorted.sort_by(f64::total_cmp);
    let mut cli_sorted = cli_ms.clone();
    cli_sorted.sort_by(f64::total_cmp);
    decided_ms.sort_by(f64::total_cmp);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    println!(
        "\n| voice, {} command clips, {:.0} s of speech | roxy | whisper-cli | ratio |",
        rows.len(),
        audio_s
    );
    println!("|---|---|---|---|");
    println!(
        "| STT p50 ms | {:.0} | {:.0} | {:.2} |",
        percentile(&roxy_sorted, 0.5),
        percentile(&cli_sorted, 0.5),
        percentile(&roxy_sorted, 0.5) / percentile(&cli_sorted, 0.5).max(1e-9)
    );
    println!(
        "| STT p95 ms | {:.0} | {:.0} | {:.2} |",
        percentile(&roxy_sorted, 0.95),
        percentile(&cli_sorted, 0.95),
        percentile(&roxy_sorted, 0.95) / percentile(&cli_sorted, 0.95).max(1e-9)
    );
    println!(
        "| real-time factor (work / audio) | {:.3} | {:.3} | {:.2} |",
        sum(&roxy_ms) / 1e3 / audio_s,
        sum(&cli_ms) / 1e3 / audio_s,
        sum(&roxy_ms) / sum(&cli_ms).max(1e-9)
    );
    println!(
        "| end of speech → intent decided p50 / p95 ms (400 ms of it waiting for silence) | {:.0} / {:.0} | | |",
        percentile(&decided_ms, 0.5),
        percentile(&decided_ms, 0.95)
    );
    for tuned in [true, false] {
        println!(
            "| {} clips: right intent / wake phrase heard | {} / {} of {} | | |",
            if tuned { "tuned" } else { "held-out" },
            count(tuned, &|r| r.right),
            count(tuned, &|r| r.woke),
            total(tuned)
        );
    }
    for (k, (_, label)) in SECOND_OPINIONS.iter().enumerate() {
        let tries = &second_tries[k];
        let mut ms: Vec<f64> = tries.iter().map(|t| t.ms).collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "| second opinion ({label}) on the {} unsure clips: right / wrong intent acted on, p50 ms, false alarms in non-command audio | {} / {} , {:.0} ms, {} | | |",
            tries.len(),
            tries.iter().filter(|t| t.right).count(),
            tries.iter().filter(|t| t.wrong).count(),
            percentile(&ms, 0.5),
            second_false_alarms[k]
        );
    }
    println!(
        "| non-command audio: {:.1} min, {} sentences transcribed, false alarms | {} | | |",
        background_s / 60.0,
        transcribed,
        false_alarms
    );
    println!(
        "| wake by transcript: CPU per second of audio (share of one core) | {:.1} % | | |",
        cpu / background_s * 100.0
    );
    println!(
        "| segmenter alone: CPU per second of audio | {:.3} % | | |",
        segmenter_cpu / background_s * 100.0
    );
    wake.print();
    spoken_replies();
}
