//! Events about runs: a run needs an approval, failed, or finished after a long time, and
//! what the buttons on their notices do (Approve, Retry, Open).

use super::Engine;
use crate::notifications::{Event, Invoked, Notice, Urgency};
use roxy_core::notify::EventKind;
use roxy_core::runs::RunRecord;
use roxy_ipc::i18n::{fill, gettext};
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::mpsc;

/// Successful runs at least this long get a "finished" notice.
pub const LONG_RUN: Duration = Duration::from_secs(30);
/// The actor in the audit log for actions taken on a notice.
const ACTOR: &str = "notification";

fn key(run_id: u64) -> String {
    format!("run-{run_id}")
}

fn open_action() -> (String, String) {
    ("default".into(), gettext("Open"))
}

fn source(runbook_id: &str) -> String {
    format!("runbook:{runbook_id}")
}

/// The event for a run that has just ended, if it deserves one.
pub fn finished_event(record: &RunRecord, long_run: Duration) -> Option<Event> {
    let run_id = record.id as u64;
    let took = record
        .finished_at
        .map(|end| Duration::from_millis((end - record.started_at).max(0) as u64))
        .unwrap_or_default();
    match record.state.as_str() {
        "failed" | "rolled_back" => Some(Event {
            kind: EventKind::RunFailed,
            source: source(&record.runbook_id),
            key: key(run_id),
            summary: fill(&gettext("Runbook “{}” failed"), &[&record.runbook_name]),
            body: record.message.clone(),
            actions: vec![open_action(), ("resume".into(), gettext("Retry"))],
        }),
        "succeeded" if took >= long_run => Some(Event {
            kind: EventKind::RunFinished,
            source: source(&record.runbook_id),
            key: key(run_id),
            summary: fill(&gettext("Runbook “{}” finished"), &[&record.runbook_name]),
            body: fill(
                &gettext("Run {} took {}."),
                &[&run_id, &super::checks::humantime_short(took)],
            ),
            actions: vec![open_action()],
        }),
        _ => None,
    }
}

pub fn approval_event(run_id: u64, runbook_id: &str, runbook_name: &str, question: &str) -> Event {
    Event {
        kind: EventKind::ApprovalNeeded,
        source: source(runbook_id),
        key: key(run_id),
        summary: fill(
            &gettext("Runbook “{}” needs your approval"),
            &[&runbook_name],
        ),
        body: question.to_owned(),
        actions: vec![open_action(), ("approve".into(), gettext("Approve"))],
    }
}

impl Engine {
    pub(super) async fn alert_finished(&self, run_id: u64) {
        let Ok(Some(record)) = self.store.run(run_id as i64).await else {
            return;
        };
        match finished_event(&record, LONG_RUN) {
            Some(event) => self.notices.publish(event).await,
            // A leftover approval notice must not outlive its run.
            None => self.withdraw_alert(run_id).await,
        }
    }

    /// Closes the run's notice (its approval was given elsewhere, or it moved on).
    pub(super) async fn withdraw_alert(&self, run_id: u64) {
        self.notices.withdraw(&key(run_id)).await;
    }
}

/// Carries out the actions people choose on run notices.
pub fn spawn_action_handler(engine: Weak<Engine>, mut invoked: mpsc::UnboundedReceiver<Invoked>) {
    tokio::spawn(async move {
        while let Some(Invoked { key, action }) = invoked.recv().await {
            let Some(run_id) = key.strip_prefix("run-").and_then(|n| n.parse::<u64>().ok()) else {
                // Notices that are not about a run open the window on a click.
                if action == "default" {
                    crate::window::open().await;
                }
                continue;
            };
            let Some(engine) = engine.upgrade() else {
                break;
            };
            let result = match action.as_str() {
                "approve" => engine.approve(run_id, ACTOR).await.map(|_| ()),
                "resume" => engine.resume(run_id, ACTOR).await.map(|_| ()),
                "default" => {
                    crate::window::show_run(run_id).await;
                    Ok(())
                }
                other => {
                    tracing::debug!(action = other, "unknown notification action");
                    Ok(())
                }
            };
            if let Err(e) = result {
                tracing::warn!(run = run_id, action, "notification action failed: {e}");
                engine
                    .notices
                    .show(Notice {
                        key: key.clone(),
                        summary: gettext("That did not work"),
                        body: e.to_string(),
                        urgency: Urgency::Normal,
                        actions: vec![open_action()],
                    })
                    .await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: &str, seconds: i64) -> RunRecord {
        RunRecord {
            id: 7,
            runbook_id: "backup".into(),
            runbook_name: "Backup".into(),
            state: state.into(),
            actor: "cli".into(),
            job_id: Some(3),
            vars: String::new(),
            skip: String::new(),
            approved_by: None,
            message: "step 2 failed".into(),
            started_at: 1_000,
            finished_at: Some(1_000 + seconds * 1000),
        }
    }

    #[test]
    fn failures_always_and_successes_only_when_long() {
        let failed = finished_event(&record("failed", 1), LONG_RUN).unwrap();
        assert_eq!(failed.kind, EventKind::RunFailed);
        assert_eq!(failed.source, "runbook:backup");
        assert_eq!(failed.key, "run-7");
        assert!(failed.actions.iter().any(|(k, _)| k == "resume"));
        assert!(finished_event(&record("rolled_back", 1), LONG_RUN).is_some());
        assert!(finished_event(&record("succeeded", 5), LONG_RUN).is_none());
        let long = finished_event(&record("succeeded", 95), LONG_RUN).unwrap();
        assert_eq!(long.body, "Run 7 took 1 min 35 s.");
        assert!(finished_event(&record("cancelled", 95), LONG_RUN).is_none());
    }
}
