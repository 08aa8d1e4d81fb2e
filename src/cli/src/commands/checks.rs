//! `roxyctl infra checks` and `roxyctl infra check …`: probes of hosts and services.

use crate::output::{self, Output};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{CheckInfo, CheckSpecInfo, Client};
use std::process::ExitCode;

fn state(c: &CheckInfo) -> String {
    match c.up {
        _ if !c.spec.enabled => gettext("off"),
        1 if c.cert_days >= 0.0 && c.cert_days < f64::from(c.spec.warn_days) => gettext("expiring"),
        1 => gettext("up"),
        0 => gettext("DOWN"),
        _ => gettext("pending"),
    }
}

fn percent(value: f64) -> String {
    if value < 0.0 {
        "–".into()
    } else {
        format!("{value:.2}%")
    }
}

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let checks = client.infra().await?.checks().await?;
    out.emit(&checks, || {
        if checks.is_empty() {
            return gettext(
                "No checks yet. Add one with `roxyctl infra check add NAME https://host/health --every 30s`.",
            );
        }
        let mut lines = vec![format!(
            "{:<20} {:<8} {:>9} {:>9} {:>9}  {:<36} {}",
            gettext("NAME"),
            gettext("STATE"),
            gettext("LATENCY"),
            gettext("24 H"),
            gettext("30 D"),
            gettext("TARGET"),
            gettext("LAST RESULT")
        )];
        lines.extend(checks.iter().map(|c| {
            format!(
                "{:<20} {:<8} {:>7.1}ms {:>9} {:>9}  {:<36} {}",
                c.spec.name,
                state(c),
                c.latency_ms,
                percent(c.uptime_24h),
                percent(c.uptime_30d),
                c.spec.target,
                c.message
            )
        }));
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn add(out: Output, spec: CheckSpecInfo) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.infra().await?.save_check(&spec).await?;
    out.emit(&spec, || {
        fill(&gettext("Saved the check “{}”."), &[&spec.name])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    if !client.infra().await?.remove_check(name).await? {
        anyhow::bail!(fill(
            &gettext("No check “{}”; `roxyctl infra checks` lists them."),
            &[&name]
        ));
    }
    out.emit(&serde_json::json!({ "removed": name }), || {
        fill(&gettext("Removed the check “{}”."), &[&name])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn history(out: Output, name: &str, limit: u32) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let events = client.infra().await?.check_events(name, limit).await?;
    out.emit(&events, || {
        if events.is_empty() {
            return gettext("No results yet.");
        }
        events
            .iter()
            .map(|e| {
                format!(
                    "{}  {:<5} {}",
                    output::timestamp(e.at),
                    if e.up { gettext("up") } else { gettext("DOWN") },
                    e.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}
