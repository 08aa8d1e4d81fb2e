//! One OBS instance's state as roxyd mirrors it: read in full after each (re)connect, then
//! kept current from OBS' events.

use obws::events::{Event, OutputState};
use obws::Client;
use roxy_core::time::now_ms;
use roxy_ipc::broadcast::{AudioInputInfo, ObsStateInfo, ObsStatsInfo};

/// What an event asks of the link.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// Nothing the state shows.
    Ignored,
    Changed,
    /// Scenes or inputs were added, removed or renamed: read everything again.
    Resync,
}

pub fn output_state(state: OutputState) -> &'static str {
    match state {
        OutputState::Starting => "starting",
        OutputState::Started | OutputState::Resumed | OutputState::Reconnected => "active",
        OutputState::Paused => "paused",
        OutputState::Reconnecting => "reconnecting",
        OutputState::Stopping => "stopping",
        _ => "stopped",
    }
}

/// Reads everything the panel shows. Outputs OBS has not set up (no replay buffer configured,
/// no virtual camera module) read as off.
pub async fn read_all(client: &Client, instance: &str) -> Result<ObsStateInfo, obws::error::Error> {
    let now = now_ms();
    let listed = client.scenes().list().await?;
    let mut scenes = listed.scenes;
    // OBS lists the bottom scene first; its window shows index order reversed.
    scenes.sort_by_key(|s| std::cmp::Reverse(s.index));
    let studio_mode = client.ui().studio_mode_enabled().await.unwrap_or(false);
    let stream = client.streaming().status().await?;
    let record = client.recording().status().await?;
    let mut inputs = Vec::new();
    for input in client.inputs().list(None).await? {
        // Inputs without audio refuse the mute request; they are not mixer channels.
        let Ok(muted) = client.inputs().muted(input.id.name.as_str().into()).await else {
            continue;
        };
        let volume_db = client
            .inputs()
            .volume(input.id.name.as_str().into())
            .await
            .map(|v| f64::from(v.db))
            .unwrap_or(0.0);
        inputs.push(AudioInputInfo {
            name: input.id.name,
            kind: input.unversioned_kind,
            muted,
            volume_db,
        });
    }
    let stats = client.general().stats().await?;
    Ok(ObsStateInfo {
        instance: instance.to_owned(),
        connected: true,
        scenes: scenes.into_iter().map(|s| s.id.name).collect(),
        program_scene: listed
            .current_program_scene
            .map(|s| s.name)
            .unwrap_or_default(),
        preview_scene: if studio_mode {
            listed
                .current_preview_scene
                .map(|s| s.name)
                .unwrap_or_default()
        } else {
            String::new()
        },
        studio_mode,
        stream: if stream.reconnecting {
            "reconnecting"
        } else if stream.active {
            "active"
        } else {
            "stopped"
        }
        .into(),
        stream_started_ms: if stream.active {
            now - millis(stream.duration)
        } else {
            0
        },
        record: if record.paused {
            "paused"
        } else if record.active {
            "active"
        } else {
            "stopped"
        }
        .into(),
        record_started_ms: if record.active {
            now - millis(record.duration)
        } else {
            0
        },
        record_file: String::new(),
        replay_buffer: client.replay_buffer().status().await.unwrap_or(false),
        virtual_cam: client.virtual_cam().status().await.unwrap_or(false),
        inputs,
        stats: stats_info(&stats),
        issues: Vec::new(),
    })
}

fn millis(d: time::Duration) -> i64 {
    i64::try_from(d.whole_milliseconds()).unwrap_or(0)
}

pub fn stats_info(stats: &obws::responses::general::Stats) -> ObsStatsInfo {
    ObsStatsInfo {
        fps: stats.active_fps,
        render_ms: stats.average_frame_render_time,
        render_skipped: u64::from(stats.render_skipped_frames),
        render_total: u64::from(stats.render_total_frames),
        output_skipped: u64::from(stats.output_skipped_frames),
        output_total: u64::from(stats.output_total_frames),
        cpu_percent: stats.cpu_usage,
        memory_mb: stats.memory_usage,
        disk_free_mb: stats.available_disk_space,
    }
}

/// Applies one event to the mirrored state.
pub fn apply(state: &mut ObsStateInfo, event: &Event) -> Applied {
    match event {
        Event::CurrentProgramSceneChanged { id } => {
            state.program_scene = id.name.clone();
        }
        Event::CurrentPreviewSceneChanged { id } => {
            if state.studio_mode {
                state.preview_scene = id.name.clone();
            }
        }
        Event::StudioModeStateChanged { enabled } => {
            state.studio_mode = *enabled;
            if !enabled {
                state.preview_scene.clear();
            }
            // The preview scene is only known by asking.
            return Applied::Resync;
        }
        Event::StreamStateChanged { state: output, .. } => {
            state.stream = output_state(*output).into();
            match output {
                OutputState::Started => state.stream_started_ms = now_ms(),
                OutputState::Stopped => state.stream_started_ms = 0,
                _ => {}
            }
        }
        Event::RecordStateChanged {
            state: output,
            path,
            ..
        } => {
            state.record = output_state(*output).into();
            match output {
                OutputState::Started => {
                    state.record_started_ms = now_ms();
                    if let Some(path) = path {
                        state.record_file = path.clone();
                    }
                }
                OutputState::Stopped => {
                    state.record_started_ms = 0;
                    if let Some(path) = path {
                        state.record_file = path.clone();
                    }
                }
                _ => {}
            }
        }
        Event::RecordFileChanged { path } => state.record_file = path.clone(),
        Event::ReplayBufferStateChanged { active, .. } => state.replay_buffer = *active,
        Event::VirtualcamStateChanged { active, .. } => state.virtual_cam = *active,
        Event::InputMuteStateChanged { id, muted } => {
            match state.inputs.iter_mut().find(|i| i.name == id.name) {
                Some(input) => input.muted = *muted,
                None => return Applied::Resync,
            }
        }
        Event::InputVolumeChanged { id, db, .. } => {
            match state.inputs.iter_mut().find(|i| i.name == id.name) {
                Some(input) => input.volume_db = *db,
                None => return Applied::Resync,
            }
        }
        Event::SceneCreated { .. }
        | Event::SceneRemoved { .. }
        | Event::SceneNameChanged { .. }
        | Event::SceneListChanged { .. }
        | Event::InputCreated { .. }
        | Event::InputRemoved { .. }
        | Event::InputNameChanged { .. }
        | Event::CurrentSceneCollectionChanged { .. } => return Applied::Resync,
        _ => return Applied::Ignored,
    }
    Applied::Changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene(name: &str) -> obws::responses::scenes::SceneId {
        obws::responses::scenes::SceneId {
            name: name.into(),
            uuid: Default::default(),
        }
    }

    #[test]
    fn events_move_the_mirror() {
        let mut state = ObsStateInfo {
            scenes: vec!["Intro".into(), "Live".into()],
            program_scene: "Intro".into(),
            inputs: vec![AudioInputInfo {
                name: "Mic".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = Event::CurrentProgramSceneChanged { id: scene("Live") };
        assert_eq!(apply(&mut state, &e), Applied::Changed);
        assert_eq!(state.program_scene, "Live");
        let e = Event::RecordStateChanged {
            active: false,
            state: OutputState::Stopped,
            path: Some("/rec/a.mkv".into()),
        };
        assert_eq!(apply(&mut state, &e), Applied::Changed);
        assert_eq!(
            (state.record.as_str(), state.record_file.as_str()),
            ("stopped", "/rec/a.mkv")
        );
        let e = Event::InputMuteStateChanged {
            id: obws::responses::inputs::InputId {
                name: "Mic".into(),
                uuid: Default::default(),
            },
            muted: true,
        };
        apply(&mut state, &e);
        assert!(state.inputs[0].muted);
        let e = Event::InputMuteStateChanged {
            id: obws::responses::inputs::InputId {
                name: "New".into(),
                uuid: Default::default(),
            },
            muted: true,
        };
        assert_eq!(
            apply(&mut state, &e),
            Applied::Resync,
            "an input not seen yet"
        );
    }
}
