//! `roxyctl voice models …`: speech models, reply voices and wake words — list, install from
//! a file or URL, choose, remove. Installing and choosing are jobs.

use super::db::start;
use crate::output::Output;
use clap::Subcommand;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

const KINDS: [&str; 3] = ["whisper", "piper", "wakeword"];

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Installed models of every kind; the one in use is marked
    List,
    /// Install a model from a file or an http(s) URL (a Piper voice's .onnx.json comes from
    /// beside it)
    Install {
        /// whisper (speech to text, ggml .bin), piper (spoken replies, .onnx) or wakeword (.json)
        #[arg(value_parser = KINDS)]
        kind: String,
        /// A file path or an http(s) URL
        source: String,
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
    /// Start using an installed model (it loads as a job)
    Use {
        #[arg(value_parser = KINDS)]
        kind: String,
        name: String,
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
    /// Delete an installed model
    Remove {
        #[arg(value_parser = KINDS)]
        kind: String,
        name: String,
    },
}

pub async fn run(out: Output, command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let voice = client.voice().await?;
    match command {
        ModelsCommand::List => {
            let models = voice.models().await?;
            out.emit(&models, || {
                models
                    .iter()
                    .map(|m| {
                        let size = if m.built_in {
                            gettext("built in")
                        } else {
                            fill(
                                &gettext("{} MB"),
                                &[&format!("{:.1}", m.bytes as f64 / 1e6)],
                            )
                        };
                        let mark = if m.in_use { "*" } else { " " };
                        format!("{mark} {:<9} {:<28} {size}", m.kind, m.name)
                    })
                    .chain([gettext("(* = in use)")])
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ModelsCommand::Install {
            kind,
            source,
            follow,
        } => {
            let source = absolute(&source)?;
            return start(&client, out, follow, || async {
                Ok(voice.install_model(&kind, &source).await?)
            })
            .await;
        }
        ModelsCommand::Use { kind, name, follow } => {
            return start(&client, out, follow, || async {
                Ok(voice.use_model(&kind, &name).await?)
            })
            .await;
        }
        ModelsCommand::Remove { kind, name } => {
            voice.remove_model(&kind, &name).await?;
            out.emit(&serde_json::json!({ "removed": name }), || {
                fill(&gettext("Removed {} “{}”."), &[&kind, &name])
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// roxyd has its own working directory: a relative path means the caller's.
fn absolute(source: &str) -> anyhow::Result<String> {
    if source.contains("://") || source.starts_with('/') {
        return Ok(source.to_string());
    }
    Ok(std::env::current_dir()?.join(source).display().to_string())
}
