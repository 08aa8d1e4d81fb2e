//! `roxyctl voice …`: push-to-talk, typed sentences, how a sentence matches, intents, the log.

use crate::output::Output;
use clap::Subcommand;
use futures_util::StreamExt;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::voice::HeardInfo;
use roxy_ipc::Client;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// Listening state, model, device and intent coverage
    Status,
    /// Push-to-talk: listen for one sentence from the microphone and act on it
    Listen {
        /// Give up after this many seconds
        #[arg(long, default_value_t = 20)]
        timeout: u64,
    },
    /// Handle a typed sentence exactly as if it had been heard
    Say { sentence: String },
    /// Show which intent a sentence matches and why, without acting
    Test { sentence: String },
    /// The intents in use, problems in your intents file, and coverage
    Intents,
    /// What was heard and what came of it, newest first
    Log {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Listening mode: "off" (push-to-talk only) or "wake" (always listening for the wake word)
    Mode { mode: String },
    /// Input devices, the default first
    Devices,
    /// Choose the input device ("" for the default)
    Device { name: String },
    /// Drop a question roxyd asked back, and stop speaking
    Cancel,
    /// Say something with the reply voice (a test of spoken replies)
    Speak { text: String },
    /// Models: speech models, reply voices and wake words (list, install, use, remove)
    Models {
        #[command(subcommand)]
        command: Option<super::models::ModelsCommand>,
    },
    /// The wake word: status, training your own, sensitivity
    Wake {
        #[command(subcommand)]
        command: Option<super::wake::WakeCommand>,
    },
}

pub async fn run(out: Output, command: VoiceCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let voice = client.voice().await?;
    match command {
        VoiceCommand::Status => {
            let s = voice.status().await?;
            out.emit(&s, || {
                let mut lines = vec![
                    format!("{}: {}", gettext("State"), s.state),
                    format!("{}: {}", gettext("Mode"), s.mode),
                    format!(
                        "{}: {}",
                        gettext("Device"),
                        if s.device.is_empty() {
                            gettext("default input")
                        } else {
                            s.device.clone()
                        }
                    ),
                    format!(
                        "{}: {} ({})",
                        gettext("Speech model"),
                        if s.model.is_empty() {
                            gettext("none")
                        } else {
                            s.model.clone()
                        },
                        if s.model_ready {
                            gettext("loaded")
                        } else {
                            gettext("not loaded")
                        }
                    ),
                    format!(
                        "{}: {:.0} %",
                        gettext("Intent coverage"),
                        s.coverage * 100.0
                    ),
                ];
                if !s.pending_question.is_empty() {
                    lines.push(format!(
                        "{}: {}",
                        gettext("Waiting for an answer"),
                        s.pending_question
                    ));
                }
                lines.push(if s.speech_ready {
                    fill(&gettext("Spoken replies: {}"), &[&s.speech_voice])
                } else {
                    fill(&gettext("Spoken replies: off — {}"), &[&s.speech_message])
                });
                if !s.message.is_empty() {
                    lines.push(s.message.clone());
                }
                lines.join("\n")
            });
        }
        VoiceCommand::Listen { timeout } => {
            let mut heard = voice.receive_heard().await?;
            voice.listen().await?;
            eprintln!("{}", gettext("Listening…"));
            let entry =
                tokio::time::timeout(Duration::from_secs(timeout.clamp(1, 300)), heard.next())
                    .await;
            let Ok(Some(signal)) = entry else {
                eprintln!("{}", gettext("Nothing was heard."));
                return Ok(ExitCode::from(3));
            };
            let entry = signal.args()?.entry;
            return Ok(show_heard(&out, &entry));
        }
        VoiceCommand::Say { sentence } => {
            let entry = voice.say(&sentence).await?;
            return Ok(show_heard(&out, &entry));
        }
        VoiceCommand::Test { sentence } => {
            let matches = voice.test(&sentence).await?;
            out.emit(&matches, || {
                if matches.is_empty() {
                    return gettext(
                        "No intent can match (no words, or no live values for their slots).",
                    );
                }
                let mut text = Vec::new();
                for (i, m) in matches.iter().enumerate() {
                    let decision = match m.decision.as_str() {
                        "act" => gettext("would act"),
                        "ask" => gettext("would ask back"),
                        _ => gettext("no match"),
                    };
                    text.push(format!(
                        "{}. {} ({}) {:.2} — {}: “{}”",
                        i + 1,
                        m.intent,
                        m.action,
                        m.confidence,
                        decision,
                        m.restated
                    ));
                    if i == 0 {
                        text.extend(m.explanation.iter().map(|l| format!("     {l}")));
                    }
                }
                text.join("\n")
            });
        }
        VoiceCommand::Intents => {
            let info = voice.intents().await?;
            out.emit(&info, || {
                let mut text = vec![fill(&gettext("From {}"), &[&info.file])];
                for e in &info.errors {
                    text.push(format!("✗ {e}"));
                }
                for i in &info.intents {
                    text.push(format!("{}  → {}", i.id, i.action));
                    text.extend(i.patterns.iter().map(|p| format!("    “{p}”")));
                }
                text.push(format!(
                    "{}: {:.0} %",
                    gettext("Coverage of daemon actions"),
                    info.coverage * 100.0
                ));
                if !info.unreachable.is_empty() {
                    text.push(fill(
                        &gettext("Not reachable by voice: {}"),
                        &[&info.unreachable.join(", ")],
                    ));
                }
                text.join("\n")
            });
            if !info.errors.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        VoiceCommand::Log { limit } => {
            let entries = voice.log(limit).await?;
            out.emit(&entries, || {
                if entries.is_empty() {
                    return gettext("Nothing heard yet.");
                }
                entries
                    .iter()
                    .map(heard_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        VoiceCommand::Mode { mode } => voice.set_mode(&mode).await?,
        VoiceCommand::Devices => {
            let devices = voice.devices().await?;
            out.emit(&devices, || devices.join("\n"));
        }
        VoiceCommand::Device { name } => voice.set_device(&name).await?,
        VoiceCommand::Cancel => voice.cancel().await?,
        VoiceCommand::Speak { text } => {
            let (first_audio_ms, finished) = voice.speak(&text).await?;
            let result =
                serde_json::json!({"first_audio_ms": first_audio_ms, "finished": finished});
            out.emit(&result, || {
                if finished {
                    fill(
                        &gettext("Spoken; the first audio played after {} ms."),
                        &[&first_audio_ms],
                    )
                } else {
                    gettext("Stopped before the end.")
                }
            });
        }
        VoiceCommand::Models { command } => {
            let command = command.unwrap_or(super::models::ModelsCommand::List);
            return super::models::run(out, command).await;
        }
        VoiceCommand::Wake { command } => {
            let command = command.unwrap_or(super::wake::WakeCommand::Status);
            super::wake::run(&out, &voice, command).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn heard_line(e: &HeardInfo) -> String {
    let mut line = format!("[{}] {} “{}”", e.outcome, e.source, e.transcript);
    if !e.intent.is_empty() {
        line.push_str(&format!(" → {} ({:.2})", e.intent, e.confidence));
    }
    if !e.reply.is_empty() {
        line.push_str(&format!(" — {}", e.reply));
    }
    if e.total_ms > 0 && e.source == "microphone" {
        line.push_str(&format!(" [stt {} ms, total {} ms]", e.stt_ms, e.total_ms));
    }
    line
}

/// Prints what came of a sentence; the exit code says whether it was done (0), asked back
/// (4), not understood (3) or failed/refused (1).
fn show_heard(out: &Output, entry: &HeardInfo) -> ExitCode {
    out.emit(entry, || heard_line(entry));
    match entry.outcome.as_str() {
        "done" | "cancelled" => ExitCode::SUCCESS,
        "asked" => ExitCode::from(4),
        "no_match" => ExitCode::from(3),
        _ => ExitCode::FAILURE,
    }
}
