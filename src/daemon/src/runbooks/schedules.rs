//! Adding, removing and pausing schedules (the firing is in `scheduler`).

use super::{failed, Engine};
use crate::services::runbooks1::RunbooksService;
use roxy_core::schedule::{Missed, Spec};
use roxy_core::settings::SCHEDULES_SUSPENDED;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use roxy_ipc::{RoxyError, ScheduleInfo};
use zbus::object_server::SignalEmitter;

impl Engine {
    pub async fn schedules_suspended(&self) -> bool {
        self.store.flag(SCHEDULES_SUSPENDED).await
    }

    /// Pauses (or resumes) every schedule at once without touching each one's own pause.
    /// Fire times that pass meanwhile are handled by each schedule's missed-run policy.
    pub async fn suspend_schedules(&self, suspended: bool, actor: &str) -> Result<(), RoxyError> {
        self.store
            .set_setting(
                SCHEDULES_SUSPENDED,
                if suspended { "true" } else { "false" },
            )
            .await
            .map_err(failed)?;
        self.audit(
            actor,
            if suspended {
                "schedule.pause-all"
            } else {
                "schedule.resume-all"
            },
            "*",
            "ok",
            "",
        )
        .await;
        self.schedule_wake.notify_one();
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::schedules_changed(&emitter).await;
        }
        self.refresh_tray().await;
        Ok(())
    }

    pub async fn list_schedules(&self) -> Result<Vec<ScheduleInfo>, RoxyError> {
        let records = self.store.schedules().await.map_err(failed)?;
        Ok(records
            .into_iter()
            .map(|r| ScheduleInfo {
                id: r.id as u64,
                runbook_id: r.runbook_id,
                kind: r.kind,
                spec: r.spec,
                missed: r.missed,
                paused: r.paused,
                last_fire_at: r.last_fire_at.unwrap_or(0),
                next_fire_at: if r.paused {
                    0
                } else {
                    r.next_fire_at.unwrap_or(0)
                },
            })
            .collect())
    }

    pub async fn add_schedule(
        &self,
        runbook_id: &str,
        kind: &str,
        spec: &str,
        missed: &str,
        actor: &str,
    ) -> Result<u64, RoxyError> {
        self.runbook(runbook_id)?;
        let parsed = Spec::parse(kind, spec).map_err(RoxyError::InvalidInput)?;
        let missed = Missed::parse(missed).map_err(RoxyError::InvalidInput)?;
        let next = parsed.next_after(chrono::Local::now()).ok_or_else(|| {
            RoxyError::InvalidInput(fill(&gettext("The schedule `{}` never fires."), &[&spec]))
        })?;
        let id = self
            .store
            .add_schedule(runbook_id, kind, spec, missed, next.timestamp_millis())
            .await
            .map_err(failed)?;
        self.audit(
            actor,
            "schedule.add",
            runbook_id,
            "ok",
            &format!("#{id} {kind} {spec}"),
        )
        .await;
        self.schedules_changed().await;
        Ok(id as u64)
    }

    pub async fn remove_schedule(&self, id: u64, actor: &str) -> Result<(), RoxyError> {
        if !self
            .store
            .remove_schedule(id as i64)
            .await
            .map_err(failed)?
        {
            return Err(no_schedule(id));
        }
        self.audit(actor, "schedule.remove", &format!("#{id}"), "ok", "")
            .await;
        self.schedules_changed().await;
        Ok(())
    }

    pub async fn set_schedule_paused(
        &self,
        id: u64,
        paused: bool,
        actor: &str,
    ) -> Result<(), RoxyError> {
        let record = self
            .store
            .schedules()
            .await
            .map_err(failed)?
            .into_iter()
            .find(|s| s.id == id as i64)
            .ok_or_else(|| no_schedule(id))?;
        // Resuming starts counting from now rather than replaying the paused time.
        let next = if paused {
            None
        } else {
            Spec::parse(&record.kind, &record.spec)
                .ok()
                .and_then(|s| s.next_after(chrono::Local::now()))
                .map(|t| t.timestamp_millis())
        };
        self.store
            .set_schedule_paused(id as i64, paused, next)
            .await
            .map_err(failed)?;
        self.audit(
            actor,
            if paused {
                "schedule.pause"
            } else {
                "schedule.resume"
            },
            &record.runbook_id,
            "ok",
            &format!("#{id}"),
        )
        .await;
        self.schedules_changed().await;
        Ok(())
    }

    async fn schedules_changed(&self) {
        self.schedule_wake.notify_one();
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::schedules_changed(&emitter).await;
        }
    }
}

fn no_schedule(id: u64) -> RoxyError {
    RoxyError::NotFound(fill(
        &gettext("There is no schedule {}. `roxyctl schedule list` shows them."),
        &[&id],
    ))
}
