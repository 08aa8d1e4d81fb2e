//! `roxyctl status` and `roxyctl ping`.

use crate::output::{self, Output};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;
use std::time::Instant;

pub async fn status(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let status = client.daemon().await?.get_status().await?;
    out.emit(&status, || {
        format!(
            "roxyd {} — {}\n  {:<10} {}\n  {:<10} {}\n  {:<10} {} ({})\n  {:<10} {}",
            status.version,
            status.state,
            gettext("pid"),
            status.pid,
            gettext("uptime"),
            output::duration(status.uptime_secs),
            gettext("database"),
            status.database_path,
            output::bytes(status.database_bytes),
            gettext("jobs"),
            fill(&gettext("{} running"), &[&status.running_jobs]),
        )
    });
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct PingReport {
    count: u32,
    min_ms: f64,
    median_ms: f64,
    max_ms: f64,
}

pub async fn ping(out: Output, count: u32) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let daemon = client.daemon().await?;
    let mut samples = Vec::with_capacity(count as usize);
    for i in 0..count {
        let payload = format!("ping {i}");
        let start = Instant::now();
        let echo = daemon.ping(&payload).await?;
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(echo == payload, "roxyd answered {echo:?} to {payload:?}");
    }
    samples.sort_by(f64::total_cmp);
    let report = PingReport {
        count,
        min_ms: samples[0],
        median_ms: samples[samples.len() / 2],
        max_ms: samples[samples.len() - 1],
    };
    out.emit(&report, || {
        if count == 1 {
            fill(
                &gettext("roxyd answered in {} ms"),
                &[&format!("{:.2}", report.min_ms)],
            )
        } else {
            fill(
                &gettext("{} round trips: min {} ms, median {} ms, max {} ms"),
                &[
                    &count,
                    &format!("{:.3}", report.min_ms),
                    &format!("{:.3}", report.median_ms),
                    &format!("{:.3}", report.max_ms),
                ],
            )
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// `roxyctl autostart [on|off]`.
pub async fn autostart(out: Output, enable: Option<bool>) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let daemon = client.daemon().await?;
    let (on, how) = match enable {
        Some(enable) => daemon.set_start_at_login(enable).await?,
        None => daemon.start_at_login().await?,
    };
    out.emit(
        &serde_json::json!({ "start_at_login": on, "mechanism": how }),
        || {
            let how = match how.as_str() {
                "systemd" => gettext("the systemd user unit roxyd.service"),
                "background-portal" => gettext("the Background portal"),
                _ => gettext("an autostart entry"),
            };
            if on {
                fill(&gettext("roxyd starts at login (through {})."), &[&how])
            } else {
                fill(&gettext("roxyd does not start at login (set through {}); it still starts when the window or roxyctl needs it."), &[&how])
            }
        },
    );
    Ok(ExitCode::SUCCESS)
}
