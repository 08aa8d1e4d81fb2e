//! `roxyctl metrics …`: what roxyd's sampler sees.

use crate::output::{self, Output};
use roxy_ipc::i18n::gettext;
use roxy_ipc::Client;
use std::process::ExitCode;

/// A value with the unit its name implies.
fn show(name: &str, value: f64) -> String {
    if name.ends_with("_bytes") {
        format!("{:.1} MiB", value / 1024.0 / 1024.0)
    } else if name.ends_with("_bps") {
        format!("{:.1} KiB/s", value / 1024.0)
    } else if name.ends_with("_pct") || name == "cpu" || name.starts_with("cpu.") {
        format!("{value:.1} %")
    } else {
        format!("{value:.2}")
    }
}

pub async fn now(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let values = client.metrics().await?.current().await?;
    out.emit(&values, || {
        if values.is_empty() {
            return gettext("No sample yet; roxyd takes the first one a second after it starts.");
        }
        values
            .iter()
            .map(|v| format!("{:<20} {}", v.name, show(&v.name, v.value)))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn history(out: Output, metric: &str, seconds: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let points = client.metrics().await?.history(metric, seconds).await?;
    out.emit(&points, || {
        if points.is_empty() {
            return gettext("No history in this range yet.");
        }
        points
            .iter()
            .map(|p| {
                format!(
                    "{}  {:>12}  {:>12}  {:>12}",
                    output::timestamp(p.at),
                    show(metric, p.avg),
                    show(metric, p.min),
                    show(metric, p.max)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn push(out: Output, metric: &str, value: f64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.metrics().await?.push(metric, value).await?;
    out.emit(
        &serde_json::json!({ "metric": metric, "value": value }),
        || roxy_ipc::i18n::fill(&gettext("Recorded {} = {}."), &[&metric, &value]),
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn energy(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let energy = client.metrics().await?.energy().await?;
    out.emit(&energy, || {
        let power = if !energy.has_battery {
            gettext("no battery")
        } else if energy.on_battery {
            roxy_ipc::i18n::fill(&gettext("on battery, {}%"), &[&energy.battery_pct.round()])
        } else {
            roxy_ipc::i18n::fill(
                &gettext("on mains, battery {}%"),
                &[&energy.battery_pct.round()],
            )
        };
        let mut lines = vec![roxy_ipc::i18n::fill(
            &gettext("Energy level: {} ({})"),
            &[&energy.level, &power],
        )];
        for d in &energy.deferred {
            lines.push(roxy_ipc::i18n::fill(
                &gettext("Waiting for power since {}: {} (for {})"),
                &[&output::timestamp(d.since), &d.runbook, &d.actor],
            ));
        }
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn prometheus(out: Output, port: Option<&str>) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let metrics = client.metrics().await?;
    if let Some(port) = port {
        let number: u16 = match port {
            "off" => 0,
            text => text.parse().map_err(|_| {
                anyhow::anyhow!(roxy_ipc::i18n::fill(
                    &gettext("port: “{}” is not a port number (1024–65535) or “off”"),
                    &[&text]
                ))
            })?,
        };
        metrics.set_prometheus_port(number).await?;
    }
    let port = metrics.prometheus_port().await?;
    out.emit(&serde_json::json!({ "port": port }), || {
        if port == 0 {
            gettext("Prometheus exposition is off.")
        } else {
            roxy_ipc::i18n::fill(
                &gettext("Prometheus exposition: http://127.0.0.1:{}/metrics"),
                &[&port],
            )
        }
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn scorecard(out: Output) -> anyhow::Result<ExitCode> {
    use roxy_ipc::scorecard;
    let client = Client::session().await?;
    let scores = client.metrics().await?.scorecard().await?;
    out.emit(&scores, || {
        scores
            .iter()
            .map(|s| {
                format!(
                    "{:<34} {:>14}  {:<13} {}",
                    scorecard::title(&s.id),
                    scorecard::value(s),
                    scorecard::grade(s),
                    s.detail
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}
