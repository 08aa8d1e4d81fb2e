//! `Infra1`: containers (state, actions, logs, self-healing) through the container engine,
//! and checks of hosts and services.

use crate::infra::containers::Containers;
use crate::infra::{Checks, Units};
use crate::services::caller;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{
    CheckEventInfo, CheckInfo, CheckResult, CheckSpecInfo, ContainerInfo, EngineStatus, RoxyError,
    UnitInfo,
};
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{interface, Connection};

/// The most log lines one call returns.
const MAX_LOG_LINES: u32 = 10_000;

pub struct InfraService {
    containers: Arc<Containers>,
    checks: Arc<Checks>,
    units: Arc<Units>,
}

impl InfraService {
    pub fn new(containers: Arc<Containers>, checks: Arc<Checks>, units: Arc<Units>) -> Self {
        Self {
            containers,
            checks,
            units,
        }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Infra1")]
impl InfraService {
    fn engine(&self) -> EngineStatus {
        self.containers.engine()
    }

    /// Points roxyd at another socket (empty: find one) and waits briefly for the outcome.
    async fn set_engine_socket(
        &self,
        socket: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<EngineStatus, RoxyError> {
        self.containers.set_socket(&socket).await?;
        let actor = caller::describe(conn, &header).await;
        let _ = self
            .containers_store()
            .audit(&actor, "infra.engine-socket", &socket, "ok", "")
            .await;
        // Connecting takes a moment; answer with the outcome when it is quick.
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let engine = self.containers.engine();
            let path = socket.trim_start_matches("unix://");
            if socket.is_empty() || engine.socket == path {
                return Ok(engine);
            }
        }
        Ok(self.containers.engine())
    }

    fn containers(&self) -> Vec<ContainerInfo> {
        self.containers.list()
    }

    async fn container_action(
        &self,
        container: String,
        action: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let id = self.containers.find(&container)?;
        let actor = caller::describe(conn, &header).await;
        self.containers.action(&id, &action, &actor).await
    }

    async fn container_logs(
        &self,
        container: String,
        lines: u32,
    ) -> Result<Vec<String>, RoxyError> {
        if lines == 0 || lines > MAX_LOG_LINES {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("lines: {} is outside 1–{}"),
                &[&lines, &MAX_LOG_LINES],
            )));
        }
        let id = self.containers.find(&container)?;
        let docker = self.containers.docker()?;
        self.containers
            .tail_logs(&docker, &id, lines)
            .await
            .map_err(RoxyError::Failed)
    }

    async fn follow_logs(
        &self,
        container: String,
        #[zbus(header)] header: Header<'_>,
    ) -> Result<String, RoxyError> {
        let id = self.containers.find(&container)?;
        let docker = self.containers.docker()?;
        let caller = header
            .sender()
            .map(|s| s.to_string())
            .ok_or_else(|| RoxyError::InvalidInput(gettext("The caller has no bus name.")))?;
        self.containers.follow_logs(docker, &id, caller);
        Ok(id)
    }

    async fn unfollow_logs(
        &self,
        container: String,
        #[zbus(header)] header: Header<'_>,
    ) -> Result<(), RoxyError> {
        let id = self.containers.find(&container)?;
        if let Some(sender) = header.sender() {
            self.containers.unfollow_logs(&id, sender.as_str());
        }
        Ok(())
    }

    async fn set_healing(
        &self,
        container: String,
        mode: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let id = self.containers.find(&container)?;
        let actor = caller::describe(conn, &header).await;
        self.containers.set_healing(&id, &mode, &actor).await
    }

    async fn checks(&self) -> Vec<CheckInfo> {
        self.checks.list().await
    }

    async fn save_check(
        &self,
        check: CheckSpecInfo,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        self.checks.save(&check).await?;
        let actor = caller::describe(conn, &header).await;
        let _ = self
            .containers_store()
            .audit(&actor, "check.save", &check.name, "ok", &check.target)
            .await;
        Ok(())
    }

    async fn remove_check(
        &self,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, RoxyError> {
        let removed = self.checks.remove(&name).await?;
        if removed {
            let actor = caller::describe(conn, &header).await;
            let _ = self
                .containers_store()
                .audit(&actor, "check.remove", &name, "ok", "")
                .await;
        }
        Ok(removed)
    }

    async fn check_events(
        &self,
        name: String,
        limit: u32,
    ) -> Result<Vec<CheckEventInfo>, RoxyError> {
        if !self.checks.exists(&name) {
            return Err(RoxyError::NotFound(fill(
                &gettext("No check “{}”; `roxyctl infra checks` lists them."),
                &[&name],
            )));
        }
        let events = self
            .containers_store()
            .check_events(&name, limit.min(1000))
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        Ok(events
            .into_iter()
            .map(|e| CheckEventInfo {
                at: e.at_ms,
                up: e.up,
                message: e.message,
            })
            .collect())
    }

    async fn units(&self) -> Vec<UnitInfo> {
        self.units.list().await
    }

    async fn unit_action(
        &self,
        unit: String,
        action: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let result = self.units.action(&unit, &action).await;
        let actor = caller::describe(conn, &header).await;
        let outcome = match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        let _ = self
            .containers_store()
            .audit(&actor, &format!("unit.{action}"), &unit, &outcome, "")
            .await;
        result
    }

    #[zbus(signal)]
    pub async fn units_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn check_results(
        emitter: &SignalEmitter<'_>,
        results: Vec<CheckResult>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn checks_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn engine_changed(
        emitter: &SignalEmitter<'_>,
        status: EngineStatus,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn container_changed(
        emitter: &SignalEmitter<'_>,
        container: ContainerInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn container_removed(emitter: &SignalEmitter<'_>, id: &str) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn container_log(
        emitter: &SignalEmitter<'_>,
        id: &str,
        lines: Vec<String>,
    ) -> zbus::Result<()>;
}

impl InfraService {
    fn containers_store(&self) -> &roxy_core::Store {
        self.containers.store()
    }
}
