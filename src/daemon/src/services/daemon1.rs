//! `Daemon1`: version, status, health and database maintenance.

use crate::autostart;
use crate::maintenance;
use crate::supervisor::Supervisor;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{AuditEntry, DaemonStatus, JobState, RoxyError};
use std::sync::Arc;
use std::time::Instant;
use zbus::interface;
use zbus::zvariant::OwnedObjectPath;
use zbus::Connection;

/// Settings key: what the person last chose (the only record inside the Flatpak sandbox).
const START_AT_LOGIN: &str = "startup.at_login";

/// Longest payload `Ping` echoes; anything bigger is refused, not copied.
const MAX_PING_PAYLOAD: usize = 64 * 1024;

pub struct DaemonService {
    supervisor: Arc<Supervisor>,
    started: Instant,
}

impl DaemonService {
    pub fn new(supervisor: Arc<Supervisor>) -> Self {
        Self {
            supervisor,
            started: Instant::now(),
        }
    }

    /// `ok`, or `degraded` with the reason: today that is a failed latest database check.
    fn health(&self) -> (String, String) {
        let last_check = self
            .supervisor
            .list()
            .into_iter()
            .rev()
            .find(|job| job.kind == maintenance::CHECK_KIND && job.state.is_finished());
        match last_check {
            Some(job) if job.state == JobState::Failed => ("degraded".into(), job.message),
            _ => ("ok".into(), String::new()),
        }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Daemon1")]
impl DaemonService {
    fn ping(&self, payload: String) -> Result<String, RoxyError> {
        if payload.len() > MAX_PING_PAYLOAD {
            return Err(RoxyError::InvalidInput(format!(
                "Ping payload is {} bytes; at most {MAX_PING_PAYLOAD} are allowed.",
                payload.len()
            )));
        }
        Ok(payload)
    }

    fn get_status(&self) -> DaemonStatus {
        let store = self.supervisor.store();
        let (state, detail) = self.health();
        DaemonStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            state,
            detail,
            pid: std::process::id(),
            uptime_secs: self.started.elapsed().as_secs(),
            database_path: store.path().display().to_string(),
            database_bytes: store.size_bytes(),
            running_jobs: self.supervisor.running_count() as u32,
        }
    }

    async fn check_database(&self) -> Result<OwnedObjectPath, RoxyError> {
        maintenance::start_check(&self.supervisor).await
    }

    async fn backup_database(&self, destination: String) -> Result<OwnedObjectPath, RoxyError> {
        maintenance::start_backup(&self.supervisor, &destination).await
    }

    async fn audit(&self, search: String, limit: u32) -> Result<Vec<AuditEntry>, RoxyError> {
        if search.len() > 1024 {
            return Err(RoxyError::InvalidInput(
                "The search text may have at most 1024 bytes.".into(),
            ));
        }
        let entries = self
            .supervisor
            .store()
            .audit_search(&search, limit.clamp(1, 100_000))
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        Ok(entries
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id as u64,
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                result: e.result,
                detail: e.detail,
            })
            .collect())
    }

    /// Whether roxyd starts at login, and how: `systemd`, `autostart-file` or
    /// `background-portal`.
    async fn start_at_login(&self, #[zbus(connection)] conn: &Connection) -> (bool, String) {
        let remembered = self.supervisor.store().flag(START_AT_LOGIN).await;
        let (on, how) = autostart::state(conn, remembered).await;
        (on, how.id().to_owned())
    }

    async fn set_start_at_login(
        &self,
        enable: bool,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(bool, String), RoxyError> {
        let (on, how) = autostart::set(conn, enable).await.map_err(|e| {
            RoxyError::Failed(fill(&gettext("Cannot change start at login: {}"), &[&e]))
        })?;
        let value = if on { "true" } else { "false" };
        if let Err(e) = self
            .supervisor
            .store()
            .set_setting(START_AT_LOGIN, value)
            .await
        {
            tracing::warn!("cannot remember start at login: {e}");
        }
        Ok((on, how.id().to_owned()))
    }

    #[zbus(property)]
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    /// `ok` or `degraded`; `GetStatus` has the reason.
    #[zbus(property(emits_changed_signal = "false"))]
    fn status(&self) -> String {
        self.health().0
    }

    /// Seconds since roxyd started. Not signalled: it changes every second by definition.
    #[zbus(property(emits_changed_signal = "false"))]
    fn uptime(&self) -> u64 {
        self.started.elapsed().as_secs()
    }
}
