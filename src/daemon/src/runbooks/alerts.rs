//! Desktop notices about runs: a run needs an approval, failed, or finished after a long time,
//! and what their buttons do (Approve, Resume, Open).

use super::Engine;
use crate::notifications::{Invoked, Notice, Urgency};
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

/// The notice for a run that has just ended, if it deserves one.
pub fn finished_notice(record: &RunRecord, long_run: Duration) -> Option<Notice> {
    let run_id = record.id as u64;
    let took = record
        .finished_at
        .map(|end| Duration::from_millis((end - record.started_at).max(0) as u64))
        .unwrap_or_default();
    match record.state.as_str() {
        "failed" | "rolled_back" => Some(Notice {
            key: key(run_id),
            summary: fill(&gettext("Runbook “{}” failed"), &[&record.runbook_name]),
            body: record.message.clone(),
            urgency: Urgency::Critical,
            actions: vec![open_action(), ("resume".into(), gettext("Resume"))],
        }),
        "succeeded" if took >= long_run => Some(Notice {
            key: key(run_id),
            summary: fill(&gettext("Runbook “{}” finished"), &[&record.runbook_name]),
            body: fill(
                &gettext("Run {} took {}."),
                &[&run_id, &super::checks::humantime_short(took)],
            ),
            urgency: Urgency::Normal,
            actions: vec![open_action()],
        }),
        _ => None,
    }
}

pub fn approval_notice(run_id: u64, runbook_name: &str, question: &str) -> Notice {
    Notice {
        key: key(run_id),
        summary: fill(
            &gettext("Runbook “{}” needs your approval"),
            &[&runbook_name],
        ),
        body: question.to_owned(),
        urgency: Urgency::Critical,
        actions: vec![open_action(), ("approve".into(), gettext("Approve"))],
    }
}

impl Engine {
    pub(super) async fn alert_finished(&self, run_id: u64) {
        let Ok(Some(record)) = self.store.run(run_id as i64).await else {
            return;
        };
        match finished_notice(&record, LONG_RUN) {
            Some(notice) => self.alert(notice).await,
            // A leftover approval notice must not outlive its run.
            None => self.withdraw_alert(run_id).await,
        }
    }

    pub(super) async fn alert(&self, notice: Notice) {
        if let Some(notifier) = &self.notifier {
            notifier.show(notice).await;
        }
    }

    /// Closes the run's notice (its approval was given elsewhere, or it moved on).
    pub(super) async fn withdraw_alert(&self, run_id: u64) {
        if let Some(notifier) = &self.notifier {
            notifier.withdraw(&key(run_id)).await;
        }
    }
}

/// Carries out the actions people choose on run notices.
pub fn spawn_action_handler(engine: Weak<Engine>, mut invoked: mpsc::UnboundedReceiver<Invoked>) {
    tokio::spawn(async move {
        while let Some(Invoked { key, action }) = invoked.recv().await {
            let Some(run_id) = key.strip_prefix("run-").and_then(|n| n.parse::<u64>().ok()) else {
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
                    .alert(Notice {
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
        let failed = finished_notice(&record("failed", 1), LONG_RUN).unwrap();
        assert_eq!(failed.urgency, Urgency::Critical);
        assert_eq!(failed.key, "run-7");
        assert!(failed.actions.iter().any(|(k, _)| k == "resume"));
        assert!(finished_notice(&record("rolled_back", 1), LONG_RUN).is_some());
        assert!(finished_notice(&record("succeeded", 5), LONG_RUN).is_none());
        let long = finished_notice(&record("succeeded", 95), LONG_RUN).unwrap();
        assert_eq!(long.body, "Run 7 took 1 min 35 s.");
        assert!(finished_notice(&record("cancelled", 95), LONG_RUN).is_none());
    }
}
