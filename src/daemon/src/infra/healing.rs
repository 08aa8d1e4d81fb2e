//! Self-healing at work: turns engine events into the decisions of
//! [`roxy_core::infra::heal`] and carries them out: restart after the backoff, give up with
//! one alert, report recovery. Every action lands in the audit log.

use super::containers::Containers;
use crate::alerting::AlertManager;
use crate::notifications::{Event, Notices};
use roxy_core::alerts::CONTAINER_GAVE_UP;
use roxy_core::infra::heal::{Decision, Trigger};
use roxy_core::notify::EventKind;
use roxy_core::time::now_ms;
use roxy_ipc::i18n::{fill, gettext, ngettext};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// A restarted container without a health check counts as recovered once it has kept
/// running this long.
const STABLE_AFTER: Duration = Duration::from_secs(10);
const ACTOR: &str = "self-healing";

pub struct Healer {
    alerts: Arc<AlertManager>,
    notices: Arc<Notices>,
}

impl Healer {
    pub fn new(alerts: Arc<AlertManager>, notices: Arc<Notices>) -> Self {
        Self { alerts, notices }
    }

    pub async fn on_event(
        &self,
        containers: &Arc<Containers>,
        id: &str,
        action: &str,
        attributes: &HashMap<String, String>,
    ) {
        match action {
            "kill" => containers.mark_own_action(id),
            "die" => {
                let code: i64 = attributes
                    .get("exitCode")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                let crashed = {
                    let mut state = containers.state.lock().unwrap();
                    let Some(t) = state.containers.get_mut(id) else {
                        return;
                    };
                    let own = t.own_action_until > now_ms();
                    t.own_action_until = 0;
                    // The engine's own restart policy handles exits; Roxy does not fight it.
                    let engine_restarts = !matches!(t.restart_policy.as_str(), "" | "no");
                    code != 0 && !own && !engine_restarts
                };
                if crashed {
                    self.on_trigger(containers, id, Trigger::Exited(code)).await;
                }
            }
            "start" => {
                if let Some(t) = containers.state.lock().unwrap().containers.get_mut(id) {
                    t.own_action_until = 0;
                }
                self.watch_stability(containers, id);
            }
            _ if action.starts_with("health_status") => {
                if action.ends_with("unhealthy") {
                    self.on_trigger(containers, id, Trigger::Unhealthy).await;
                } else if action.ends_with("healthy") {
                    self.recovered(containers, id).await;
                }
            }
            _ => {}
        }
    }

    pub async fn on_trigger(&self, containers: &Arc<Containers>, id: &str, trigger: Trigger) {
        let (decision, name, window) = {
            let mut state = containers.state.lock().unwrap();
            let Some(t) = state.containers.get_mut(id) else {
                return;
            };
            if !t.policy.enabled {
                return;
            }
            (
                t.heal.on_trigger(&t.policy, now_ms()),
                t.info.name.clone(),
                t.policy.window,
            )
        };
        containers.publish(id).await;
        match decision {
            Decision::RestartAfter(wait) => {
                tracing::info!(container = %name, ?wait, ?trigger, "restart scheduled");
                let containers = containers.clone();
                let id = id.to_owned();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    let healer = &containers.healer;
                    healer.restart(&containers, &id, trigger).await;
                });
            }
            Decision::GiveUp { restarts } => {
                let why = describe(trigger);
                let message = fill(
                    &ngettext(
                        "Roxy restarted “{}” {} time within {}, and it is still {}. Roxy stopped trying; look at its logs.",
                        "Roxy restarted “{}” {} times within {}, and it is still {}. Roxy stopped trying; look at its logs.",
                        restarts,
                    ),
                    &[&name, &restarts, &humantime::format_duration(window), &why],
                );
                tracing::warn!(container = %name, "gave up: {message}");
                let _ = containers
                    .store
                    .audit(ACTOR, "container.gave-up", &name, "gave up", &message)
                    .await;
                self.alerts.raise(CONTAINER_GAVE_UP, &name, &message).await;
            }
            Decision::AlreadyGaveUp | Decision::AlreadyPending => {}
        }
    }

    async fn restart(&self, containers: &Arc<Containers>, id: &str, trigger: Trigger) {
        let Ok(docker) = containers.docker() else {
            if let Some(t) = containers.state.lock().unwrap().containers.get_mut(id) {
                t.heal.cancel_pending();
            }
            return;
        };
        containers.refresh(&docker, id).await;
        let (name, state, health, pending) = {
            let state = containers.state.lock().unwrap();
            let Some(t) = state.containers.get(id) else {
                return;
            };
            (
                t.info.name.clone(),
                t.info.state.clone(),
                t.info.health.clone(),
                t.heal.pending(),
            )
        };
        if !pending {
            return; // Someone acted on it meanwhile.
        }
        let fine = state == "running" && health != "unhealthy";
        if fine || state == "restarting" {
            if let Some(t) = containers.state.lock().unwrap().containers.get_mut(id) {
                t.heal.cancel_pending();
            }
            return containers.publish(id).await;
        }
        let result = if state == "running" {
            docker
                .restart_container(
                    id,
                    None::<bollard::query_parameters::RestartContainerOptions>,
                )
                .await
        } else {
            docker
                .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
                .await
        };
        if let Some(t) = containers.state.lock().unwrap().containers.get_mut(id) {
            t.heal.restarted(now_ms());
        }
        let outcome = match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        tracing::info!(container = %name, %outcome, "restarted by self-healing");
        let _ = containers
            .store
            .audit(
                ACTOR,
                "container.heal-restart",
                &name,
                &outcome,
                &describe(trigger),
            )
            .await;
        containers.publish(id).await;
    }

    /// After a start, a container without a health check that keeps running is recovered.
    fn watch_stability(&self, containers: &Arc<Containers>, id: &str) {
        let waiting = containers
            .state
            .lock()
            .unwrap()
            .containers
            .get(id)
            .is_some_and(|t| !t.has_healthcheck && t.policy.enabled);
        if !waiting {
            return;
        }
        let containers = containers.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            let started = containers
                .state
                .lock()
                .unwrap()
                .containers
                .get(&id)
                .map(|t| t.info.started_at);
            tokio::time::sleep(STABLE_AFTER).await;
            let steady = containers
                .state
                .lock()
                .unwrap()
                .containers
                .get(&id)
                .is_some_and(|t| t.info.state == "running" && Some(t.info.started_at) == started);
            if steady {
                containers.healer.recovered(&containers, &id).await;
            }
        });
    }

    async fn recovered(&self, containers: &Arc<Containers>, id: &str) {
        let (report, gave_up, name, restarts) = {
            let mut state = containers.state.lock().unwrap();
            let Some(t) = state.containers.get_mut(id) else {
                return;
            };
            let gave_up = t.heal.gave_up();
            let restarts = t.heal.recent_restarts(&t.policy, now_ms());
            (t.heal.recovered(), gave_up, t.info.name.clone(), restarts)
        };
        if !report {
            // A give-up alert outlives Roxy's memory (a restart of roxyd, or a person who
            // started the container by hand): a healthy container ends it all the same.
            return self.alerts.clear(CONTAINER_GAVE_UP, &name).await;
        }
        let _ = containers
            .store
            .audit(ACTOR, "container.recovered", &name, "ok", "")
            .await;
        containers.publish(id).await;
        if gave_up {
            // Resolving the give-up alert tells the person.
            return self.alerts.clear(CONTAINER_GAVE_UP, &name).await;
        }
        let summary = fill(&gettext("“{}” is running again"), &[&name]);
        let body = fill(
            &ngettext(
                "Roxy restarted it {} time.",
                "Roxy restarted it {} times.",
                restarts,
            ),
            &[&restarts],
        );
        self.notices
            .publish(Event {
                kind: EventKind::ContainerHealed,
                source: format!("container:{name}"),
                key: format!("container:{name}"),
                summary,
                body,
                actions: vec![("default".into(), gettext("Open"))],
            })
            .await;
    }
}

fn describe(trigger: Trigger) -> String {
    match trigger {
        Trigger::Unhealthy => gettext("unhealthy"),
        Trigger::Exited(code) => fill(&gettext("exiting with code {}"), &[&code]),
    }
}
