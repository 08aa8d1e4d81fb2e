//! `Metrics1`: the host's current metrics and their history.

use crate::metrics::Sampler;
use roxy_core::metrics::history::tier_for;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{MetricPoint, MetricValue, RoxyError};
use std::sync::Arc;
use zbus::interface;

/// The longest history one call returns: a year.
const MAX_SPAN_SECONDS: u64 = 365 * 24 * 3600;

pub struct MetricsService {
    sampler: Arc<Sampler>,
    store: Store,
}

impl MetricsService {
    pub fn new(sampler: Arc<Sampler>, store: Store) -> Self {
        Self { sampler, store }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Metrics1")]
impl MetricsService {
    /// The latest value of every metric (empty during the first second).
    fn current(&self) -> Vec<MetricValue> {
        self.sampler
            .latest()
            .into_iter()
            .map(|(name, value)| MetricValue { name, value })
            .collect()
    }

    /// `metric` over the last `seconds`, oldest first, from the finest tier that covers them.
    async fn history(&self, metric: String, seconds: u64) -> Result<Vec<MetricPoint>, RoxyError> {
        if seconds == 0 || seconds > MAX_SPAN_SECONDS {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("seconds: {} is outside 1–{}"),
                &[&seconds, &MAX_SPAN_SECONDS],
            )));
        }
        let known = self.sampler.latest().iter().any(|(n, _)| *n == metric)
            || self
                .store
                .metric_names()
                .await
                .unwrap_or_default()
                .contains(&metric);
        if !known {
            return Err(RoxyError::NotFound(fill(
                &gettext("No metric “{}”; `roxyctl metrics now` lists them."),
                &[&metric],
            )));
        }
        let span_ms = seconds as i64 * 1000;
        let points = self
            .store
            .metric_history(
                &metric,
                tier_for(span_ms),
                roxy_core::time::now_ms() - span_ms,
            )
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        Ok(points
            .into_iter()
            .map(|p| MetricPoint {
                at: p.at_ms,
                avg: p.avg,
                min: p.min,
                max: p.max,
            })
            .collect())
    }
}
