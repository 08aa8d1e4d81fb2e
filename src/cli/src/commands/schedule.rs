//! `roxyctl schedule …`.

use crate::output::{self, Output};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let proxy = client.runbooks().await?;
    let schedules = proxy.list_schedules().await?;
    let suspended = proxy.schedules_suspended().await?;
    out.emit(&schedules, || {
        let mut lines = Vec::new();
        if suspended {
            lines.push(gettext(
                "All schedules are paused; `roxyctl schedule resume-all` lets them fire.",
            ));
        }
        if schedules.is_empty() {
            lines.push(gettext(
                "No schedules. Add one with `roxyctl schedule add RUNBOOK --daily 07:30`.",
            ));
        }
        for s in &schedules {
            let next = if s.paused {
                gettext("paused")
            } else {
                output::timestamp(s.next_fire_at)
            };
            lines.push(format!(
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
            ));
        }
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

/// `pause-all` / `resume-all`.
pub async fn suspend(out: Output, suspended: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client
        .runbooks()
        .await?
        .suspend_schedules(suspended)
        .await?;
    out.emit(&serde_json::json!({ "suspended": suspended }), || {
        if suspended {
            gettext("All schedules are paused.")
        } else {
            gettext("Schedules fire again; times missed meanwhile follow each schedule's missed-run policy.")
        }
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
