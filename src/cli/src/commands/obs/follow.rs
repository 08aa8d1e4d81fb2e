//! `roxyctl obs meters` and `obs watch`: following roxyd's signals.

use super::text;
use crate::output::Output;
use futures_util::StreamExt;
use roxy_ipc::broadcast::ObsStateInfo;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;
use std::time::Duration;

pub async fn meters(
    client: &Client,
    out: Output,
    instance: &str,
    seconds: u64,
) -> anyhow::Result<ExitCode> {
    let obs = client.broadcast().await?;
    let mut stream = obs.receive_meters().await?;
    obs.watch_meters(instance).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let name = obs.state(instance).await?.instance;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let Ok(Some(signal)) = next else { break };
        let Ok(args) = signal.args() else { continue };
        if args.instance != name {
            continue;
        }
        out.emit(&args.meters, || {
            args.meters
                .iter()
                .map(|m| {
                    format!(
                        "{:<20} {:>6.1} dB  {}",
                        m.input,
                        m.level_db,
                        fill(&gettext("peak {} dB"), &[&format!("{:.1}", m.peak_db)])
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn watch(client: &Client, out: Output, instance: &str) -> anyhow::Result<ExitCode> {
    let obs = client.broadcast().await?;
    let mut states = obs.receive_state_changed().await?;
    let mut links = obs.receive_instance_changed().await?;
    let mut records = obs.receive_record_state_changed().await?;
    let mut last: Option<ObsStateInfo> = None;
    let wanted = |name: &str| instance.is_empty() || name == instance;
    loop {
        tokio::select! {
            Some(signal) = states.next() => {
                let Ok(args) = signal.args() else { continue };
                let state = args.state;
                if !wanted(&state.instance) { continue; }
                let scene_changed = last.as_ref().is_none_or(|l| l.program_scene != state.program_scene);
                if scene_changed && state.connected {
                    out.emit(&serde_json::json!({ "event": "scene", "instance": state.instance, "scene": state.program_scene }), || {
                        fill(&gettext("{}: program scene {}"), &[&state.instance, &state.program_scene])
                    });
                }
                last = Some(state);
            }
            Some(signal) = links.next() => {
                let Ok(args) = signal.args() else { continue };
                let info = args.instance;
                if !wanted(&info.name) { continue; }
                out.emit(&serde_json::json!({ "event": "link", "instance": info.name, "link": info.link, "message": info.message }), || {
                    fill(&gettext("{}: {}"), &[&info.name, &text::link_label(&info.link)])
                });
            }
            Some(signal) = records.next() => {
                let Ok(args) = signal.args() else { continue };
                if !wanted(&args.instance) { continue; }
                out.emit(&serde_json::json!({ "event": "record", "instance": args.instance, "state": args.state, "file": args.file }), || {
                    fill(&gettext("{}: recording {} {}"), &[&args.instance, &text::output_label(&args.state), &args.file])
                });
            }
            else => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}
