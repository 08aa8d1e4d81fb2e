//! The link to one OBS instance: connect, read the whole state, follow events, and when OBS
//! goes away (or starts later) try again with a growing pause, up to a few seconds.

use super::state::{self, Applied};
use super::Context;
use crate::services::broadcast1::BroadcastService;
use futures_util::StreamExt;
use obws::client::{ConnectConfig, HandshakeError};
use obws::error::Error as ObsError;
use obws::events::Event;
use obws::requests::EventSubscription;
use obws::Client;
use roxy_core::broadcast::{secret_name, HealthWatch, Meters, ObsInstance};
use roxy_core::time::now_ms;
use roxy_ipc::broadcast::{MeterInfo, ObsInstanceInfo, ObsStateInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use zbus::object_server::SignalEmitter;
use zeroize::Zeroizing;

/// The pause after a refused connection doubles from this…
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// …up to this: OBS that starts later is found within a few seconds.
const MAX_RETRY: Duration = Duration::from_secs(3);
/// A wrong password or an old OBS will not fix itself quickly.
const SLOW_RETRY: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for OBS to answer the requests that read its state.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const STATS_EVERY: Duration = Duration::from_secs(2);
const METERS_EVERY: Duration = Duration::from_millis(100);
/// How long one `WatchMeters` call keeps meters coming.
pub const METER_LEASE_MS: i64 = 15_000;
/// obs-websocket's close code for a failed authentication.
const AUTHENTICATION_FAILED: u16 = 4009;

#[derive(Default)]
struct Status {
    link: &'static str,
    message: String,
    obs_version: String,
    websocket_version: String,
    retry_at_ms: i64,
}

pub struct Link {
    pub instance: ObsInstance,
    pub(super) ctx: Arc<Context>,
    client: Mutex<Option<Arc<Client>>>,
    status: Mutex<Status>,
    pub(super) state: Mutex<ObsStateInfo>,
    /// None until read from the secret store; then the stored password, if any.
    password: tokio::sync::Mutex<Option<Option<Zeroizing<String>>>>,
    has_password: AtomicBool,
    wake: Notify,
    stopped: AtomicBool,
    meters: Mutex<Meters>,
    meter_lease_until: AtomicI64,
    pub(super) health: Mutex<HealthWatch>,
    pub(super) sessions: Mutex<super::events::OpenSessions>,
}

enum Failure {
    Offline(String),
    /// obs-websocket answers before OBS has finished starting.
    Starting,
    TooOld(String),
    Auth,
    Other(String),
}

impl Link {
    pub fn start(instance: ObsInstance, ctx: Arc<Context>) -> Arc<Self> {
        let health = HealthWatch::new(ctx.thresholds());
        let link = Arc::new(Self {
            state: Mutex::new(ObsStateInfo {
                instance: instance.name.clone(),
                ..ObsStateInfo::default()
            }),
            instance,
            ctx,
            client: Mutex::new(None),
            status: Mutex::new(Status {
                link: "connecting",
                ..Status::default()
            }),
            password: tokio::sync::Mutex::new(None),
            has_password: AtomicBool::new(false),
            wake: Notify::new(),
            stopped: AtomicBool::new(false),
            meters: Mutex::new(Meters::default()),
            meter_lease_until: AtomicI64::new(0),
            health: Mutex::new(health),
            sessions: Mutex::new(Default::default()),
        });
        tokio::spawn(link.clone().run());
        link
    }

    pub fn name(&self) -> &str {
        &self.instance.name
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Connects again now (after a password change, or when asked).
    pub fn reconnect(&self) {
        self.wake.notify_one();
    }

    pub async fn set_password(&self, password: Option<Zeroizing<String>>) {
        self.has_password
            .store(password.is_some(), Ordering::SeqCst);
        *self.password.lock().await = Some(password);
        self.reconnect();
    }

    pub fn info(&self) -> ObsInstanceInfo {
        let status = self.status.lock().unwrap();
        ObsInstanceInfo {
            name: self.instance.name.clone(),
            host: self.instance.host.clone(),
            port: self.instance.port,
            link: status.link.into(),
            message: status.message.clone(),
            obs_version: status.obs_version.clone(),
            websocket_version: status.websocket_version.clone(),
            retry_at_ms: status.retry_at_ms,
            has_password: self.has_password.load(Ordering::SeqCst),
        }
    }

    pub fn state(&self) -> ObsStateInfo {
        self.state.lock().unwrap().clone()
    }

    /// The connected client, or why there is none.
    pub fn client(&self) -> Result<Arc<Client>, roxy_ipc::RoxyError> {
        if let Some(client) = self.client.lock().unwrap().clone() {
            return Ok(client);
        }
        let status = self.status.lock().unwrap();
        Err(roxy_ipc::RoxyError::Unavailable(fill(
            &gettext("OBS “{}” is not connected. {}"),
            &[&self.instance.name, &status.message],
        )))
    }

    pub fn watch_meters(&self) {
        self.meter_lease_until
            .store(now_ms() + METER_LEASE_MS, Ordering::SeqCst);
    }

    async fn run(self: Arc<Self>) {
        let mut retry = FIRST_RETRY;
        while !self.stopped.load(Ordering::SeqCst) {
            self.set_status("connecting", String::new(), 0).await;
            let delay = match self.connect().await {
                Ok(client) => {
                    retry = FIRST_RETRY;
                    let client = Arc::new(client);
                    if let Err(e) = self.serve(client.clone()).await {
                        tracing::warn!(instance = %self.instance.name, "OBS link: {e}");
                    }
                    *self.client.lock().unwrap() = None;
                    self.lost().await;
                    if self.stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    let message = gettext("The connection to OBS closed. Roxy keeps trying.");
                    self.set_status("offline", message, FIRST_RETRY.as_millis() as i64)
                        .await;
                    FIRST_RETRY
                }
                Err(failure) => {
                    let (link, message, delay) = self.describe(failure, &mut retry).await;
                    self.set_status(link, message, delay.as_millis() as i64)
                        .await;
                    delay
                }
            };
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.wake.notified() => {}
            }
        }
        tracing::debug!(instance = %self.instance.name, "OBS link stopped");
    }

    async fn password(&self) -> Option<Zeroizing<String>> {
        let mut cached = self.password.lock().await;
        if cached.is_none() {
            match self
                .ctx
                .secrets
                .get(&secret_name(&self.instance.name))
                .await
            {
                Ok(found) => *cached = Some(found),
                // No keyring: try without a password, and read again next time.
                Err(e) => {
                    tracing::debug!("OBS password: {e}");
                    return None;
                }
            }
        }
        let password = cached.clone().flatten();
        self.has_password
            .store(password.is_some(), Ordering::SeqCst);
        password
    }

    async fn connect(&self) -> Result<Client, Failure> {
        let password = self.password().await;
        let config = ConnectConfig {
            host: self.instance.host.as_str(),
            port: self.instance.port,
            password: password.as_deref().map(String::as_str),
            event_subscriptions: Some(
                EventSubscription::ALL | EventSubscription::INPUT_VOLUME_METERS,
            ),
            broadcast_capacity: 256,
            connect_timeout: CONNECT_TIMEOUT,
            dangerous: None,
        };
        let client = Client::connect_with_config(config)
            .await
            .map_err(classify)?;
        let version = client.general().version().await.map_err(classify)?;
        let mut status = self.status.lock().unwrap();
        status.obs_version = version.obs_studio_version.to_string();
        status.websocket_version = version.obs_web_socket_version.to_string();
        Ok(client)
    }

    async fn describe(
        &self,
        failure: Failure,
        retry: &mut Duration,
    ) -> (&'static str, String, Duration) {
        let address = format!("{}:{}", self.instance.host, self.instance.port);
        match failure {
            Failure::Offline(why) => {
                let delay = *retry;
                *retry = (*retry * 2).min(MAX_RETRY);
                let message = fill(
                    &gettext("OBS is not reachable at {} ({}). Start OBS and turn on its WebSocket server (Tools → WebSocket Server Settings); Roxy keeps trying."),
                    &[&address, &why],
                );
                ("offline", message, delay)
            }
            Failure::Starting => {
                let delay = FIRST_RETRY;
                let message = fill(
                    &gettext("OBS at {} is still starting; Roxy connects as soon as it is ready."),
                    &[&address],
                );
                ("connecting", message, delay)
            }
            Failure::TooOld(found) => {
                self.status.lock().unwrap().obs_version = found.clone();
                let message = fill(
                    &gettext("OBS {} at {} is too old: Roxy needs OBS 30.2 or newer (obs-websocket 5.5). Update OBS; Roxy tries again every minute."),
                    &[&found, &address],
                );
                ("too-old", message, SLOW_RETRY)
            }
            Failure::Auth => {
                let message = if self.has_password.load(Ordering::SeqCst) {
                    fill(
                        &gettext("OBS at {} refused the password. Enter the one shown in OBS → Tools → WebSocket Server Settings (roxyctl obs password {})."),
                        &[&address, &self.instance.name],
                    )
                } else {
                    fill(
                        &gettext("OBS at {} asks for a password and none is stored. Enter the one shown in OBS → Tools → WebSocket Server Settings (roxyctl obs password {})."),
                        &[&address, &self.instance.name],
                    )
                };
                ("auth-failed", message, SLOW_RETRY)
            }
            Failure::Other(why) => {
                let message = fill(
                    &gettext("Talking to OBS at {} failed: {}. Roxy tries again in a minute."),
                    &[&address, &why],
                );
                ("error", message, SLOW_RETRY)
            }
        }
    }

    async fn set_status(&self, link: &'static str, message: String, retry_in_ms: i64) {
        {
            let mut status = self.status.lock().unwrap();
            if status.link == link && status.message == message && link != "offline" {
                return;
            }
            status.link = link;
            status.message = message;
            status.retry_at_ms = if retry_in_ms > 0 {
                now_ms() + retry_in_ms
            } else {
                0
            };
        }
        let info = self.info();
        if let Ok(emitter) = SignalEmitter::new(&self.ctx.conn, roxy_ipc::names::DAEMON_PATH) {
            let _ = BroadcastService::instance_changed(&emitter, info).await;
        }
    }

    /// Follows one connection until it closes, is stopped, or a reconnect is asked for.
    async fn serve(self: &Arc<Self>, client: Arc<Client>) -> Result<(), ObsError> {
        // Listen before reading the state, so nothing that happens in between is missed.
        let mut events = client.events()?;
        self.read_state(&client).await?;
        *self.client.lock().unwrap() = Some(client.clone());
        self.set_status("connected", String::new(), 0).await;
        tracing::info!(instance = %self.instance.name, "connected to OBS");
        self.settle_alerts().await;
        self.adopt_running_outputs().await;
        self.emit_state().await;
        let mut stats = tokio::time::interval(STATS_EVERY);
        let mut meters = tokio::time::interval(METERS_EVERY);
        meters.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                event = events.next() => {
                    let Some(event) = event else { return Ok(()) };
                    self.on_event(&client, event).await;
                }
                _ = stats.tick() => {
                    if tokio::time::timeout(READ_TIMEOUT, self.poll_stats(&client)).await.is_err() {
                        tracing::warn!(instance = %self.instance.name, "OBS did not answer for statistics");
                        return Ok(());
                    }
                }
                _ = meters.tick(), if self.meter_lease_until.load(Ordering::SeqCst) > now_ms() => {
                    self.emit_meters().await;
                }
                () = self.wake.notified() => return Ok(()),
            }
        }
    }

    async fn on_event(self: &Arc<Self>, client: &Client, event: Event) {
        if let Event::InputVolumeMeters { inputs } = &event {
            let levels = inputs.iter().map(|input| {
                let peak = input
                    .levels
                    .iter()
                    .map(|channel| f64::from(channel[1]))
                    .fold(0.0, f64::max);
                (input.name.as_str(), peak)
            });
            self.meters.lock().unwrap().update(now_ms(), levels);
            return;
        }
        let applied = state::apply(&mut self.state.lock().unwrap(), &event);
        self.after_event(&event).await;
        match applied {
            Applied::Ignored => {}
            Applied::Changed => self.emit_state().await,
            Applied::Resync => {
                if let Err(e) = self.read_state(client).await {
                    tracing::warn!("OBS resync: {e}");
                }
                self.emit_state().await;
            }
        }
    }

    /// Reads OBS' whole state into the mirror, keeping what only roxyd knows (standing
    /// health issues, the last recording's file). A request in flight when OBS dies is never
    /// answered, so the read has a time limit.
    async fn read_state(&self, client: &Client) -> Result<(), ObsError> {
        let read = state::read_all(client, &self.instance.name);
        let mut fresh = tokio::time::timeout(READ_TIMEOUT, read)
            .await
            .map_err(|_| ObsError::Timeout)??;
        let mut state = self.state.lock().unwrap();
        fresh.issues = std::mem::take(&mut state.issues);
        fresh.record_file = std::mem::take(&mut state.record_file);
        *state = fresh;
        Ok(())
    }

    pub(super) async fn emit_state(&self) {
        let state = self.state();
        let recording = state.connected.then_some(state.record != "stopped");
        if !self.stopped.load(Ordering::SeqCst) {
            self.ctx.set_recording(self.name(), recording).await;
        }
        if let Ok(emitter) = SignalEmitter::new(&self.ctx.conn, roxy_ipc::names::DAEMON_PATH) {
            let _ = BroadcastService::state_changed(&emitter, state).await;
        }
    }

    async fn emit_meters(&self) {
        let meters: Vec<MeterInfo> = {
            let mut meters = self.meters.lock().unwrap();
            let Some(changed) = meters.take_changed() else {
                return;
            };
            changed
                .iter()
                .map(|m| MeterInfo {
                    input: m.input.clone(),
                    level_db: m.level_db,
                    peak_db: m.peak_db,
                })
                .collect()
        };
        if let Ok(emitter) = SignalEmitter::new(&self.ctx.conn, roxy_ipc::names::DAEMON_PATH) {
            let _ = BroadcastService::meters(&emitter, self.instance.name.clone(), meters).await;
        }
    }

    /// The connection closed: the mirror says so, and sessions and meters end with it.
    async fn lost(&self) {
        {
            let mut state = self.state.lock().unwrap();
            state.connected = false;
        }
        self.meters.lock().unwrap().clear();
        self.link_lost_during_output().await;
        self.emit_state().await;
    }
}

fn classify(e: ObsError) -> Failure {
    match e {
        ObsError::ObsStudioVersion(found, _) => Failure::TooOld(found.to_string()),
        ObsError::ObsWebsocketVersion(found, _) => {
            Failure::TooOld(format!("(obs-websocket {found})"))
        }
        ObsError::Handshake(HandshakeError::ConnectionClosed(Some(details)))
            if u16::from(details.code) == AUTHENTICATION_FAILED =>
        {
            Failure::Auth
        }
        ObsError::Api {
            code: obws::responses::StatusCode::NotReady,
            ..
        } => Failure::Starting,
        ObsError::Connect(e) => Failure::Offline(e.to_string()),
        ObsError::Timeout => Failure::Offline(gettext("no answer within 5 seconds")),
        other => Failure::Other(chain(&other)),
    }
}

/// An error with its causes, for messages.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
