//! `Metrics1`: the host's current metrics and their history, pushed values, alert rules and
//! the alerts they raised.

use crate::alerting::AlertManager;
use crate::energy::Energy;
use crate::prometheus::Exporter;
use crate::runbooks::Engine;
use crate::scorecard::{score_info, ScoreSources};
use crate::services::caller;
use roxy_core::alerts::{Alert, Rule};
use roxy_core::metrics::history::tier_for;
use roxy_core::metrics::is_pushable_name;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{
    AlertInfo, AlertRuleInfo, DeferredRun, EnergyInfo, MetricPoint, MetricValue, RoxyError,
    ScoreInfo,
};
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{interface, Connection};

/// The longest history one call returns: a year.
const MAX_SPAN_SECONDS: u64 = 365 * 24 * 3600;
/// Resolved alerts returned at most.
const RESOLVED_LIMIT: u32 = 500;

pub struct MetricsService {
    alerts: Arc<AlertManager>,
    exporter: Arc<Exporter>,
    /// The sampler, energy, engine and infrastructure, for values and the scorecard.
    live: ScoreSources,
    store: Store,
}

impl MetricsService {
    pub fn new(
        alerts: Arc<AlertManager>,
        exporter: Arc<Exporter>,
        live: ScoreSources,
        store: Store,
    ) -> Self {
        Self {
            alerts,
            exporter,
            live,
            store,
        }
    }
}

/// The energy level and what waits for it.
pub fn energy_info(energy: &Energy, engine: &Engine) -> EnergyInfo {
    let power = energy.power();
    EnergyInfo {
        level: energy.level().id().to_owned(),
        has_battery: power.battery,
        on_battery: power.on_battery,
        battery_pct: power.percent.unwrap_or(-1.0),
        deferred: engine
            .deferred()
            .into_iter()
            .map(|(runbook, d)| DeferredRun {
                runbook,
                since: d.since_ms,
                actor: d.actor,
            })
            .collect(),
    }
}

fn failed(e: impl std::fmt::Display) -> RoxyError {
    RoxyError::Failed(e.to_string())
}

#[interface(name = "io.github.skybeam.Roxy.Metrics1")]
impl MetricsService {
    /// The latest value of every metric (empty during the first second).
    fn current(&self) -> Vec<MetricValue> {
        self.live
            .sampler
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
        let known = self.live.sampler.latest().iter().any(|(n, _)| *n == metric)
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
            .map_err(failed)?;
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

    fn push(&self, metric: String, value: f64) -> Result<(), RoxyError> {
        if !is_pushable_name(&metric) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("metric: “{}” must be 1–100 letters, digits, “.”, “_” or “-”, start with a letter, and not start with one of roxyd's own prefixes ({})"),
                &[&metric, &roxy_core::metrics::RESERVED_PREFIXES.join(", ")],
            )));
        }
        if !value.is_finite() {
            return Err(RoxyError::InvalidInput(gettext(
                "value: must be a finite number",
            )));
        }
        if !self
            .live
            .sampler
            .push(&metric, value, roxy_core::time::now_ms())
        {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Too many pushed metrics (at most {}); old ones expire 5 minutes after their last push."),
                &[&crate::metrics::MAX_PUSHED],
            )));
        }
        Ok(())
    }

    async fn alerts(&self, include_resolved: bool) -> Result<Vec<AlertInfo>, RoxyError> {
        let alerts = self
            .store
            .alerts(include_resolved, RESOLVED_LIMIT)
            .await
            .map_err(failed)?;
        Ok(alerts.into_iter().map(alert_info).collect())
    }

    fn alert_rules(&self) -> Vec<AlertRuleInfo> {
        self.alerts.rules().iter().map(rule_info).collect()
    }

    async fn save_alert_rule(
        &self,
        rule: AlertRuleInfo,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let mut parsed = Rule::parse(
            &rule.name,
            &rule.condition,
            &format!("{}s", rule.for_seconds),
            &rule.severity,
        )
        .map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        parsed.enabled = rule.enabled;
        self.store.save_alert_rule(&parsed).await.map_err(failed)?;
        let actor = caller::describe(conn, &header).await;
        let _ = self
            .store
            .audit(
                &actor,
                "alert-rule.save",
                &rule.name,
                "ok",
                &parsed.condition.to_string(),
            )
            .await;
        self.alerts.reload_rules().await.map_err(failed)
    }

    async fn remove_alert_rule(
        &self,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<bool, RoxyError> {
        let removed = self.store.remove_alert_rule(&name).await.map_err(failed)?;
        if removed {
            let actor = caller::describe(conn, &header).await;
            let _ = self
                .store
                .audit(&actor, "alert-rule.remove", &name, "ok", "")
                .await;
            self.alerts.reload_rules().await.map_err(failed)?;
        }
        Ok(removed)
    }

    /// The loopback port of the Prometheus exposition; 0 while it is off.
    fn prometheus_port(&self) -> u16 {
        self.exporter.port()
    }

    /// Serves `GET /metrics` on `127.0.0.1:port` (1024–65535), or stops with 0.
    async fn set_prometheus_port(
        &self,
        port: u16,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        if port != 0 && port < 1024 {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("port: {} is below 1024; choose 1024–65535, or 0 for off"),
                &[&port],
            )));
        }
        self.exporter
            .set_port(port)
            .await
            .map_err(RoxyError::Unavailable)?;
        let actor = caller::describe(conn, &header).await;
        let _ = self
            .store
            .audit(&actor, "metrics.prometheus", &port.to_string(), "ok", "")
            .await;
        Ok(())
    }

    fn energy(&self) -> EnergyInfo {
        energy_info(&self.live.energy, &self.live.engine)
    }

    async fn scorecard(&self) -> Result<Vec<ScoreInfo>, RoxyError> {
        let facts = self.live.facts().await;
        let scores = self
            .store
            .scorecard(&facts, roxy_core::time::now_ms())
            .await
            .map_err(failed)?;
        Ok(scores.into_iter().map(score_info).collect())
    }

    /// Every metric of one sample, once a second.
    #[zbus(signal)]
    pub async fn sampled(
        emitter: &SignalEmitter<'_>,
        at: i64,
        values: Vec<MetricValue>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn alerts_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn energy_changed(
        emitter: &SignalEmitter<'_>,
        energy: EnergyInfo,
    ) -> zbus::Result<()>;
}

fn rule_info(rule: &Rule) -> AlertRuleInfo {
    AlertRuleInfo {
        name: rule.name.clone(),
        condition: rule.condition.to_string(),
        for_seconds: rule.hold.as_secs(),
        severity: rule.severity.id().to_owned(),
        enabled: rule.enabled,
    }
}

fn alert_info(alert: Alert) -> AlertInfo {
    AlertInfo {
        id: alert.id,
        rule: alert.rule,
        subject: alert.subject,
        severity: alert.severity.id().to_owned(),
        message: alert.message,
        fired_at: alert.fired_at_ms,
        resolved_at: alert.resolved_at_ms.unwrap_or(0),
    }
}
