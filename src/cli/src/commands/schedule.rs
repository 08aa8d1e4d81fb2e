//! `roxyctl schedule …`.

use crate::output::{self, Output};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let schedules = client.runbooks().await?.list_schedules().await?;
    out.emit(&schedules, || {
        if schedules.is_empty() {
            return gettext(
                "No schedules. Add one with `roxyctl schedule add RUNBOOK --daily 07:30`.",
            );
        }
        schedules
            .iter()
            .map(|s| {
                let next = if s.paused {
                    gettext("paused")
                } else {
                    output::timestamp(s.next_fire_at)
                };
                format!(
                    "{:>4}  {:<16} {:<6} {:<16} {}: {}  {}: {}  ({})",
                    s.id,
                    s.runbook_id,
                    s.kind,
                    s.spec,
                    gettext("next"),
                    next,
                    gettext("last"),
                    output::timestamp(s.last_fire_at),
                    fill(&gettext("missed: {}"), &[&s.missed])
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn add(
    out: Output,
    runbook: &str,
    kind: &str,
    spec: &str,
    missed: &str,
) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let id = client
        .runbooks()
        .await?
        .add_schedule(runbook, kind, spec, missed)
        .await?;
    out.emit(&serde_json::json!({ "schedule": id }), || {
        fill(&gettext("Added schedule {}."), &[&id])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(out: Output, id: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.runbooks().await?.remove_schedule(id).await?;
    out.emit(&serde_json::json!({ "removed": id }), || {
        fill(&gettext("Removed schedule {}."), &[&id])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn pause(out: Output, id: u64, paused: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client
        .runbooks()
        .await?
        .set_schedule_paused(id, paused)
        .await?;
    out.emit(
        &serde_json::json!({ "schedule": id, "paused": paused }),
        || {
            if paused {
                fill(&gettext("Paused schedule {}."), &[&id])
            } else {
                fill(&gettext("Schedule {} fires again."), &[&id])
            }
        },
    );
    Ok(ExitCode::SUCCESS)
}
