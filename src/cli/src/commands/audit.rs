//! `roxyctl audit tail|search|export`.

use crate::output::{self, Output};
use roxy_ipc::i18n::gettext;
use roxy_ipc::{AuditEntry, Client};
use std::process::ExitCode;

pub async fn show(out: Output, search: &str, limit: u32) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let entries = client.daemon().await?.audit(search, limit).await?;
    out.emit(&entries, || table(&entries));
    Ok(ExitCode::SUCCESS)
}

/// Every entry, one JSON object per line.
pub async fn export() -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    for entry in client.daemon().await?.audit("", 100_000).await? {
        crate::output::line(&serde_json::to_string(&entry)?);
    }
    Ok(ExitCode::SUCCESS)
}

fn table(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return gettext("The audit log has no matching entries.");
    }
    entries
        .iter()
        .map(|e| {
            let mut line = format!(
                "{}  {}  {} {} → {}",
                output::timestamp(e.at),
                e.actor,
                e.action,
                e.target,
                e.result
            );
            if !e.detail.is_empty() {
                line.push_str(&format!(" ({})", e.detail));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
