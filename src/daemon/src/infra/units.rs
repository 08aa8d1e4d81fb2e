//! systemd units through `org.freedesktop.systemd1`: the user manager on the session bus
//! (start, stop, restart) and the system manager on the system bus (read only). Changes come
//! from the managers' signals; roxyd forwards them as `UnitsChanged`.

use crate::services::infra1::InfraService;
use futures_util::StreamExt;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use roxy_ipc::{RoxyError, UnitInfo};
use std::sync::Arc;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::{proxy, Connection};

/// The unit types worth showing: what a person starts, stops or schedules.
const SHOWN_SUFFIXES: [&str; 3] = [".service", ".timer", ".socket"];

/// One row of `ListUnits`.
type UnitRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

#[proxy(
    interface = "org.freedesktop.systemd1.Manager",
    default_service = "org.freedesktop.systemd1",
    default_path = "/org/freedesktop/systemd1",
    gen_blocking = false
)]
trait Manager {
    fn list_units(&self) -> zbus::Result<Vec<UnitRow>>;
    fn start_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn stop_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn restart_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    /// Without it, the manager sends no signals.
    fn subscribe(&self) -> zbus::Result<()>;
    #[zbus(signal)]
    fn job_removed(
        &self,
        id: u32,
        job: OwnedObjectPath,
        unit: String,
        result: String,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn unit_new(&self, id: String, unit: OwnedObjectPath) -> zbus::Result<()>;
    #[zbus(signal)]
    fn unit_removed(&self, id: String, unit: OwnedObjectPath) -> zbus::Result<()>;
}

pub struct Units {
    session: Connection,
    system: Option<Connection>,
}

impl Units {
    pub async fn start(session: Connection) -> Arc<Self> {
        let system = Connection::system().await.ok();
        let units = Arc::new(Self { session, system });
        for conn in std::iter::once(&units.session).chain(units.system.as_ref()) {
            tokio::spawn(watch(conn.clone(), units.session.clone()));
        }
        units
    }

    /// Units of both managers; a manager that is not there contributes nothing.
    pub async fn list(&self) -> Vec<UnitInfo> {
        let mut all = list(&self.session, "user").await.unwrap_or_default();
        if let Some(system) = &self.system {
            all.extend(list(system, "system").await.unwrap_or_default());
        }
        all
    }

    /// `start`, `stop` or `restart` of a user unit.
    pub async fn action(&self, name: &str, action: &str) -> Result<(), RoxyError> {
        if !SHOWN_SUFFIXES.iter().any(|s| name.ends_with(s)) || name.contains('/') {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("unit: “{}” must be a .service, .timer or .socket name"),
                &[&name],
            )));
        }
        let user = list(&self.session, "user").await.map_err(|e| {
            RoxyError::Unavailable(fill(
                &gettext("The systemd user manager does not answer: {}"),
                &[&e],
            ))
        })?;
        if !user.iter().any(|u| u.name == name) {
            let system = match &self.system {
                Some(system) => list(system, "system").await.unwrap_or_default(),
                None => Vec::new(),
            };
            if system.iter().any(|u| u.name == name) {
                return Err(RoxyError::Denied(fill(
                    &gettext("“{}” is a system unit; Roxy shows system units but does not change them (use systemctl with administrator rights)."),
                    &[&name],
                )));
            }
            return Err(RoxyError::NotFound(fill(
                &gettext("No user unit “{}”; `roxyctl infra units` lists them."),
                &[&name],
            )));
        }
        let manager = ManagerProxy::new(&self.session)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        let result = match action {
            "start" => manager.start_unit(name, "replace").await,
            "stop" => manager.stop_unit(name, "replace").await,
            "restart" => manager.restart_unit(name, "replace").await,
            other => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("action: “{}” is not one of: start, stop, restart"),
                    &[&other],
                )))
            }
        };
        result.map(drop).map_err(|e| {
            RoxyError::Failed(fill(&gettext("Cannot {} “{}”: {}"), &[&action, &name, &e]))
        })
    }
}

async fn list(conn: &Connection, scope: &str) -> zbus::Result<Vec<UnitInfo>> {
    let manager = ManagerProxy::new(conn).await?;
    let mut units: Vec<UnitInfo> = manager
        .list_units()
        .await?
        .into_iter()
        .filter(|row| SHOWN_SUFFIXES.iter().any(|s| row.0.ends_with(s)))
        .map(|row| UnitInfo {
            name: row.0,
            description: row.1,
            scope: scope.to_owned(),
            load_state: row.2,
            active_state: row.3,
            sub_state: row.4,
        })
        .collect();
    units.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(units)
}

/// Subscribes to one manager (once it is on the bus) and tells roxyd's clients when its
/// units change.
async fn watch(manager_bus: Connection, ours: Connection) {
    let Ok(manager) = ManagerProxy::new(&manager_bus).await else {
        return;
    };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&manager_bus).await else {
        return;
    };
    let Ok(mut arrivals) = dbus
        .receive_name_owner_changed_with_args(&[(0, "org.freedesktop.systemd1")])
        .await
    else {
        return;
    };
    while manager.subscribe().await.is_err() {
        // No manager yet: wait until one takes the name.
        loop {
            let Some(change) = arrivals.next().await else {
                return;
            };
            if change.args().is_ok_and(|a| a.new_owner().is_some()) {
                break;
            }
        }
    }
    if let Ok(emitter) = SignalEmitter::new(&ours, DAEMON_PATH) {
        let _ = InfraService::units_changed(&emitter).await;
    }
    let (Ok(jobs), Ok(added), Ok(removed)) = (
        manager.receive_job_removed().await,
        manager.receive_unit_new().await,
        manager.receive_unit_removed().await,
    ) else {
        return;
    };
    // A unit that fails or exits by itself changes its ActiveState without a job.
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("org.freedesktop.DBus.Properties")
        .and_then(|r| r.member("PropertiesChanged"))
        .and_then(|r| r.path_namespace("/org/freedesktop/systemd1/unit"))
        .map(|r| r.build());
    let properties = match rule {
        Ok(rule) => zbus::MessageStream::for_match_rule(rule, &manager_bus, None)
            .await
            .ok(),
        Err(_) => None,
    };
    let mut changes = futures_util::stream::select_all([
        jobs.map(|_| ()).boxed(),
        added.map(|_| ()).boxed(),
        removed.map(|_| ()).boxed(),
    ]);
    let mut properties = properties.map(|p| p.map(|_| ()).boxed());
    loop {
        let next = async {
            match properties.as_mut() {
                Some(p) => tokio::select! {
                    a = changes.next() => a,
                    b = p.next() => b,
                },
                None => changes.next().await,
            }
        };
        if next.await.is_none() {
            break;
        }
        // A start touches several properties at once: one signal for the burst.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if let Ok(emitter) = SignalEmitter::new(&ours, DAEMON_PATH) {
            let _ = InfraService::units_changed(&emitter).await;
        }
    }
}
