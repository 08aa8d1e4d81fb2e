//! The metrics sampler: reads /proc every second, keeps the latest values for `Current`,
//! and writes them into the downsampled history (pruned once a minute).

use roxy_core::metrics::{rates, Snapshot};
use roxy_core::Store;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const INTERVAL: Duration = Duration::from_secs(1);
const PRUNE_EVERY: u32 = 60;

#[derive(Default)]
pub struct Sampler {
    latest: Mutex<Vec<(String, f64)>>,
}

impl Sampler {
    pub fn start(store: Store) -> Arc<Self> {
        let sampler = Arc::new(Self::default());
        let weak = Arc::downgrade(&sampler);
        tokio::spawn(async move {
            let mut before = Snapshot::read();
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            let mut since_prune = 0;
            loop {
                ticks.tick().await;
                let Some(sampler) = weak.upgrade() else { break };
                let now = Snapshot::read();
                let values = rates(&before, &now);
                if let Err(e) = store.record_metrics(now.at_ms, &values).await {
                    tracing::warn!("cannot store metrics: {e}");
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
}
