//! Containers as the engine reports them, kept current by the engine's event stream (no
//! polling of state), with CPU and memory sampled every few seconds, actions (start, stop,
//! restart) and the live log tail. Self-healing decisions are in [`super::healing`].

use super::engine;
use super::healing::Healer;
use super::logs::LogFollowers;
use super::tracked::Tracked;
use crate::alerting::AlertManager;
use crate::notifications::Notices;
use crate::services::infra1::InfraService;
use bollard::models::EventMessage;
use bollard::query_parameters::{
    EventsOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder,
    RestartContainerOptions, StartContainerOptions, StatsOptionsBuilder, StopContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use roxy_ipc::{ContainerInfo, EngineStatus, RoxyError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use zbus::object_server::SignalEmitter;
use zbus::Connection;

/// CPU and memory of running containers are read this often.
const STATS_INTERVAL: Duration = Duration::from_secs(5);
/// Waits between attempts to reach an absent engine.
const RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// The per-container setting that overrides the `roxy.heal` label.
pub const HEAL_SETTING_PREFIX: &str = "infra.heal.";

#[derive(Default)]
pub(super) struct State {
    pub engine: EngineStatus,
    pub containers: BTreeMap<String, Tracked>,
}

pub struct Containers {
    conn: Connection,
    pub(super) store: Store,
    pub(super) state: Mutex<State>,
    docker: Mutex<Option<Docker>>,
    reconnect: Notify,
    pub(super) healer: Healer,
    pub(super) logs: LogFollowers,
}

impl Containers {
    pub fn start(
        conn: Connection,
        store: Store,
        alerts: Arc<AlertManager>,
        notices: Arc<Notices>,
    ) -> Arc<Self> {
        let containers = Arc::new(Self {
            conn: conn.clone(),
            store,
            state: Mutex::default(),
            docker: Mutex::default(),
            reconnect: Notify::new(),
            healer: Healer::new(alerts, notices),
            logs: LogFollowers::new(conn),
        });
        tokio::spawn(Self::run(Arc::downgrade(&containers)));
        containers
    }

    pub fn engine(&self) -> EngineStatus {
        self.state.lock().unwrap().engine.clone()
    }

    pub fn list(&self) -> Vec<ContainerInfo> {
        self.state
            .lock()
            .unwrap()
            .containers
            .values()
            .map(|t| t.info.clone())
            .collect()
    }

    pub fn docker(&self) -> Result<Docker, RoxyError> {
        self.docker.lock().unwrap().clone().ok_or_else(|| {
            let engine = self.engine();
            RoxyError::Unavailable(if engine.message.is_empty() {
                gettext("The container engine is not connected yet.")
            } else {
                engine.message
            })
        })
    }

    /// The id of the container named by `key`: a name, an id or an id prefix.
    pub fn find(&self, key: &str) -> Result<String, RoxyError> {
        let state = self.state.lock().unwrap();
        let key = key.trim_start_matches('/');
        let found: Vec<&String> = state
            .containers
            .iter()
            .filter(|(id, t)| t.info.name == key || *id == key)
            .map(|(id, _)| id)
            .collect();
        let found = if found.is_empty() && key.len() >= 4 {
            state
                .containers
                .keys()
                .filter(|id| id.starts_with(key))
                .collect()
        } else {
            found
        };
        match found.as_slice() {
            [id] => Ok((*id).clone()),
            [] => Err(RoxyError::NotFound(fill(
                &gettext("No container “{}”; `roxyctl infra containers` lists them."),
                &[&key],
            ))),
            _ => Err(RoxyError::InvalidInput(fill(
                &gettext("“{}” matches several containers; give more of the id or the name."),
                &[&key],
            ))),
        }
    }

    /// Uses another socket from now on (empty: find one again) and reconnects.
    pub async fn set_socket(&self, socket: &str) -> Result<(), RoxyError> {
        let failed = |e: roxy_core::StoreError| RoxyError::Failed(e.to_string());
        if socket.is_empty() {
            self.store
                .remove_setting(engine::SOCKET_SETTING)
                .await
                .map_err(failed)?;
        } else {
            if !socket.trim_start_matches("unix://").starts_with('/') {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("socket: “{}” must be an absolute path such as /run/user/1000/podman/podman.sock"),
                    &[&socket],
                )));
            }
            self.store
                .set_setting(engine::SOCKET_SETTING, socket)
                .await
                .map_err(failed)?;
        }
        self.reconnect.notify_one();
        Ok(())
    }

    pub async fn action(&self, id: &str, action: &str, actor: &str) -> Result<(), RoxyError> {
        let docker = self.docker()?;
        let name = self.name_of(id);
        self.mark_own_action(id);
        let result = match action {
            "start" => {
                docker
                    .start_container(id, None::<StartContainerOptions>)
                    .await
            }
            "stop" => {
                docker
                    .stop_container(id, None::<StopContainerOptions>)
                    .await
            }
            "restart" => {
                docker
                    .restart_container(id, None::<RestartContainerOptions>)
                    .await
            }
            other => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("action: “{}” is not one of: start, stop, restart"),
                    &[&other],
                )))
            }
        };
        // A person acting on a container starts its healing history afresh.
        if let Some(t) = self.state.lock().unwrap().containers.get_mut(id) {
            t.heal.reset();
        }
        let outcome = match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        let _ = self
            .store
            .audit(actor, &format!("container.{action}"), &name, &outcome, id)
            .await;
        result.map_err(|e| {
            RoxyError::Failed(fill(&gettext("Cannot {} “{}”: {}"), &[&action, &name, &e]))
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn tail_logs(
        &self,
        docker: &Docker,
        id: &str,
        lines: u32,
    ) -> Result<Vec<String>, String> {
        self.logs.tail(docker, id, lines).await
    }

    pub fn follow_logs(&self, docker: Docker, id: &str, caller: String) {
        self.logs.follow(docker, id, caller);
    }

    pub fn unfollow_logs(&self, id: &str, caller: &str) {
        self.logs.unfollow(id, caller);
    }

    pub(super) fn name_of(&self, id: &str) -> String {
        self.state
            .lock()
            .unwrap()
            .containers
            .get(id)
            .map(|t| t.info.name.clone())
            .unwrap_or_else(|| id.chars().take(12).collect())
    }

    /// Stop and die events in the next seconds come from this action, not from a crash.
    pub(super) fn mark_own_action(&self, id: &str) {
        if let Some(t) = self.state.lock().unwrap().containers.get_mut(id) {
            t.own_action_until = roxy_core::time::now_ms() + 30_000;
        }
    }

    /// `on`, `off` or `label` (forget the setting, follow the label).
    pub async fn set_healing(&self, id: &str, mode: &str, actor: &str) -> Result<(), RoxyError> {
        let name = self.name_of(id);
        let key = format!("{HEAL_SETTING_PREFIX}{name}");
        let failed = |e: roxy_core::StoreError| RoxyError::Failed(e.to_string());
        match mode {
            "on" | "off" => self.store.set_setting(&key, mode).await.map_err(failed)?,
            "label" => self.store.remove_setting(&key).await.map_err(failed)?,
            other => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("mode: “{}” is not one of: on, off, label"),
                    &[&other],
                )))
            }
        }
        let _ = self
            .store
            .audit(actor, "container.healing", &name, "ok", mode)
            .await;
        if let Ok(docker) = self.docker() {
            self.refresh(&docker, id).await;
        }
        Ok(())
    }

    async fn run(weak: Weak<Self>) {
        loop {
            let Some(this) = weak.upgrade() else { return };
            let chosen = this
                .store
                .setting(engine::SOCKET_SETTING)
                .await
                .ok()
                .flatten();
            let outcome: Result<(), (String, String)> = match engine::resolve(chosen) {
                Ok(socket) => {
                    let socket_text = socket.display().to_string();
                    match engine::connect(&socket).await {
                        Ok((docker, version)) => {
                            tracing::info!(socket = %socket_text, %version, "container engine connected");
                            this.set_engine(EngineStatus {
                                available: true,
                                socket: socket_text.clone(),
                                version,
                                message: String::new(),
                            })
                            .await;
                            *this.docker.lock().unwrap() = Some(docker.clone());
                            let reason = this.watch(&docker).await;
                            *this.docker.lock().unwrap() = None;
                            Err((socket_text, reason))
                        }
                        Err(message) => Err((socket_text, message)),
                    }
                }
                Err(message) => Err((String::new(), message)),
            };
            if let Err((socket, message)) = outcome {
                tracing::info!(%socket, "container engine unavailable: {message}");
                let was_available = this.engine().available;
                this.set_engine(EngineStatus {
                    available: false,
                    socket,
                    version: String::new(),
                    message,
                })
                .await;
                if was_available {
                    this.forget_all().await;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(RETRY_INTERVAL) => {}
                _ = this.reconnect.notified() => {}
            }
        }
    }

    /// Follows the engine's events until the connection ends; returns why it ended.
    async fn watch(self: &Arc<Self>, docker: &Docker) -> String {
        let filters = HashMap::from([("type", vec!["container"])]);
        // Subscribe first, then list: nothing that happens in between is missed.
        let mut events = docker.events(Some(EventsOptionsBuilder::new().filters(&filters).build()));
        self.resync(docker).await;
        let mut stats = tokio::time::interval(STATS_INTERVAL);
        stats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = events.next() => match event {
                    Some(Ok(event)) => self.on_event(docker, event).await,
                    Some(Err(e)) => return fill(&gettext("The engine's event stream broke: {}"), &[&e]),
                    None => return gettext("The engine closed its event stream."),
                },
                _ = stats.tick() => self.sample_stats(docker).await,
                _ = self.reconnect.notified() => return gettext("Reconnecting to another socket."),
            }
        }
    }

    /// Reads every container afresh (after connecting).
    async fn resync(self: &Arc<Self>, docker: &Docker) {
        let listed = match docker
            .list_containers(Some(ListContainersOptionsBuilder::new().all(true).build()))
            .await
        {
            Ok(listed) => listed,
            Err(e) => return tracing::warn!("cannot list containers: {e}"),
        };
        let ids: Vec<String> = listed.into_iter().filter_map(|c| c.id).collect();
        let gone: Vec<String> = {
            let state = self.state.lock().unwrap();
            state
                .containers
                .keys()
                .filter(|id| !ids.contains(id))
                .cloned()
                .collect()
        };
        for id in gone {
            self.remove(&id).await;
        }
        for id in &ids {
            self.refresh(docker, id).await;
            // Unhealthy already when Roxy arrives: it gets help too.
            let unhealthy = self
                .state
                .lock()
                .unwrap()
                .containers
                .get(id)
                .is_some_and(|t| t.info.health == "unhealthy");
            if unhealthy {
                self.healer
                    .on_trigger(self, id, roxy_core::infra::heal::Trigger::Unhealthy)
                    .await;
            }
        }
    }

    async fn on_event(self: &Arc<Self>, docker: &Docker, event: EventMessage) {
        let Some(action) = event.action.as_deref() else {
            return;
        };
        let Some(id) = event.actor.as_ref().and_then(|a| a.id.clone()) else {
            return;
        };
        let attributes = event.actor.and_then(|a| a.attributes).unwrap_or_default();
        // Exec and attach events say nothing about the container's state.
        if action.starts_with("exec_") || action == "attach" || action == "resize" {
            return;
        }
        tracing::debug!(%id, action, "container event");
        if action == "destroy" {
            return self.remove(&id).await;
        }
        self.refresh(docker, &id).await;
        self.healer.on_event(self, &id, action, &attributes).await;
    }

    /// Inspects one container and publishes what changed.
    pub(super) async fn refresh(&self, docker: &Docker, id: &str) {
        let inspected = match docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
        {
            Ok(inspected) => inspected,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => return self.remove(id).await,
            Err(e) => return tracing::warn!(%id, "cannot inspect container: {e}"),
        };
        let setting = self
            .store
            .setting(&format!(
                "{HEAL_SETTING_PREFIX}{}",
                inspected
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .trim_start_matches('/')
            ))
            .await
            .ok()
            .flatten()
            .map(|v| v == "on");
        let info = {
            let mut state = self.state.lock().unwrap();
            let tracked = state.containers.entry(id.to_owned()).or_default();
            tracked.apply_inspection(inspected, setting);
            tracked.info.clone()
        };
        self.emit_changed(info).await;
    }

    pub(super) async fn emit_changed(&self, info: ContainerInfo) {
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = InfraService::container_changed(&emitter, info).await;
        }
    }

    /// Recomputes the heal column of one container and publishes it.
    pub(super) async fn publish(&self, id: &str) {
        let info = {
            let mut state = self.state.lock().unwrap();
            let Some(t) = state.containers.get_mut(id) else {
                return;
            };
            t.refresh_heal(roxy_core::time::now_ms());
            t.info.clone()
        };
        self.emit_changed(info).await;
    }

    async fn remove(&self, id: &str) {
        let removed = self.state.lock().unwrap().containers.remove(id).is_some();
        if removed {
            self.logs.stop(id);
            if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
                let _ = InfraService::container_removed(&emitter, id).await;
            }
        }
    }

    async fn forget_all(&self) {
        let ids: Vec<String> = self
            .state
            .lock()
            .unwrap()
            .containers
            .keys()
            .cloned()
            .collect();
        for id in ids {
            self.remove(&id).await;
        }
    }

    async fn set_engine(&self, status: EngineStatus) {
        let changed = {
            let mut state = self.state.lock().unwrap();
            let changed = state.engine != status;
            state.engine = status.clone();
            changed
        };
        if changed {
            if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
                let _ = InfraService::engine_changed(&emitter, status).await;
            }
        }
    }

    /// One stats reading per running container; CPU is the change since the last one.
    async fn sample_stats(&self, docker: &Docker) {
        let running: Vec<String> = self
            .state
            .lock()
            .unwrap()
            .containers
            .iter()
            .filter(|(_, t)| t.info.state == "running")
            .map(|(id, _)| id.clone())
            .collect();
        let options = StatsOptionsBuilder::new()
            .stream(false)
            .one_shot(true)
            .build();
        for id in running {
            let Some(Ok(stats)) = docker.stats(&id, Some(options.clone())).next().await else {
                continue;
            };
            let info = {
                let mut state = self.state.lock().unwrap();
                let Some(t) = state.containers.get_mut(&id) else {
                    continue;
                };
                t.apply_stats(&stats);
                t.info.clone()
            };
            self.emit_changed(info).await;
        }
    }
}
