//! The Metrics panel's traffic: live samples, history for the chosen range, alerts and the
//! energy level.

use super::DaemonEvent;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{
    AlertInfo, AlertRuleInfo, Client, EnergyInfo, MetricPoint, MetricValue, RoxyError, ScoreInfo,
};
use zbus::message::Message;

#[derive(Debug, Clone)]
pub enum MetricsEvent {
    Sampled {
        at: i64,
        values: Vec<MetricValue>,
    },
    History {
        seconds: u64,
        series: Vec<(String, Vec<MetricPoint>)>,
    },
    Alerts(Vec<AlertInfo>),
    Energy(EnergyInfo),
    Scorecard(Vec<ScoreInfo>),
}

#[derive(Debug, Clone)]
pub enum MetricsRequest {
    Load,
    /// The history of these metrics over the last `seconds`.
    History {
        metrics: Vec<String>,
        seconds: u64,
    },
    SaveRule(AlertRuleInfo),
}

/// Resolved alerts shown under the open ones.
const RECENT_ALERTS: usize = 20;

async fn alerts(client: &Client) -> Result<DaemonEvent, RoxyError> {
    let mut alerts = client.metrics().await?.alerts(true).await?;
    let open = alerts.iter().filter(|a| a.resolved_at == 0).count();
    alerts.truncate(open + RECENT_ALERTS);
    Ok(DaemonEvent::Metrics(MetricsEvent::Alerts(alerts)))
}

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    let metrics = client.metrics().await?;
    Ok(vec![
        alerts(client).await?,
        DaemonEvent::Metrics(MetricsEvent::Energy(metrics.energy().await?)),
        DaemonEvent::Metrics(MetricsEvent::Scorecard(metrics.scorecard().await?)),
    ])
}

pub async fn handle(
    client: &Client,
    request: MetricsRequest,
) -> Result<Vec<DaemonEvent>, RoxyError> {
    match request {
        MetricsRequest::Load => load(client).await,
        MetricsRequest::SaveRule(rule) => {
            client.metrics().await?.save_alert_rule(&rule).await?;
            Ok(vec![DaemonEvent::Told(fill(
                &gettext("Saved the alert rule “{}”."),
                &[&rule.name],
            ))])
        }
        MetricsRequest::History { metrics, seconds } => {
            let proxy = client.metrics().await?;
            let mut series = Vec::new();
            for metric in metrics {
                // A metric without history yet (a sensor this machine lacks) is left out.
                if let Ok(points) = proxy.history(&metric, seconds).await {
                    series.push((metric, points));
                }
            }
            Ok(vec![DaemonEvent::Metrics(MetricsEvent::History {
                seconds,
                series,
            })])
        }
    }
}

pub async fn on_signal(client: &Client, member: &str, message: &Message) -> Vec<DaemonEvent> {
    let body = message.body();
    match member {
        "Sampled" => body
            .deserialize::<(i64, Vec<MetricValue>)>()
            .map(|(at, values)| DaemonEvent::Metrics(MetricsEvent::Sampled { at, values }))
            .into_iter()
            .collect(),
        // An alert changes the scorecard too (open alerts, incidents, time to recover).
        "AlertsChanged" => {
            let scores = async { client.metrics().await?.scorecard().await }.await;
            alerts(client)
                .await
                .into_iter()
                .chain(scores.map(|s| DaemonEvent::Metrics(MetricsEvent::Scorecard(s))))
                .collect()
        }
        "EnergyChanged" => body
            .deserialize::<EnergyInfo>()
            .map(|e| DaemonEvent::Metrics(MetricsEvent::Energy(e)))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}
