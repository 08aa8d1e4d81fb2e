//! `roxyctl ndi …`: NDI sources found over mDNS by roxyd, and why none might show up.

use crate::output::Output;
use clap::Subcommand;
use roxy_ipc::i18n::gettext;
use roxy_ipc::Client;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum NdiCommand {
    /// NDI sources announced on the network (mDNS, no NDI SDK needed)
    Sources {
        /// Wait this long for answers first
        #[arg(long, default_value_t = 2)]
        wait: u64,
    },
    /// Why NDI sources might not show up
    Diagnose,
}

pub async fn run(out: Output, command: NdiCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let obs = client.broadcast().await?;
    match command {
        NdiCommand::Sources { wait } => {
            // The first call starts browsing; answers arrive within a second or two.
            obs.ndi_sources().await?;
            tokio::time::sleep(Duration::from_secs(wait.min(30))).await;
            let sources = obs.ndi_sources().await?;
            out.emit(&sources, || {
                if sources.is_empty() {
                    return gettext("No NDI sources found. “roxyctl ndi diagnose” says why.");
                }
                sources
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}:{}  {}",
                            s.name,
                            s.host,
                            s.port,
                            s.addresses.join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        NdiCommand::Diagnose => {
            let findings = obs.ndi_diagnose().await?;
            out.emit(&findings, || {
                findings
                    .iter()
                    .map(|f| {
                        let mark = match f.level.as_str() {
                            "ok" => "✓",
                            "warning" => "!",
                            _ => "✗",
                        };
                        format!("{mark} {}: {}", f.title, f.detail)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
