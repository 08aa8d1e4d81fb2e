//! `roxyctl infra …`: containers through the engine roxyd watches.

use crate::output::{self, Output};
use futures_util::StreamExt;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{Client, ContainerInfo, EngineStatus};
use std::process::ExitCode;

fn engine_text(engine: &EngineStatus) -> String {
    if engine.available {
        fill(&gettext("{} at {}"), &[&engine.version, &engine.socket])
    } else {
        fill(&gettext("No container engine: {}"), &[&engine.message])
    }
}

pub async fn engine(out: Output, socket: Option<String>) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let infra = client.infra().await?;
    let engine = match socket.as_deref() {
        None => infra.engine().await?,
        Some("default") => infra.set_engine_socket("").await?,
        Some(path) => {
            let absolute = std::path::absolute(path.trim_start_matches("unix://"))?;
            infra
                .set_engine_socket(&absolute.display().to_string())
                .await?
        }
    };
    out.emit(&engine, || engine_text(&engine));
    Ok(if engine.available {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn container_line(c: &ContainerInfo, now_ms: i64) -> String {
    let state = if c.health.is_empty() {
        c.state.clone()
    } else {
        format!("{} ({})", c.state, c.health)
    };
    let up = if c.state == "running" && c.started_at > 0 {
        output::duration(((now_ms - c.started_at).max(0) / 1000) as u64)
    } else if c.state == "exited" {
        fill(&gettext("exit {}"), &[&c.exit_code])
    } else {
        String::new()
    };
    let heal = match c.heal.as_str() {
        "off" => String::new(),
        "gave-up" => gettext("heal: gave up"),
        other => format!("heal: {other} ({})", c.heal_restarts),
    };
    format!(
        "{:<20} {:<22} {:<10} {:>8} {:>7.1}% {:>10}  {:<24} {}",
        c.name,
        state,
        up,
        c.restart_count,
        c.cpu_pct,
        output::bytes(c.memory_bytes),
        c.image,
        heal
    )
}

pub async fn containers(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let infra = client.infra().await?;
    let engine = infra.engine().await?;
    if !engine.available {
        out.emit(&Vec::<ContainerInfo>::new(), || engine_text(&engine));
        return Ok(ExitCode::from(3));
    }
    let containers = infra.containers().await?;
    let now = output::now_ms();
    out.emit(&containers, || {
        if containers.is_empty() {
            return gettext("No containers.");
        }
        let mut lines = vec![format!(
            "{:<20} {:<22} {:<10} {:>8} {:>8} {:>10}  {:<24} {}",
            gettext("NAME"),
            gettext("STATE"),
            gettext("UP"),
            gettext("RESTARTS"),
            gettext("CPU"),
            gettext("MEMORY"),
            gettext("IMAGE"),
            gettext("SELF-HEALING")
        )];
        lines.extend(containers.iter().map(|c| container_line(c, now)));
        for c in containers.iter().filter(|c| !c.heal_problems.is_empty()) {
            lines.push(fill(
                &gettext("{}: {}"),
                &[&c.name, &c.heal_problems.join("; ")],
            ));
        }
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn action(out: Output, container: &str, action: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client
        .infra()
        .await?
        .container_action(container, action)
        .await?;
    out.emit(
        &serde_json::json!({ "container": container, "action": action }),
        || match action {
            "start" => fill(&gettext("Started “{}”."), &[&container]),
            "stop" => fill(&gettext("Stopped “{}”."), &[&container]),
            _ => fill(&gettext("Restarted “{}”."), &[&container]),
        },
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn logs(
    out: Output,
    container: &str,
    lines: u32,
    follow: bool,
) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let infra = client.infra().await?;
    // Subscribed before asking for the tail, so no line falls between the two.
    let mut live = infra.receive_container_log().await?;
    let recent = infra.container_logs(container, lines).await?;
    for line in &recent {
        out.emit(&serde_json::json!({ "line": line }), || line.clone());
    }
    if !follow {
        return Ok(ExitCode::SUCCESS);
    }
    let id = infra.follow_logs(container).await?;
    loop {
        tokio::select! {
            signal = live.next() => {
                let Some(signal) = signal else { break };
                let args = signal.args()?;
                if args.id() != &id {
                    continue;
                }
                for line in args.lines() {
                    out.emit(&serde_json::json!({ "line": line }), || line.clone());
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let _ = infra.unfollow_logs(container).await;
    Ok(ExitCode::SUCCESS)
}

pub async fn heal(out: Output, container: &str, mode: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.infra().await?.set_healing(container, mode).await?;
    out.emit(
        &serde_json::json!({ "container": container, "healing": mode }),
        || match mode {
            "on" => fill(&gettext("Self-healing is on for “{}”."), &[&container]),
            "off" => fill(&gettext("Self-healing is off for “{}”."), &[&container]),
            _ => fill(
                &gettext("Self-healing for “{}” follows its roxy.heal label."),
                &[&container],
            ),
        },
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn units(out: Output, failed: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let units: Vec<roxy_ipc::UnitInfo> = client
        .infra()
        .await?
        .units()
        .await?
        .into_iter()
        .filter(|u| !failed || u.active_state == "failed")
        .collect();
    out.emit(&units, || {
        if units.is_empty() {
            return if failed {
                gettext("No failed units.")
            } else {
                gettext("No systemd manager answers on the session or system bus.")
            };
        }
        units
            .iter()
            .map(|u| {
                format!(
                    "{:<40} {:<7} {:<10} {:<10} {}",
                    u.name, u.scope, u.active_state, u.sub_state, u.description
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn unit_action(out: Output, unit: &str, action: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.infra().await?.unit_action(unit, action).await?;
    out.emit(
        &serde_json::json!({ "unit": unit, "action": action }),
        || match action {
            "start" => fill(&gettext("Started “{}”."), &[&unit]),
            "stop" => fill(&gettext("Stopped “{}”."), &[&unit]),
            _ => fill(&gettext("Restarted “{}”."), &[&unit]),
        },
    );
    Ok(ExitCode::SUCCESS)
}
