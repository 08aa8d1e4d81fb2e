//! roxyd on the session bus: serve the objects, claim the name, notice when to stop.

use crate::alerting::{AlertManager, ValueSource};
use crate::metrics::Sampler;
use crate::notifications::Notices;
use crate::runbooks::Engine;
use crate::secrets::SecretStore;
use crate::services::metrics1::MetricsService;
use crate::services::notifications1::NotificationsService;
use crate::services::secrets1::SecretsService;
use crate::services::{daemon1::DaemonService, jobs1::JobsService, runbooks1::RunbooksService};
use crate::supervisor::Supervisor;
use crate::tray::{Tray, TrayAction, TrayState};
use anyhow::bail;
use futures_util::StreamExt;
use roxy_core::Store;
use roxy_ipc::names::{DAEMON_BUS_NAME, DAEMON_PATH};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, Notify};
use zbus::fdo::{RequestNameFlags, RequestNameReply};
use zbus::message::Type as MessageType;
use zbus::{Connection, MatchRule, MessageStream};

/// Grace period for running jobs when roxyd stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// SIGTERM and SIGINT, caught from the first moment: a signal that arrives while roxyd is
/// still starting is handled once it is up, instead of killing it with its bus name held.
pub struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }
}

pub struct Daemon {
    conn: Connection,
    supervisor: Arc<Supervisor>,
    tray: Arc<Tray>,
    /// "Quit Daemon" in the tray.
    quit: Arc<Notify>,
    broadcast: Arc<crate::broadcast::BroadcastHub>,
    voice: Arc<crate::voice::VoiceHub>,
}

/// Exports every interface, then claims the bus name: a caller that activated roxyd finds
/// the objects in place the moment the name appears.
pub async fn serve(
    store: Store,
    runbook_dirs: Vec<std::path::PathBuf>,
    config_dir: &std::path::Path,
) -> anyhow::Result<Daemon> {
    let conn = zbus::connection::Builder::session()?.build().await?;
    let supervisor = Supervisor::new(conn.clone(), store.clone());
    let server = conn.object_server();
    server
        .at(DAEMON_PATH, DaemonService::new(supervisor.clone()))
        .await?;
    server
        .at(DAEMON_PATH, JobsService::new(supervisor.clone()))
        .await?;
    supervisor.restore_history().await?;
    let secrets = Arc::new(SecretStore::default());
    let (notices, invoked) = Notices::start(&conn, store.clone(), secrets.clone()).await;
    let energy = Arc::new(crate::energy::Energy::new());
    let sampler = Sampler::start(store.clone(), energy.clone(), conn.clone());
    let alerts = AlertManager::start(store.clone(), notices.clone(), conn.clone()).await;
    alerts.add_source(Arc::downgrade(&sampler) as Weak<dyn ValueSource>);
    let containers = crate::infra::Containers::start(
        conn.clone(),
        store.clone(),
        alerts.clone(),
        notices.clone(),
    );
    let checks = crate::infra::Checks::start(conn.clone(), store.clone()).await;
    alerts.add_source(Arc::downgrade(&checks) as Weak<dyn ValueSource>);
    server
        .at(
            DAEMON_PATH,
            crate::services::infra1::InfraService::new(
                containers.clone(),
                checks.clone(),
                crate::infra::Units::start(conn.clone()).await,
            ),
        )
        .await?;
    let engine = Engine::start(
        store.clone(),
        supervisor.clone(),
        conn.clone(),
        runbook_dirs,
        (notices.clone(), invoked),
        secrets.clone(),
        energy.clone(),
    )
    .await;
    server
        .at(DAEMON_PATH, RunbooksService::new(engine.clone()))
        .await?;
    let docs = crate::docs::DocsHub::start(store.clone(), conn.clone(), supervisor.clone()).await;
    alerts.add_source(Arc::downgrade(&docs) as Weak<dyn ValueSource>);
    server
        .at(
            DAEMON_PATH,
            crate::services::docs1::DocsService::new(docs.clone()),
        )
        .await?;
    server
        .at(
            DAEMON_PATH,
            MetricsService::new(
                alerts.clone(),
                crate::prometheus::Exporter::start(&alerts, store.clone()).await,
                crate::scorecard::ScoreSources {
                    containers,
                    checks,
                    engine: engine.clone(),
                    sampler,
                    energy,
                    docs,
                },
                store.clone(),
            ),
        )
        .await?;
    let broadcast = crate::broadcast::BroadcastHub::start(
        conn.clone(),
        store.clone(),
        secrets.clone(),
        notices.clone(),
        alerts.clone(),
    )
    .await;
    server
        .at(
            DAEMON_PATH,
            crate::services::broadcast1::BroadcastService::new(broadcast.clone()),
        )
        .await?;
    let crm = crate::crm::CrmHub::start(store.clone(), secrets.clone(), notices.clone()).await;
    server
        .at(
            DAEMON_PATH,
            crate::services::crm1::CrmService::new(crm.clone(), supervisor.clone()),
        )
        .await?;
    let data_dir = store
        .path()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let voice = crate::voice::VoiceHub::start(
        conn.clone(),
        store.clone(),
        (&data_dir, config_dir),
        broadcast.clone(),
        engine.clone(),
        crm,
        supervisor.clone(),
    )
    .await;
    alerts.add_source(Arc::downgrade(&voice) as Weak<dyn ValueSource>);
    server
        .at(
            DAEMON_PATH,
            crate::services::voice1::VoiceService::new(voice.clone()),
        )
        .await?;
    server
        .at(
            DAEMON_PATH,
            NotificationsService::new(notices, engine.clone(), store, secrets.clone()),
        )
        .await?;
    server
        .at(
            DAEMON_PATH,
            SecretsService::new(secrets, engine.clone(), supervisor.clone()),
        )
        .await?;

    // The tray is up (and watching for a tray host) before anyone can see roxyd: ksni misses a
    // StatusNotifierWatcher that appears while its item is still being set up.
    let (tray, clicks) = Tray::start(TrayState::default()).await;
    let tray = Arc::new(tray);
    engine.attach_tray(tray.clone()).await;
    broadcast.attach_tray(tray.clone()).await;
    let quit = Arc::new(Notify::new());
    voice.attach_tray(tray.clone()).await;
    spawn_tray_actions(
        Arc::downgrade(&engine),
        Arc::downgrade(&broadcast),
        Arc::downgrade(&voice),
        clicks,
        quit.clone(),
    );

    let taken = match conn
        .request_name_with_flags(DAEMON_BUS_NAME, RequestNameFlags::DoNotQueue.into())
        .await
    {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => false,
        Ok(_) | Err(zbus::Error::NameTaken) => true,
        Err(e) => return Err(e.into()),
    };
    if taken {
        tray.shutdown().await;
        bail!("another roxyd already runs on this session bus (it owns {DAEMON_BUS_NAME}); only one may run at a time");
    }
    tracing::info!(name = DAEMON_BUS_NAME, "serving on the session bus");
    Ok(Daemon {
        conn,
        supervisor,
        tray,
        quit,
        broadcast,
        voice,
    })
}

/// Carries out tray clicks.
fn spawn_tray_actions(
    engine: Weak<Engine>,
    broadcast: Weak<crate::broadcast::BroadcastHub>,
    voice: Weak<crate::voice::VoiceHub>,
    mut clicks: mpsc::UnboundedReceiver<TrayAction>,
    quit: Arc<Notify>,
) {
    tokio::spawn(async move {
        while let Some(action) = clicks.recv().await {
            let Some(engine) = engine.upgrade() else {
                break;
            };
            let result = match action {
                TrayAction::OpenWindow => {
                    crate::window::open().await;
                    Ok(())
                }
                TrayAction::RunRunbook(id) => engine
                    .run(&id, &Default::default(), &[], false, "tray")
                    .await
                    .map(drop),
                TrayAction::SuspendSchedules(suspend) => {
                    engine.suspend_schedules(suspend, "tray").await
                }
                TrayAction::DoNotDisturb(on) => {
                    let result = engine.notices().set_dnd(on).await;
                    let target = if on { "on" } else { "off" };
                    engine.audit("tray", "notify.dnd", target, "ok", "").await;
                    engine.refresh_tray().await;
                    result.map_err(|e| roxy_ipc::RoxyError::Failed(e.to_string()))
                }
                TrayAction::Record { instance, start } => {
                    let Some(broadcast) = broadcast.upgrade() else {
                        continue;
                    };
                    let action = if start { "start" } else { "stop" };
                    let result = match broadcast.link(&instance) {
                        Ok(link) => link.record(action).await.map(drop),
                        Err(e) => Err(e),
                    };
                    let outcome = if result.is_ok() { "ok" } else { "failed" };
                    engine
                        .audit(
                            "tray",
                            "broadcast.record",
                            &format!("obs:{instance}"),
                            outcome,
                            action,
                        )
                        .await;
                    result
                }
                TrayAction::Listen => match voice.upgrade() {
                    Some(voice) => voice.listen().await,
                    None => continue,
                },
                TrayAction::Quit => {
                    engine.audit("tray", "daemon.quit", "roxyd", "ok", "").await;
                    quit.notify_one();
                    Ok(())
                }
            };
            if let Err(e) = result {
                tracing::warn!("tray action failed: {e}");
            }
        }
    });
}

impl Daemon {
    /// Resolves with the reason to stop: a signal, the bus going away, losing the name, or
    /// Quit in the tray.
    pub async fn wait_for_stop(&self, mut signals: StopSignals) -> String {
        tokio::select! {
            _ = signals.term.recv() => "SIGTERM".into(),
            _ = signals.int.recv() => "SIGINT".into(),
            _ = self.quit.notified() => "Quit from the tray".into(),
            reason = self.bus_gone() => reason,
        }
    }

    /// A daemon that outlives its bus would hang forever; watch for the end of the connection.
    async fn bus_gone(&self) -> String {
        let rule = MatchRule::builder()
            .msg_type(MessageType::Signal)
            .sender("org.freedesktop.DBus")
            .and_then(|b| b.interface("org.freedesktop.DBus"))
            .and_then(|b| b.member("NameLost"))
            .map(|b| b.build());
        let stream = match rule {
            Ok(rule) => MessageStream::for_match_rule(rule, &self.conn, None).await,
            Err(e) => Err(e),
        };
        let mut stream = match stream {
            Ok(s) => s,
            Err(e) => return format!("cannot watch the bus: {e}"),
        };
        while let Some(message) = stream.next().await {
            match message {
                Err(e) => return format!("bus connection closed ({e})"),
                Ok(m) => {
                    let lost: Result<String, _> = m.body().deserialize();
                    if lost.as_deref() == Ok(DAEMON_BUS_NAME) {
                        return "lost the bus name".into();
                    }
                }
            }
        }
        "bus connection closed".into()
    }

    pub async fn shutdown(self) {
        self.broadcast.shutdown();
        self.voice.shutdown();
        self.tray.shutdown().await;
        self.supervisor.shutdown(SHUTDOWN_GRACE).await;
        let _ = self.conn.release_name(DAEMON_BUS_NAME).await;
    }
}
