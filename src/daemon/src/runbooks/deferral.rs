//! The energy policy for schedules: a heavy runbook whose schedule fires while the energy
//! level is below medium waits (one waiting run per runbook) and runs when power returns.
//! Both moments are in the audit log.

use super::Engine;
use crate::energy::Energy;
use crate::services::metrics1::MetricsService;
use roxy_core::runbook::Weight;
use roxy_core::time::now_ms;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use roxy_ipc::RoxyError;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use zbus::object_server::SignalEmitter;

/// A scheduled run waiting for power: who asked and since when.
#[derive(Debug, Clone)]
pub struct Deferred {
    pub actor: String,
    pub since_ms: i64,
}

#[derive(Default)]
pub struct Deferrals {
    waiting: Mutex<BTreeMap<String, Deferred>>,
}

impl Deferrals {
    pub fn since(&self, runbook: &str) -> i64 {
        self.waiting
            .lock()
            .unwrap()
            .get(runbook)
            .map(|d| d.since_ms)
            .unwrap_or(0)
    }

    pub fn list(&self) -> Vec<(String, Deferred)> {
        self.waiting
            .lock()
            .unwrap()
            .iter()
            .map(|(id, d)| (id.clone(), d.clone()))
            .collect()
    }
}

impl Engine {
    /// What a schedule does when it fires: run now, or wait for power if the runbook is heavy.
    pub async fn run_scheduled(self: &Arc<Self>, id: &str, actor: &str) -> Result<(), RoxyError> {
        let heavy = self.runbook(id)?.weight == Weight::Heavy;
        let level = self.energy.level();
        if heavy && !level.allows_heavy() {
            let first = {
                let mut waiting = self.deferrals.waiting.lock().unwrap();
                let first = !waiting.contains_key(id);
                waiting.entry(id.to_owned()).or_insert(Deferred {
                    actor: actor.to_owned(),
                    since_ms: now_ms(),
                });
                first
            };
            let detail = fill(
                &gettext("energy level {}; runs when it is medium or higher again"),
                &[&level.id()],
            );
            let result = if first {
                "deferred"
            } else {
                "already deferred"
            };
            self.audit(actor, "runbook.deferred", id, result, &detail)
                .await;
            tracing::info!(runbook = id, level = level.id(), "heavy runbook deferred");
            self.catalog_changed().await;
            self.energy_changed().await;
            return Ok(());
        }
        self.run(id, &HashMap::new(), &[], false, actor)
            .await
            .map(drop)
    }

    /// Runs what waited, once the level allows heavy work.
    async fn run_deferred(self: &Arc<Self>) {
        let waiting = std::mem::take(&mut *self.deferrals.waiting.lock().unwrap());
        if waiting.is_empty() {
            return;
        }
        for (id, deferred) in waiting {
            let actor = fill(&gettext("{} (deferred for power)"), &[&deferred.actor]);
            if let Err(e) = self.run(&id, &HashMap::new(), &[], false, &actor).await {
                self.audit(&actor, "runbook.run", &id, "refused", &e.human())
                    .await;
            }
        }
        self.catalog_changed().await;
        self.energy_changed().await;
    }

    /// Tells every window the level and what waits for it.
    pub async fn energy_changed(&self) {
        let info = crate::services::metrics1::energy_info(&self.energy, self);
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = MetricsService::energy_changed(&emitter, info).await;
        }
    }
}

/// Watches the energy level and releases deferred runs when it rises.
pub fn spawn(engine: Weak<Engine>, energy: Arc<Energy>) {
    let mut levels = energy.watch();
    tokio::spawn(async move {
        while levels.changed().await.is_ok() {
            let level = *levels.borrow_and_update();
            let Some(engine) = engine.upgrade() else {
                break;
            };
            engine.energy_changed().await;
            if level.allows_heavy() {
                engine.run_deferred().await;
            }
        }
    });
}
