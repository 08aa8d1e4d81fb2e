//! Fires scheduled runs. Wakes at the next fire time, at most every 30 s so a jump of the
//! wall clock (suspend, resume, clock change) is noticed, and at once when schedules change.

use super::Engine;
use chrono::Local;
use roxy_core::schedule::{local_from_ms, Missed, Spec};
use roxy_ipc::i18n::{fill, gettext};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// Longest sleep between looks at the clock.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// A fire time this late counts as missed (the machine slept or roxyd was not running).
const MISSED_AFTER_MS: i64 = 60_000;

pub fn spawn(engine: Weak<Engine>, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            let Some(strong) = engine.upgrade() else {
                break;
            };
            let wait = fire_due(&strong).await;
            drop(strong);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        }
    });
}

/// Starts every due schedule and returns how long to sleep.
async fn fire_due(engine: &Arc<Engine>) -> Duration {
    if engine.schedules_suspended().await {
        // Due times stay in the past, so resuming treats them as missed.
        return MAX_SLEEP;
    }
    let schedules = match engine.store.schedules().await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot read schedules: {e}");
            return MAX_SLEEP;
        }
    };
    let now = Local::now();
    let now_ms = now.timestamp_millis();
    let mut earliest = now_ms + MAX_SLEEP.as_millis() as i64;
    for schedule in schedules.into_iter().filter(|s| !s.paused) {
        let actor = format!("schedule #{}", schedule.id);
        let spec = match Spec::parse(&schedule.kind, &schedule.spec) {
            Ok(spec) => spec,
            Err(e) => {
                tracing::warn!(schedule = schedule.id, "unusable schedule: {e}");
                continue;
            }
        };
        let Some(due) = schedule.next_fire_at else {
            let next = spec.next_after(now).map(|t| t.timestamp_millis());
            let _ = engine.store.schedule_fired(schedule.id, None, next).await;
            continue;
        };
        if due > now_ms {
            earliest = earliest.min(due);
            continue;
        }
        let missed = now_ms - due > MISSED_AFTER_MS;
        let policy = Missed::parse(&schedule.missed).unwrap_or(Missed::Skip);
        let fire = !missed || policy == Missed::RunOnce;
        if missed {
            let result = if fire { "running once" } else { "skipped" };
            let detail = fill(
                &gettext("was due at {}"),
                &[&local_from_ms(due).format("%Y-%m-%d %H:%M:%S")],
            );
            engine
                .audit(
                    &actor,
                    "schedule.missed",
                    &schedule.runbook_id,
                    result,
                    &detail,
                )
                .await;
        }
        if fire {
            if let Err(e) = engine.run_scheduled(&schedule.runbook_id, &actor).await {
                engine
                    .audit(
                        &actor,
                        "runbook.run",
                        &schedule.runbook_id,
                        "refused",
                        &e.human(),
                    )
                    .await;
            }
        }
        // After a miss, start again from now; otherwise keep the cadence.
        let mut next = spec.next_after(if missed { now } else { local_from_ms(due) });
        for _ in 0..100_000 {
            match next {
                Some(t) if t <= now => next = spec.next_after(t),
                _ => break,
            }
        }
        let next_ms = next.map(|t| t.timestamp_millis());
        let _ = engine
            .store
            .schedule_fired(schedule.id, fire.then_some(now_ms), next_ms)
            .await;
        if let Some(n) = next_ms {
            earliest = earliest.min(n);
        }
    }
    Duration::from_millis(
        (earliest - Local::now().timestamp_millis()).clamp(0, MAX_SLEEP.as_millis() as i64) as u64,
    )
}
