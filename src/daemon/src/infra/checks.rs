//! Runs every enabled check on its own timer. Results are gathered and, once a second,
//! written to the metric history in one transaction, sent as one `CheckResults` signal, and
//! changes between up and down are recorded. Hundreds of checks at 1 s stay cheap: one timer
//! task each, kept-alive HTTP connections, one write per second.

use super::probes::{Outcome, Prober};
use crate::alerting::ValueSource;
use crate::services::infra1::InfraService;
use roxy_core::infra::check::{CheckEvent, CheckSpec, MAX_CHECKS};
use roxy_core::time::now_ms;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use roxy_ipc::{CheckInfo, CheckResult, CheckSpecInfo, RoxyError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use zbus::object_server::SignalEmitter;
use zbus::Connection;

const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Default)]
struct Status {
    up: Option<bool>,
    latency_ms: f64,
    cert_days: Option<f64>,
    message: String,
    last_at: i64,
    since: i64,
}

pub struct Checks {
    conn: Connection,
    store: Store,
    specs: Mutex<BTreeMap<String, CheckSpec>>,
    tasks: Mutex<HashMap<String, tokio::task::AbortHandle>>,
    status: Mutex<BTreeMap<String, Status>>,
    /// Results since the last flush.
    pending: Mutex<Vec<(String, i64, Outcome)>>,
}

impl Checks {
    pub async fn start(conn: Connection, store: Store) -> Arc<Self> {
        let specs = store.checks().await.unwrap_or_else(|e| {
            tracing::warn!("cannot read checks: {e}");
            Vec::new()
        });
        let checks = Arc::new(Self {
            conn,
            store,
            specs: Mutex::default(),
            tasks: Mutex::default(),
            status: Mutex::default(),
            pending: Mutex::default(),
        });
        for spec in specs {
            checks.launch(spec);
        }
        let weak = Arc::downgrade(&checks);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(FLUSH_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(checks) = weak.upgrade() else { break };
                checks.flush().await;
            }
        });
        checks
    }

    /// Starts (or restarts) the timer of one check.
    fn launch(self: &Arc<Self>, spec: CheckSpec) {
        let name = spec.name.clone();
        if let Some(old) = self.tasks.lock().unwrap().remove(&name) {
            old.abort();
        }
        if spec.enabled {
            let weak = Arc::downgrade(self);
            let task = tokio::spawn(run_check(weak, spec.clone())).abort_handle();
            self.tasks.lock().unwrap().insert(name.clone(), task);
        } else {
            self.status.lock().unwrap().remove(&name);
        }
        self.specs.lock().unwrap().insert(name, spec);
    }

    pub async fn save(self: &Arc<Self>, info: &CheckSpecInfo) -> Result<(), RoxyError> {
        let input = roxy_core::infra::check::CheckInput {
            name: info.name.clone(),
            target: info.target.clone(),
            interval_ms: info.interval_ms,
            timeout_ms: info.timeout_ms,
            keyword: info.keyword.clone(),
            status: info.status,
            warn_days: info.warn_days,
            expect: info.expect.clone(),
        };
        let mut spec =
            CheckSpec::parse(&input).map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        spec.enabled = info.enabled;
        let count = self.specs.lock().unwrap().len();
        if count >= MAX_CHECKS && !self.specs.lock().unwrap().contains_key(&spec.name) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("There are {} checks already, the most Roxy runs."),
                &[&MAX_CHECKS],
            )));
        }
        self.store
            .save_check(&spec)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        self.status.lock().unwrap().remove(&spec.name);
        self.launch(spec);
        self.changed().await;
        Ok(())
    }

    pub async fn remove(&self, name: &str) -> Result<bool, RoxyError> {
        let removed = self
            .store
            .remove_check(name)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        if let Some(task) = self.tasks.lock().unwrap().remove(name) {
            task.abort();
        }
        self.specs.lock().unwrap().remove(name);
        self.status.lock().unwrap().remove(name);
        if removed {
            self.changed().await;
        }
        Ok(removed)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.specs.lock().unwrap().contains_key(name)
    }

    pub async fn list(&self) -> Vec<CheckInfo> {
        let now = now_ms();
        let means = |span| {
            let store = self.store.clone();
            async move {
                store
                    .metric_means("check.%.up", span, now)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .collect::<HashMap<String, f64>>()
            }
        };
        let (day, month) = (means(DAY_MS).await, means(30 * DAY_MS).await);
        let specs = self.specs.lock().unwrap().clone();
        let status = self.status.lock().unwrap().clone();
        specs
            .values()
            .map(|spec| {
                let s = status.get(&spec.name).cloned().unwrap_or_default();
                let up_metric = spec.metric("up");
                let percent =
                    |m: &HashMap<String, f64>| m.get(&up_metric).map(|v| v * 100.0).unwrap_or(-1.0);
                CheckInfo {
                    spec: spec_info(spec),
                    kind: spec.probe.kind().to_owned(),
                    up: match s.up {
                        Some(true) => 1,
                        Some(false) => 0,
                        None => -1,
                    },
                    latency_ms: s.latency_ms,
                    cert_days: s.cert_days.unwrap_or(-1.0),
                    message: s.message,
                    last_at: s.last_at,
                    since: s.since,
                    uptime_24h: percent(&day),
                    uptime_30d: percent(&month),
                }
            })
            .collect()
    }

    fn report(&self, name: &str, at: i64, outcome: Outcome) {
        // A check removed or replaced meanwhile no longer reports.
        if !self.tasks.lock().unwrap().contains_key(name) {
            return;
        }
        self.pending
            .lock()
            .unwrap()
            .push((name.to_owned(), at, outcome));
    }

    async fn flush(&self) {
        let results = std::mem::take(&mut *self.pending.lock().unwrap());
        if results.is_empty() {
            return;
        }
        let mut values = Vec::with_capacity(results.len() * 2);
        let mut events = Vec::new();
        let mut signal = Vec::with_capacity(results.len());
        {
            let mut status = self.status.lock().unwrap();
            for (name, at, outcome) in &results {
                let s = status.entry(name.clone()).or_default();
                if s.up != Some(outcome.up) {
                    s.since = *at;
                    events.push(CheckEvent {
                        check: name.clone(),
                        at_ms: *at,
                        up: outcome.up,
                        message: outcome.message.clone(),
                    });
                }
                s.up = Some(outcome.up);
                s.latency_ms = outcome.latency_ms;
                s.cert_days = outcome.cert_days;
                s.message = outcome.message.clone();
                s.last_at = *at;
                values.push((format!("check.{name}.up"), f64::from(u8::from(outcome.up))));
                values.push((format!("check.{name}.latency_ms"), outcome.latency_ms));
                if let Some(days) = outcome.cert_days {
                    values.push((format!("check.{name}.cert_days"), days));
                }
                signal.push(CheckResult {
                    name: name.clone(),
                    at: *at,
                    up: outcome.up,
                    latency_ms: outcome.latency_ms,
                    message: outcome.message.clone(),
                });
            }
        }
        if let Err(e) = self.store.record_metrics(now_ms(), &values).await {
            tracing::warn!("cannot store check results: {e}");
        }
        if !events.is_empty() {
            for e in &events {
                tracing::info!(check = %e.check, up = e.up, "{}", e.message);
            }
            if let Err(e) = self.store.record_check_events(&events).await {
                tracing::warn!("cannot store check events: {e}");
            }
        }
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = InfraService::check_results(&emitter, signal).await;
        }
    }

    async fn changed(&self) {
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = InfraService::checks_changed(&emitter).await;
        }
    }
}

impl ValueSource for Checks {
    fn values(&self) -> Vec<(String, f64)> {
        let status = self.status.lock().unwrap();
        let mut values = Vec::with_capacity(status.len() * 2);
        for (name, s) in status.iter() {
            let Some(up) = s.up else { continue };
            values.push((format!("check.{name}.up"), f64::from(u8::from(up))));
            values.push((format!("check.{name}.latency_ms"), s.latency_ms));
            if let Some(days) = s.cert_days {
                values.push((format!("check.{name}.cert_days"), days));
            }
        }
        values
    }
}

async fn run_check(checks: Weak<Checks>, spec: CheckSpec) {
    let prober = Prober::new(spec.probe.clone(), spec.timeout);
    let mut ticks = tokio::time::interval(spec.interval);
    // A slow probe delays the next one instead of piling them up.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let at = now_ms();
        let outcome = prober.run().await;
        let Some(checks) = checks.upgrade() else {
            return;
        };
        checks.report(&spec.name, at, outcome);
    }
}

pub fn spec_info(spec: &CheckSpec) -> CheckSpecInfo {
    let input = spec.input();
    CheckSpecInfo {
        name: input.name,
        target: input.target,
        interval_ms: input.interval_ms,
        timeout_ms: input.timeout_ms,
        keyword: input.keyword,
        status: input.status,
        warn_days: input.warn_days,
        expect: input.expect,
        enabled: spec.enabled,
    }
}
