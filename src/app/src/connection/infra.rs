//! The Infrastructure panel's traffic: containers (state, actions, logs) and checks.

use super::DaemonEvent;
use roxy_ipc::{
    CheckInfo, CheckResult, CheckSpecInfo, Client, ContainerInfo, EngineStatus, RoxyError, UnitInfo,
};
use zbus::message::Message;

#[derive(Debug, Clone)]
pub enum InfraEvent {
    Engine(EngineStatus),
    Containers(Vec<ContainerInfo>),
    ContainerChanged(ContainerInfo),
    ContainerRemoved(String),
    /// Output of the container whose logs are open; `reset` starts the view afresh.
    Logs {
        id: String,
        lines: Vec<String>,
        reset: bool,
    },
    Checks(Vec<CheckInfo>),
    CheckResults(Vec<CheckResult>),
    Units(Vec<UnitInfo>),
}

#[derive(Debug, Clone)]
pub enum InfraRequest {
    Load,
    ContainerAction {
        container: String,
        action: String,
    },
    /// Show the latest output of this container and follow it.
    OpenLogs(String),
    CloseLogs(String),
    SetHealing {
        container: String,
        mode: String,
    },
    SetSocket(String),
    SaveCheck(CheckSpecInfo),
    RemoveCheck(String),
    UnitAction {
        unit: String,
        action: String,
    },
}

/// Lines of output shown when the logs open.
const LOG_TAIL: u32 = 500;

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    let infra = client.infra().await?;
    Ok(vec![
        DaemonEvent::Infra(InfraEvent::Engine(infra.engine().await?)),
        DaemonEvent::Infra(InfraEvent::Containers(infra.containers().await?)),
        DaemonEvent::Infra(InfraEvent::Checks(infra.checks().await?)),
        DaemonEvent::Infra(InfraEvent::Units(infra.units().await?)),
    ])
}

pub async fn handle(client: &Client, request: InfraRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let infra = client.infra().await?;
    match request {
        InfraRequest::Load => return load(client).await,
        InfraRequest::ContainerAction { container, action } => {
            infra.container_action(&container, &action).await?
        }
        InfraRequest::OpenLogs(id) => {
            let lines = infra.container_logs(&id, LOG_TAIL).await?;
            infra.follow_logs(&id).await?;
            return Ok(vec![DaemonEvent::Infra(InfraEvent::Logs {
                id,
                lines,
                reset: true,
            })]);
        }
        InfraRequest::CloseLogs(id) => infra.unfollow_logs(&id).await?,
        InfraRequest::SetHealing { container, mode } => {
            infra.set_healing(&container, &mode).await?
        }
        InfraRequest::SetSocket(socket) => {
            let engine = infra.set_engine_socket(&socket).await?;
            return Ok(vec![DaemonEvent::Infra(InfraEvent::Engine(engine))]);
        }
        InfraRequest::SaveCheck(spec) => infra.save_check(&spec).await?,
        InfraRequest::RemoveCheck(name) => {
            infra.remove_check(&name).await?;
        }
        InfraRequest::UnitAction { unit, action } => {
            infra.unit_action(&unit, &action).await?;
            // The change signal follows too; answer at once with the new states.
            return Ok(vec![DaemonEvent::Infra(InfraEvent::Units(
                infra.units().await?,
            ))]);
        }
    }
    Ok(Vec::new())
}

/// The event for one Infra1 signal; `ChecksChanged` needs a fresh list.
pub async fn on_signal(client: &Client, member: &str, message: &Message) -> Option<DaemonEvent> {
    let body = message.body();
    let event = match member {
        "EngineChanged" => InfraEvent::Engine(body.deserialize().ok()?),
        "ContainerChanged" => InfraEvent::ContainerChanged(body.deserialize().ok()?),
        "ContainerRemoved" => InfraEvent::ContainerRemoved(body.deserialize().ok()?),
        "ContainerLog" => {
            let (id, lines): (String, Vec<String>) = body.deserialize().ok()?;
            InfraEvent::Logs {
                id,
                lines,
                reset: false,
            }
        }
        "CheckResults" => InfraEvent::CheckResults(body.deserialize().ok()?),
        "ChecksChanged" => InfraEvent::Checks(client.infra().await.ok()?.checks().await.ok()?),
        "UnitsChanged" => InfraEvent::Units(client.infra().await.ok()?.units().await.ok()?),
        _ => return None,
    };
    Some(DaemonEvent::Infra(event))
}
