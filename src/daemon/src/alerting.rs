//! Alert rules at work: every second the current values (sampler, pushed metrics, checks)
//! go through the rules; a rule that fires or resolves is written down, announced by notice
//! and signalled. Events such as "Roxy gave up on a container" raise alerts directly.

use crate::notifications::{Event, Notices};
use crate::services::metrics1::MetricsService;
use roxy_core::alerts::{Evaluator, Rule, Severity, Transition, EVENT_RULES};
use roxy_core::notify::EventKind;
use roxy_core::time::now_ms;
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::DAEMON_PATH;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use zbus::object_server::SignalEmitter;
use zbus::Connection;

const INTERVAL: Duration = Duration::from_secs(1);

/// Something that reports named values each second.
pub trait ValueSource: Send + Sync {
    fn values(&self) -> Vec<(String, f64)>;
}

pub struct AlertManager {
    store: Store,
    notices: Arc<Notices>,
    conn: Connection,
    sources: Mutex<Vec<Weak<dyn ValueSource>>>,
    rules: Mutex<Vec<Rule>>,
    evaluator: Mutex<Evaluator>,
}

impl AlertManager {
    pub async fn start(store: Store, notices: Arc<Notices>, conn: Connection) -> Arc<Self> {
        let rules = store.alert_rules().await.unwrap_or_else(|e| {
            tracing::warn!("cannot read alert rules: {e}");
            Vec::new()
        });
        let open = store.alerts(false, 10_000).await.unwrap_or_default();
        let firing = open
            .into_iter()
            .filter(|a| !is_event_rule(&a.rule))
            .map(|a| (a.rule, a.subject));
        let manager = Arc::new(Self {
            store,
            notices,
            conn,
            sources: Mutex::default(),
            rules: Mutex::new(rules),
            evaluator: Mutex::new(Evaluator::with_firing(firing, now_ms())),
        });
        let weak = Arc::downgrade(&manager);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // Half a second after the sampler's tick, so each round sees fresh values.
            tokio::time::sleep(INTERVAL / 2).await;
            loop {
                ticks.tick().await;
                let Some(manager) = weak.upgrade() else { break };
                manager.evaluate().await;
            }
        });
        manager
    }

    pub fn add_source(&self, source: Weak<dyn ValueSource>) {
        self.sources.lock().unwrap().push(source);
    }

    pub fn rules(&self) -> Vec<Rule> {
        self.rules.lock().unwrap().clone()
    }

    /// Re-reads the rules after a change.
    pub async fn reload_rules(&self) -> anyhow::Result<()> {
        let rules = self.store.alert_rules().await?;
        *self.rules.lock().unwrap() = rules;
        self.changed().await;
        Ok(())
    }

    /// Every source's current values.
    pub fn current_values(&self) -> Vec<(String, f64)> {
        let mut sources = self.sources.lock().unwrap();
        sources.retain(|s| s.strong_count() > 0);
        sources
            .iter()
            .filter_map(Weak::upgrade)
            .flat_map(|s| s.values())
            .collect()
    }

    async fn evaluate(&self) {
        let values = self.current_values();
        let rules = self.rules();
        let transitions = self
            .evaluator
            .lock()
            .unwrap()
            .evaluate(&rules, &values, now_ms());
        for transition in transitions {
            match transition {
                Transition::Fired {
                    rule,
                    subject,
                    value,
                } => {
                    let Some(rule) = rules.iter().find(|r| r.name == rule) else {
                        continue;
                    };
                    let message = fill(
                        &gettext("{} is {} (rule: {})"),
                        &[&subject, &format_value(value), &rule.condition],
                    );
                    self.fire(&rule.name, &subject, rule.severity, &message, value, true)
                        .await;
                }
                Transition::Resolved { rule, subject, .. } => {
                    self.resolve(&rule, &subject, true).await;
                }
            }
        }
    }

    /// Raises an alert of an event rule (once while it is open).
    pub async fn raise(&self, rule: &str, subject: &str, message: &str) {
        self.raise_event(rule, subject, message, true).await;
    }

    /// Resolves an event rule's alert, if it is open.
    pub async fn clear(&self, rule: &str, subject: &str) {
        self.resolve(rule, subject, true).await;
    }

    /// [`raise`](Self::raise) for an owner that sends its own, more telling notice (OBS'
    /// stream health): the alert is listed and signalled, but not announced twice.
    pub async fn raise_silently(&self, rule: &str, subject: &str, message: &str) {
        self.raise_event(rule, subject, message, false).await;
    }

    /// [`clear`](Self::clear) without the "Resolved" notice, for the same owners.
    pub async fn clear_silently(&self, rule: &str, subject: &str) {
        self.resolve(rule, subject, false).await;
    }

    async fn raise_event(&self, rule: &str, subject: &str, message: &str, announce: bool) {
        let severity = EVENT_RULES
            .iter()
            .find(|(name, _)| *name == rule)
            .map(|(_, s)| *s)
            .unwrap_or(Severity::Critical);
        let open = self.store.alerts(false, 10_000).await.unwrap_or_default();
        if open.iter().any(|a| a.rule == rule && a.subject == subject) {
            return;
        }
        self.fire(rule, subject, severity, message, f64::NAN, announce)
            .await;
    }

    async fn fire(
        &self,
        rule: &str,
        subject: &str,
        severity: Severity,
        message: &str,
        value: f64,
        announce: bool,
    ) {
        if let Err(e) = self
            .store
            .open_alert(rule, subject, severity, message, value, now_ms())
            .await
        {
            tracing::warn!("cannot record alert {rule}/{subject}: {e}");
        }
        tracing::info!(rule, subject, "alert fired");
        let _ = self
            .store
            .audit(
                "daemon",
                "alert.fire",
                &format!("{rule}/{subject}"),
                "ok",
                message,
            )
            .await;
        if !announce {
            return self.changed().await;
        }
        let summary = fill(&gettext("Alert “{}”: {}"), &[&rule, &subject]);
        self.notices
            .publish(Event {
                kind: EventKind::AlertFired,
                source: format!("alert:{rule}:{subject}"),
                key: format!("alert:{rule}:{subject}"),
                summary,
                body: message.to_owned(),
                actions: vec![("default".into(), gettext("Open"))],
            })
            .await;
        self.changed().await;
    }

    async fn resolve(&self, rule: &str, subject: &str, announce: bool) {
        match self.store.resolve_alert(rule, subject, now_ms()).await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => return tracing::warn!("cannot resolve alert {rule}/{subject}: {e}"),
        }
        tracing::info!(rule, subject, "alert resolved");
        let _ = self
            .store
            .audit(
                "daemon",
                "alert.resolve",
                &format!("{rule}/{subject}"),
                "ok",
                "",
            )
            .await;
        if !announce {
            return self.changed().await;
        }
        let summary = fill(&gettext("Resolved: “{}”: {}"), &[&rule, &subject]);
        self.notices
            .publish(Event {
                kind: EventKind::AlertResolved,
                source: format!("alert:{rule}:{subject}"),
                key: format!("alert:{rule}:{subject}"),
                summary,
                body: String::new(),
                actions: vec![("default".into(), gettext("Open"))],
            })
            .await;
        self.changed().await;
    }

    async fn changed(&self) {
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = MetricsService::alerts_changed(&emitter).await;
        }
    }
}

fn is_event_rule(rule: &str) -> bool {
    EVENT_RULES.iter().any(|(name, _)| *name == rule)
}

/// Whole numbers without decimals, others with up to two.
pub fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}
