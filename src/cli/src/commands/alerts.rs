//! `roxyctl alerts …`: alerts and the rules that raise them.

use crate::output::{self, Output};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{AlertRuleInfo, Client};
use std::process::ExitCode;

pub async fn list(out: Output, all: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let alerts = client.metrics().await?.alerts(all).await?;
    out.emit(&alerts, || {
        if alerts.is_empty() {
            return gettext("No open alerts.");
        }
        alerts
            .iter()
            .map(|a| {
                let state = if a.resolved_at == 0 {
                    gettext("open")
                } else {
                    fill(
                        &gettext("resolved {}"),
                        &[&output::timestamp(a.resolved_at)],
                    )
                };
                format!(
                    "{}  {:<8} {:<22} {:<24} {}  ({})",
                    output::timestamp(a.fired_at),
                    a.severity,
                    a.rule,
                    a.subject,
                    a.message,
                    state
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn rules(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let rules = client.metrics().await?.alert_rules().await?;
    out.emit(&rules, || {
        if rules.is_empty() {
            return gettext(
                "No alert rules. Add one with `roxyctl alerts add NAME \"METRIC > NUMBER\"`.",
            );
        }
        rules
            .iter()
            .map(|r| {
                format!(
                    "{:<24} {:<34} {:>6}  {:<8} {}",
                    r.name,
                    r.condition,
                    output::duration(r.for_seconds),
                    r.severity,
                    if r.enabled {
                        gettext("on")
                    } else {
                        gettext("off")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn add(out: Output, rule: AlertRuleInfo) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.metrics().await?.save_alert_rule(&rule).await?;
    out.emit(&rule, || {
        fill(&gettext("Saved the alert rule “{}”."), &[&rule.name])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    if !client.metrics().await?.remove_alert_rule(name).await? {
        anyhow::bail!(fill(
            &gettext("No alert rule “{}”; `roxyctl alerts rules` lists them."),
            &[&name]
        ));
    }
    out.emit(&serde_json::json!({ "removed": name }), || {
        fill(&gettext("Removed the alert rule “{}”."), &[&name])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn enable(out: Output, name: &str, enabled: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let metrics = client.metrics().await?;
    let Some(mut rule) = metrics
        .alert_rules()
        .await?
        .into_iter()
        .find(|r| r.name == name)
    else {
        anyhow::bail!(fill(
            &gettext("No alert rule “{}”; `roxyctl alerts rules` lists them."),
            &[&name]
        ));
    };
    rule.enabled = enabled;
    metrics.save_alert_rule(&rule).await?;
    out.emit(&rule, || {
        if enabled {
            fill(&gettext("The alert rule “{}” is on."), &[&name])
        } else {
            fill(&gettext("The alert rule “{}” is off."), &[&name])
        }
    });
    Ok(ExitCode::SUCCESS)
}
