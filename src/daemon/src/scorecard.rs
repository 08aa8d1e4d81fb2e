//! What the scorecard needs from the running daemon (containers, checks, runbooks, the
//! sampler, the energy level), gathered into [`LiveFacts`] for roxy-core to grade.

use crate::energy::Energy;
use crate::infra::{Checks, Containers};
use crate::metrics::Sampler;
use crate::runbooks::Engine;
use roxy_core::scorecard::{LiveFacts, Score};
use roxy_ipc::ScoreInfo;
use std::collections::HashSet;
use std::sync::Arc;

pub struct ScoreSources {
    pub containers: Arc<Containers>,
    pub checks: Arc<Checks>,
    pub engine: Arc<Engine>,
    pub sampler: Arc<Sampler>,
    pub energy: Arc<Energy>,
    pub docs: Arc<crate::docs::DocsHub>,
}

impl ScoreSources {
    pub async fn facts(&self) -> LiveFacts {
        let containers = self.containers.list();
        let checks = self.checks.list().await;
        let runbooks = self.engine.list().await;
        let scheduled: HashSet<String> = self
            .engine
            .store
            .schedules()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.runbook_id)
            .collect();
        let usable: Vec<_> = runbooks.iter().filter(|r| r.errors.is_empty()).collect();
        LiveFacts {
            containers: containers.len(),
            containers_watched: containers
                .iter()
                .filter(|c| !c.health.is_empty() || c.heal != "off")
                .count(),
            containers_healing: containers.iter().filter(|c| c.heal != "off").count(),
            containers_gave_up: containers.iter().filter(|c| c.heal == "gave-up").count(),
            engine_available: self.containers.engine().available,
            checks: checks.iter().filter(|c| c.spec.enabled).count(),
            checks_up: checks.iter().filter(|c| c.up == 1).count(),
            runbooks: usable.len(),
            runbooks_automated: usable
                .iter()
                .filter(|r| !r.triggers.is_empty() || scheduled.contains(&r.id))
                .count(),
            cert_min_days: checks
                .iter()
                .filter(|c| c.cert_days >= 0.0)
                .map(|c| c.cert_days)
                .reduce(f64::min),
            disk_used_pct: self
                .sampler
                .latest()
                .into_iter()
                .find(|(name, _)| name == "disk.root_used_pct")
                .map(|(_, v)| v),
            energy_level: self.energy.level().value(),
            docs: {
                let status = self.docs.status();
                (!status.folders.is_empty()).then(|| roxy_core::scorecard::DocsFacts {
                    documents: status.documents,
                    described: status.described,
                    lag_hours: status.lag_seconds / 3600.0,
                })
            },
        }
    }
}

pub fn score_info(score: Score) -> ScoreInfo {
    ScoreInfo {
        id: score.id.to_owned(),
        value: score.value.unwrap_or(f64::NAN),
        unit: score.unit.to_owned(),
        grade: score.grade.id().to_owned(),
        detail: score.detail,
    }
}
