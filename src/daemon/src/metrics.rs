//! The metrics sampler: reads /proc every second, keeps the latest values for `Current`,
//! and writes them into the downsampled history (pruned once a minute). Values pushed by
//! scripts (`roxyctl metrics push`) join the same stream until they go stale.

use crate::energy::Energy;
use crate::services::metrics1::MetricsService;
use roxy_core::metrics::sensors;
use roxy_core::metrics::{rates, Snapshot};
use roxy_core::Store;
use roxy_ipc::MetricValue;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const INTERVAL: Duration = Duration::from_secs(1);
const PRUNE_EVERY: u32 = 60;
/// The battery changes slowly; it is read every this many samples.
const POWER_EVERY: u32 = 10;
/// A pushed value counts as current this long after its last push.
pub const PUSHED_VALUE_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// At most this many pushed metrics at once, so a runaway script cannot fill the database.
pub const MAX_PUSHED: usize = 200;

#[derive(Default)]
pub struct Sampler {
    latest: Mutex<Vec<(String, f64)>>,
    /// name → (value, pushed at ms).
    pushed: Mutex<BTreeMap<String, (f64, i64)>>,
}

impl Sampler {
    /// Samples every second; each sample is also sent as the `Sampled` signal, so open
    /// windows draw live charts without asking.
    pub fn start(store: Store, energy: Arc<Energy>, conn: zbus::Connection) -> Arc<Self> {
        let sampler = Arc::new(Self::default());
        let weak = Arc::downgrade(&sampler);
        tokio::spawn(async move {
            energy.refresh().await;
            let mut since_power = 0;
            let mut before = Snapshot::read();
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            let mut since_prune = 0;
            loop {
                ticks.tick().await;
                let Some(sampler) = weak.upgrade() else { break };
                let now = Snapshot::read();
                let mut values = rates(&before, &now);
                values.extend(sensors::temperatures(energy.sysfs()));
                values.extend(sensors::gpus(energy.sysfs()));
                since_power += 1;
                if since_power >= POWER_EVERY {
                    since_power = 0;
                    energy.refresh().await;
                }
                values.extend(energy.values());
                values.extend(sampler.pushed_values(now.at_ms));
                if let Err(e) = store.record_metrics(now.at_ms, &values).await {
                    tracing::warn!("cannot store metrics: {e}");
                }
                if let Ok(emitter) =
                    zbus::object_server::SignalEmitter::new(&conn, roxy_ipc::names::DAEMON_PATH)
                {
                    let signal: Vec<MetricValue> = values
                        .iter()
                        .map(|(name, value)| MetricValue {
                            name: name.clone(),
                            value: *value,
                        })
                        .collect();
                    let _ = MetricsService::sampled(&emitter, now.at_ms, signal).await;
                }
                *sampler.latest.lock().unwrap() = values;
                before = now;
                since_prune += 1;
                if since_prune >= PRUNE_EVERY {
                    since_prune = 0;
                    if let Err(e) = store.prune_metrics(roxy_core::time::now_ms()).await {
                        tracing::warn!("cannot prune metrics: {e}");
                    }
                }
            }
        });
        sampler
    }

    pub fn latest(&self) -> Vec<(String, f64)> {
        self.latest.lock().unwrap().clone()
    }

    /// Records a value from outside (a script, a backup job). False when the name belongs to
    /// the sampler or too many pushed metrics exist already.
    pub fn push(&self, name: &str, value: f64, now_ms: i64) -> bool {
        let mut pushed = self.pushed.lock().unwrap();
        pushed.retain(|_, (_, at)| now_ms - *at <= PUSHED_VALUE_LIFETIME_MS);
        if !pushed.contains_key(name) && pushed.len() >= MAX_PUSHED {
            return false;
        }
        pushed.insert(name.to_owned(), (value, now_ms));
        true
    }

    fn pushed_values(&self, now_ms: i64) -> Vec<(String, f64)> {
        self.pushed
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, (_, at))| now_ms - at <= PUSHED_VALUE_LIFETIME_MS)
            .map(|(name, (value, _))| (name.clone(), *value))
            .collect()
    }
}

impl crate::alerting::ValueSource for Sampler {
    fn values(&self) -> Vec<(String, f64)> {
        self.latest()
    }
}
