//! How `roxyctl obs` puts instances, state and sessions into words.

use crate::output;
use roxy_ipc::broadcast::{
    BroadcastSessionInfo, HealthThresholdsInfo, ObsInstanceInfo, ObsStateInfo,
};
use roxy_ipc::i18n::{fill, gettext};

pub fn instance_line(i: &ObsInstanceInfo) -> String {
    let link = link_label(&i.link);
    let mut line = format!("{}  {}:{}  {}", i.name, i.host, i.port, link);
    if !i.obs_version.is_empty() {
        line.push_str(&fill(&gettext("  (OBS {})"), &[&i.obs_version]));
    }
    if !i.message.is_empty() {
        line.push_str(&format!("\n    {}", i.message));
    }
    line
}

pub fn link_label(link: &str) -> String {
    match link {
        "connected" => gettext("connected"),
        "connecting" => gettext("connecting"),
        "offline" => gettext("offline"),
        "too-old" => gettext("OBS too old"),
        "auth-failed" => gettext("password refused"),
        _ => gettext("error"),
    }
}

pub fn output_label(state: &str) -> String {
    match state {
        "active" => gettext("on"),
        "paused" => gettext("paused"),
        "starting" => gettext("starting"),
        "stopping" => gettext("stopping"),
        "reconnecting" => gettext("reconnecting"),
        _ => gettext("off"),
    }
}

pub fn status(info: &ObsInstanceInfo, s: &ObsStateInfo) -> String {
    let mut lines = vec![instance_line(info)];
    if !s.connected {
        return lines.join("\n");
    }
    let now = output::now_ms();
    let since = |started: i64| {
        if started > 0 {
            format!(
                " {}",
                output::duration(((now - started).max(0) / 1000) as u64)
            )
        } else {
            String::new()
        }
    };
    lines.push(fill(&gettext("Program: {}"), &[&s.program_scene]));
    if s.studio_mode {
        lines.push(fill(
            &gettext("Preview: {} (studio mode)"),
            &[&s.preview_scene],
        ));
    }
    lines.push(fill(
        &gettext("Stream: {}{}   Recording: {}{}"),
        &[
            &output_label(&s.stream),
            &since(s.stream_started_ms),
            &output_label(&s.record),
            &since(s.record_started_ms),
        ],
    ));
    if !s.record_file.is_empty() {
        lines.push(fill(&gettext("Recording file: {}"), &[&s.record_file]));
    }
    lines.push(fill(
        &gettext("Replay buffer: {}   Virtual camera: {}"),
        &[
            &output_label(if s.replay_buffer { "active" } else { "stopped" }),
            &output_label(if s.virtual_cam { "active" } else { "stopped" }),
        ],
    ));
    for input in &s.inputs {
        let muted = if input.muted {
            gettext(" (muted)")
        } else {
            String::new()
        };
        lines.push(fill(
            &gettext("Audio: {} {} dB{}"),
            &[&input.name, &format!("{:.1}", input.volume_db), &muted],
        ));
    }
    let st = &s.stats;
    lines.push(fill(
        &gettext("{} fps, render {} ms, {} of {} frames skipped, CPU {} %, {} free"),
        &[
            &format!("{:.1}", st.fps),
            &format!("{:.1}", st.render_ms),
            &st.render_skipped,
            &st.render_total,
            &format!("{:.1}", st.cpu_percent),
            &output::bytes((st.disk_free_mb * 1024.0 * 1024.0) as u64),
        ],
    ));
    if !s.issues.is_empty() {
        lines.push(fill(&gettext("Health: {}"), &[&s.issues.join(", ")]));
    }
    lines.join("\n")
}

pub fn thresholds(t: &HealthThresholdsInfo) -> String {
    let disk = if t.disk_free_mb > 0.0 {
        fill(
            &gettext("Recording disk: alert below {} free"),
            &[&output::bytes((t.disk_free_mb * 1024.0 * 1024.0) as u64)],
        )
    } else {
        gettext("Recording disk: not watched")
    };
    [
        fill(
            &gettext("Lost or skipped frames: alert at {} percent over {} seconds"),
            &[&t.lost_percent, &t.window_s],
        ),
        disk,
    ]
    .join("\n")
}

pub fn sessions(sessions: &[BroadcastSessionInfo]) -> String {
    if sessions.is_empty() {
        return gettext("No stream or recording sessions yet.");
    }
    sessions
        .iter()
        .map(|s| {
            let kind = if s.kind == "stream" {
                gettext("stream")
            } else {
                gettext("recording")
            };
            let length = if s.ended_ms > 0 {
                output::duration(((s.ended_ms - s.started_ms).max(0) / 1000) as u64)
            } else {
                gettext("running")
            };
            let mut line = format!(
                "{}  {}  {}  {}",
                output::timestamp(s.started_ms),
                s.instance,
                kind,
                length
            );
            if s.total_frames > 0 {
                line.push_str(&fill(
                    &gettext("  {} of {} frames lost"),
                    &[&s.dropped_frames, &s.total_frames],
                ));
            }
            if !s.file.is_empty() {
                line.push_str(&format!("  {}", s.file));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
