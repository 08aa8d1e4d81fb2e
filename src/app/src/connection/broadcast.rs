//! The Broadcast panel's traffic: OBS instances and their state (kept current by roxyd's
//! signals), the controls, meters while the panel shows them, program snapshots, NDI.

use super::DaemonEvent;
use roxy_ipc::broadcast::{
    HealthThresholdsInfo, MeterInfo, NdiFindingInfo, NdiSourceInfo, ObsInstanceInfo, ObsStateInfo,
};
use roxy_ipc::{Client, RoxyError};
use zbus::message::Message;

#[derive(Debug, Clone)]
pub enum BroadcastEvent {
    Instances(Vec<ObsInstanceInfo>),
    InstanceChanged(ObsInstanceInfo),
    State(ObsStateInfo),
    Meters {
        instance: String,
        meters: Vec<MeterInfo>,
    },
    /// A JPEG of the program output.
    Snapshot {
        instance: String,
        jpeg: Vec<u8>,
    },
    NdiSources(Vec<NdiSourceInfo>),
    NdiFindings(Vec<NdiFindingInfo>),
    /// The stream-health limits, read to be edited.
    Thresholds(HealthThresholdsInfo),
}

#[derive(Debug, Clone)]
pub enum BroadcastRequest {
    Add {
        name: String,
        host: String,
        port: u16,
        password: String,
    },
    Remove(String),
    Reconnect(String),
    ProgramScene {
        instance: String,
        scene: String,
    },
    PreviewScene {
        instance: String,
        scene: String,
    },
    StudioMode {
        instance: String,
        on: bool,
    },
    Transition(String),
    /// "start" or "stop".
    Stream {
        instance: String,
        action: String,
    },
    /// "start", "stop", "pause" or "resume".
    Record {
        instance: String,
        action: String,
    },
    SaveReplay(String),
    VirtualCam {
        instance: String,
        on: bool,
    },
    Mute {
        instance: String,
        input: String,
        muted: bool,
    },
    Volume {
        instance: String,
        input: String,
        db: f64,
    },
    /// Keep meters coming (renewed while the panel is on screen).
    WatchMeters(String),
    Snapshot {
        instance: String,
        width: u32,
    },
    /// NDI sources (the first ask starts discovery in roxyd).
    Ndi,
    DiagnoseNdi,
    Thresholds,
    SetThresholds(HealthThresholdsInfo),
}

fn broadcast(event: BroadcastEvent) -> DaemonEvent {
    DaemonEvent::Broadcast(event)
}

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.broadcast().await?;
    let instances = proxy.instances().await?;
    let mut events = Vec::with_capacity(instances.len() + 1);
    for instance in &instances {
        events.push(broadcast(BroadcastEvent::State(
            proxy.state(&instance.name).await?,
        )));
    }
    events.insert(0, broadcast(BroadcastEvent::Instances(instances)));
    Ok(events)
}

pub async fn handle(
    client: &Client,
    request: BroadcastRequest,
) -> Result<Vec<DaemonEvent>, RoxyError> {
    let obs = client.broadcast().await?;
    match request {
        BroadcastRequest::Add {
            name,
            host,
            port,
            password,
        } => {
            obs.add_instance(&name, &host, port, &password).await?;
            return load(client).await;
        }
        BroadcastRequest::Remove(name) => {
            obs.remove_instance(&name).await?;
            return load(client).await;
        }
        BroadcastRequest::Reconnect(name) => obs.reconnect(&name).await?,
        BroadcastRequest::ProgramScene { instance, scene } => {
            obs.set_program_scene(&instance, &scene).await?
        }
        BroadcastRequest::PreviewScene { instance, scene } => {
            obs.set_preview_scene(&instance, &scene).await?
        }
        BroadcastRequest::StudioMode { instance, on } => obs.set_studio_mode(&instance, on).await?,
        BroadcastRequest::Transition(instance) => obs.transition(&instance).await?,
        BroadcastRequest::Stream { instance, action } => obs.stream(&instance, &action).await?,
        BroadcastRequest::Record { instance, action } => {
            obs.record(&instance, &action).await?;
        }
        BroadcastRequest::SaveReplay(instance) => {
            let file = obs.replay_buffer(&instance, "save").await?;
            return Ok(vec![DaemonEvent::Told(roxy_ipc::i18n::fill(
                &roxy_ipc::i18n::gettext("Replay saved: {}"),
                &[&file],
            ))]);
        }
        BroadcastRequest::VirtualCam { instance, on } => obs.set_virtual_cam(&instance, on).await?,
        BroadcastRequest::Mute {
            instance,
            input,
            muted,
        } => obs.set_muted(&instance, &input, muted).await?,
        BroadcastRequest::Volume {
            instance,
            input,
            db,
        } => obs.set_volume(&instance, &input, db).await?,
        BroadcastRequest::WatchMeters(instance) => obs.watch_meters(&instance).await?,
        BroadcastRequest::Snapshot { instance, width } => {
            let jpeg = obs.screenshot(&instance, width).await?;
            return Ok(vec![broadcast(BroadcastEvent::Snapshot { instance, jpeg })]);
        }
        BroadcastRequest::Ndi => {
            return Ok(vec![broadcast(BroadcastEvent::NdiSources(
                obs.ndi_sources().await?,
            ))])
        }
        BroadcastRequest::Thresholds => {
            return Ok(vec![broadcast(BroadcastEvent::Thresholds(
                obs.health_thresholds().await?,
            ))])
        }
        BroadcastRequest::SetThresholds(limits) => {
            obs.set_health_thresholds(&limits).await?;
            return Ok(vec![DaemonEvent::Told(roxy_ipc::i18n::gettext(
                "Stream-health limits saved.",
            ))]);
        }
        BroadcastRequest::DiagnoseNdi => {
            return Ok(vec![broadcast(BroadcastEvent::NdiFindings(
                obs.ndi_diagnose().await?,
            ))])
        }
    }
    Ok(Vec::new())
}

pub fn on_signal(member: &str, message: &Message) -> Option<DaemonEvent> {
    let body = message.body();
    let event = match member {
        "StateChanged" => BroadcastEvent::State(body.deserialize().ok()?),
        "InstanceChanged" => BroadcastEvent::InstanceChanged(body.deserialize().ok()?),
        "InstancesChanged" => BroadcastEvent::Instances(body.deserialize().ok()?),
        "Meters" => {
            let (instance, meters) = body.deserialize().ok()?;
            BroadcastEvent::Meters { instance, meters }
        }
        "NdiSourcesChanged" => BroadcastEvent::NdiSources(body.deserialize().ok()?),
        _ => return None,
    };
    Some(broadcast(event))
}
