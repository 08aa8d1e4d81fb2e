//! The scorecard: twenty measures of how well the studio, business and homelab are looked
//! after, each computed from live data where Roxy can measure it and plainly "not measured"
//! where it cannot. Grades follow fixed targets so a change in the score means a change in
//! the system, not in the scale.

use crate::store::{Store, StoreError};
use sqlx::Row;

const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Good,
    Fair,
    Poor,
    NotMeasured,
}

impl Grade {
    pub fn id(self) -> &'static str {
        match self {
            Grade::Good => "good",
            Grade::Fair => "fair",
            Grade::Poor => "poor",
            Grade::NotMeasured => "not-measured",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub id: &'static str,
    /// The measured value in `unit`; None when not measured.
    pub value: Option<f64>,
    /// `%`, `min`, `h`, `days`, `count` or `level` (0 critical … 4 full).
    pub unit: &'static str,
    pub grade: Grade,
    /// Why it is not measured, or what the value covers ("3 of 4 containers").
    pub detail: String,
}

/// What roxyd knows live that the database does not.
#[derive(Debug, Clone, Default)]
pub struct LiveFacts {
    pub containers: usize,
    /// Containers with a health check or self-healing.
    pub containers_watched: usize,
    pub containers_healing: usize,
    pub containers_gave_up: usize,
    pub engine_available: bool,
    pub checks: usize,
    pub checks_up: usize,
    pub runbooks: usize,
    /// Runbooks with a schedule or a file trigger.
    pub runbooks_automated: usize,
    /// The fewest days any TLS check's certificate has left.
    pub cert_min_days: Option<f64>,
    pub disk_used_pct: Option<f64>,
    /// 0 (critical) … 4 (full).
    pub energy_level: f64,
    /// The docs index: `None` while no folder is chosen.
    pub docs: Option<DocsFacts>,
}

#[derive(Debug, Clone, Default)]
pub struct DocsFacts {
    pub documents: u64,
    /// Documents with a front-matter title and tags.
    pub described: u64,
    /// How long the index has been behind the files, in hours.
    pub lag_hours: f64,
}

/// Higher is better: good at or above `good`, fair at or above `fair`.
fn at_least(value: f64, good: f64, fair: f64) -> Grade {
    if value >= good {
        Grade::Good
    } else if value >= fair {
        Grade::Fair
    } else {
        Grade::Poor
    }
}

/// Lower is better.
fn at_most(value: f64, good: f64, fair: f64) -> Grade {
    if value <= good {
        Grade::Good
    } else if value <= fair {
        Grade::Fair
    } else {
        Grade::Poor
    }
}

fn measured(
    id: &'static str,
    value: f64,
    unit: &'static str,
    grade: Grade,
    detail: String,
) -> Score {
    Score {
        id,
        value: Some(value),
        unit,
        grade,
        detail,
    }
}

fn not_measured(id: &'static str, unit: &'static str, why: &str) -> Score {
    Score {
        id,
        value: None,
        unit,
        grade: Grade::NotMeasured,
        detail: why.to_owned(),
    }
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64 * 100.0
}

impl Store {
    pub async fn scorecard(&self, live: &LiveFacts, now_ms: i64) -> Result<Vec<Score>, StoreError> {
        let month = now_ms - 30 * DAY_MS;
        let mut scores = Vec::with_capacity(20);

        // 1–2: what is watched, and how it is doing.
        scores.push(if live.containers == 0 {
            not_measured("monitoring_coverage", "%", "no containers")
        } else {
            let v = share(live.containers_watched, live.containers);
            measured(
                "monitoring_coverage",
                v,
                "%",
                at_least(v, 90.0, 50.0),
                format!(
                    "{} of {} containers",
                    live.containers_watched, live.containers
                ),
            )
        });
        scores.push(if live.checks == 0 {
            not_measured("checks_passing", "%", "no checks")
        } else {
            let v = share(live.checks_up, live.checks);
            measured(
                "checks_passing",
                v,
                "%",
                at_least(v, 100.0, 90.0),
                format!("{} of {} checks", live.checks_up, live.checks),
            )
        });

        // 3: uptime of every check over 30 days.
        let means = self.metric_means("check.%.up", 30 * DAY_MS, now_ms).await?;
        scores.push(if means.is_empty() {
            not_measured("uptime_30d", "%", "no check history")
        } else {
            let v = means.iter().map(|(_, m)| m).sum::<f64>() / means.len() as f64 * 100.0;
            measured(
                "uptime_30d",
                v,
                "%",
                at_least(v, 99.9, 99.0),
                format!("mean of {} checks", means.len()),
            )
        });

        // 4–6: incidents from the alerts.
        let (mttr, resolved) = self.alert_mttr(month).await?;
        scores.push(match mttr {
            Some(mttr) => {
                let minutes = mttr.as_secs_f64() / 60.0;
                measured(
                    "mttr_30d",
                    minutes,
                    "min",
                    at_most(minutes, 15.0, 60.0),
                    format!("{resolved} resolved alerts"),
                )
            }
            None => not_measured("mttr_30d", "min", "no resolved alerts in 30 days"),
        });
        let open = self.alerts(false, 10_000).await?.len();
        scores.push(measured(
            "open_alerts",
            open as f64,
            "count",
            at_most(open as f64, 0.0, 2.0),
            String::new(),
        ));
        let fired: i64 = sqlx::query("SELECT COUNT(*) AS n FROM alerts WHERE fired_at >= ?1")
            .bind(month)
            .fetch_one(self.pool())
            .await?
            .get("n");
        scores.push(measured(
            "incidents_30d",
            fired as f64,
            "count",
            at_most(fired as f64, 2.0, 10.0),
            String::new(),
        ));

        // 7–8: runbooks.
        scores.push(if live.runbooks == 0 {
            not_measured("runbook_coverage", "%", "no runbooks")
        } else {
            let v = share(live.runbooks_automated, live.runbooks);
            measured(
                "runbook_coverage",
                v,
                "%",
                at_least(v, 50.0, 20.0),
                format!(
                    "{} of {} runbooks scheduled or triggered",
                    live.runbooks_automated, live.runbooks
                ),
            )
        });
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, SUM(state = 'succeeded') AS ok FROM runbook_runs
             WHERE started_at >= ?1 AND state IN ('succeeded', 'failed', 'rolled_back', 'interrupted')",
        )
        .bind(month)
        .fetch_one(self.pool())
        .await?;
        let (total, ok): (i64, Option<i64>) = (row.get("total"), row.get("ok"));
        scores.push(if total == 0 {
            not_measured("run_success_30d", "%", "no finished runs in 30 days")
        } else {
            let v = share(ok.unwrap_or(0) as usize, total as usize);
            measured(
                "run_success_30d",
                v,
                "%",
                at_least(v, 95.0, 80.0),
                format!("{} of {total} runs", ok.unwrap_or(0)),
            )
        });

        // 9–10: self-healing.
        scores.push(if live.containers == 0 {
            not_measured("self_healing_coverage", "%", "no containers")
        } else {
            let v = share(live.containers_healing, live.containers);
            measured(
                "self_healing_coverage",
                v,
                "%",
                at_least(v, 80.0, 30.0),
                format!(
                    "{} of {} containers",
                    live.containers_healing, live.containers
                ),
            )
        });
        scores.push(if !live.engine_available {
            not_measured("containers_gave_up", "count", "no container engine")
        } else {
            let v = live.containers_gave_up as f64;
            measured(
                "containers_gave_up",
                v,
                "count",
                at_most(v, 0.0, 0.0),
                String::new(),
            )
        });

        // 11: the newest successful run of a backup runbook.
        let backup: Option<i64> = sqlx::query(
            "SELECT MAX(finished_at) AS at FROM runbook_runs WHERE state = 'succeeded'
             AND (runbook_id LIKE '%backup%' OR runbook_name LIKE '%backup%')",
        )
        .fetch_one(self.pool())
        .await?
        .get("at");
        scores.push(match backup {
            Some(at) => {
                let hours = (now_ms - at) as f64 / 3_600_000.0;
                measured(
                    "backup_freshness",
                    hours,
                    "h",
                    at_most(hours, 26.0, 72.0),
                    String::new(),
                )
            }
            None => not_measured(
                "backup_freshness",
                "h",
                "no successful run of a runbook named backup",
            ),
        });

        // 12: the newest secret scan.
        let scan = sqlx::query(
            "SELECT at, detail FROM audit_log WHERE action = 'secret.scan.done' ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        scores.push(match scan {
            Some(row) => {
                let found: f64 = row.get::<String, _>("detail").parse().unwrap_or(0.0);
                let days = (now_ms - row.get::<i64, _>("at")) as f64 / DAY_MS as f64;
                measured(
                    "secret_findings",
                    found,
                    "count",
                    if days > 30.0 {
                        Grade::Fair
                    } else {
                        at_most(found, 0.0, 0.0)
                    },
                    format!("scanned {days:.0} days ago"),
                )
            }
            None => not_measured(
                "secret_findings",
                "count",
                "never scanned (roxyctl secret scan)",
            ),
        });

        // 13–17: the host.
        scores.push(match live.cert_min_days {
            Some(days) => measured(
                "cert_min_days",
                days,
                "days",
                at_least(days, 30.0, 14.0),
                String::new(),
            ),
            None => not_measured("cert_min_days", "days", "no TLS checks"),
        });
        scores.push(match live.disk_used_pct {
            Some(used) => {
                let free = 100.0 - used;
                measured(
                    "disk_headroom",
                    free,
                    "%",
                    at_least(free, 20.0, 10.0),
                    String::new(),
                )
            }
            None => not_measured("disk_headroom", "%", "no reading yet"),
        });
        let mean = |metric: &'static str| async move {
            self.metric_means(metric, DAY_MS, now_ms)
                .await
                .map(|m| m.into_iter().next().map(|(_, v)| v))
        };
        scores.push(match mean("mem.used_pct").await? {
            Some(used) => {
                let free = 100.0 - used;
                measured(
                    "memory_headroom_24h",
                    free,
                    "%",
                    at_least(free, 20.0, 10.0),
                    String::new(),
                )
            }
            None => not_measured("memory_headroom_24h", "%", "no history yet"),
        });
        scores.push(match mean("cpu").await? {
            Some(cpu) => measured("cpu_24h", cpu, "%", at_most(cpu, 50.0, 80.0), String::new()),
            None => not_measured("cpu_24h", "%", "no history yet"),
        });
        let missed: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'schedule.missed' AND at >= ?1",
        )
        .bind(month)
        .fetch_one(self.pool())
        .await?
        .get("n");
        scores.push(measured(
            "schedules_missed_30d",
            missed as f64,
            "count",
            at_most(missed as f64, 0.0, 3.0),
            String::new(),
        ));

        // 18: energy.
        scores.push(measured(
            "energy",
            live.energy_level,
            "level",
            at_least(live.energy_level, 3.0, 2.0),
            String::new(),
        ));

        // 19: the docs index, with documentation coverage alongside.
        scores.push(match &live.docs {
            None => not_measured("docs_index_freshness", "h", "no docs folders chosen"),
            Some(docs) => measured(
                "docs_index_freshness",
                docs.lag_hours,
                "h",
                at_most(docs.lag_hours, 1.0, 24.0),
                format!(
                    "{} documents, {:.0} % with title and tags",
                    docs.documents,
                    share(docs.described as usize, docs.documents as usize)
                ),
            ),
        });

        // 20: a part of Roxy that does not exist yet.
        scores.push(not_measured(
            "broadcast_readiness",
            "%",
            "the Broadcast panel is not built yet",
        ));
        Ok(scores)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn twenty_scores_from_an_empty_database_and_live_facts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let live = LiveFacts {
            containers: 4,
            containers_watched: 3,
            containers_healing: 1,
            engine_available: true,
            checks: 2,
            checks_up: 2,
            disk_used_pct: Some(85.0),
            energy_level: 4.0,
            ..Default::default()
        };
        let scores = store.scorecard(&live, 100 * DAY_MS).await.unwrap();
        assert_eq!(scores.len(), 20);
        let get = |id: &str| scores.iter().find(|s| s.id == id).unwrap().clone();
        assert_eq!(get("monitoring_coverage").value, Some(75.0));
        assert_eq!(get("monitoring_coverage").grade, Grade::Fair);
        assert_eq!(get("checks_passing").grade, Grade::Good);
        assert_eq!(get("disk_headroom").grade, Grade::Fair);
        assert_eq!(get("self_healing_coverage").grade, Grade::Poor);
        assert_eq!(get("uptime_30d").grade, Grade::NotMeasured);
        assert_eq!(get("mttr_30d").grade, Grade::NotMeasured);
        assert_eq!(get("docs_index_freshness").grade, Grade::NotMeasured);
        assert_eq!(get("open_alerts").value, Some(0.0));
        let live = LiveFacts {
            docs: Some(DocsFacts {
                documents: 8,
                described: 2,
                lag_hours: 0.0,
            }),
            ..live
        };
        let scores = store.scorecard(&live, 100 * DAY_MS).await.unwrap();
        let docs = scores
            .iter()
            .find(|s| s.id == "docs_index_freshness")
            .unwrap();
        assert_eq!(docs.grade, Grade::Good);
        assert_eq!(docs.detail, "8 documents, 25 % with title and tags");
    }

    #[tokio::test]
    async fn incidents_and_mttr_come_from_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let now = 100 * DAY_MS;
        store
            .open_alert(
                "r",
                "a",
                crate::alerts::Severity::Critical,
                "down",
                0.0,
                now - 3_600_000,
            )
            .await
            .unwrap();
        store
            .resolve_alert("r", "a", now - 1_800_000)
            .await
            .unwrap();
        let scores = store.scorecard(&LiveFacts::default(), now).await.unwrap();
        let mttr = scores.iter().find(|s| s.id == "mttr_30d").unwrap();
        assert_eq!(mttr.value, Some(30.0));
        assert_eq!(mttr.grade, Grade::Fair);
        let incidents = scores.iter().find(|s| s.id == "incidents_30d").unwrap();
        assert_eq!(incidents.value, Some(1.0));
    }
}
