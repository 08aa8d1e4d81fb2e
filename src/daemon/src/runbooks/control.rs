//! Controlling runs that exist: cancel, approve, skip, resume.

use super::executor::RunPlan;
use super::{decode_vars, deny_voice_approval, failed, Engine, LiveRun};
use roxy_core::runbook::StepOutcome;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::collections::BTreeMap;
use std::sync::Arc;
use zbus::zvariant::OwnedObjectPath;

impl Engine {
    pub async fn cancel(&self, run_id: u64, actor: &str) -> Result<(), RoxyError> {
        let record = self.record(run_id).await?;
        match record.state.as_str() {
            "awaiting_approval" => {
                self.set_state(
                    run_id,
                    "cancelled",
                    &gettext("Cancelled before it was approved."),
                    true,
                )
                .await;
                self.live.lock().unwrap().remove(&run_id);
                self.withdraw_alert(run_id).await;
            }
            "running" => {
                let job = record.job_id.ok_or_else(|| {
                    RoxyError::Unavailable(gettext(
                        "The run has not started its job yet; try again.",
                    ))
                })?;
                self.supervisor.cancel(job as u64)?;
            }
            other => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("Run {} has already ended ({})."),
                    &[&run_id, &other],
                )));
            }
        }
        self.audit(
            actor,
            "runbook.cancel",
            &record.runbook_id,
            "ok",
            &format!("run {run_id}"),
        )
        .await;
        Ok(())
    }

    pub async fn approve(self: &Arc<Self>, run_id: u64, actor: &str) -> Result<(), RoxyError> {
        deny_voice_approval(actor)?;
        let record = self.record(run_id).await?;
        let live = self.live.lock().unwrap().get(&run_id).cloned();
        match (record.state.as_str(), live) {
            ("awaiting_approval", Some(live)) => {
                self.store
                    .set_run_approved(run_id as i64, actor)
                    .await
                    .map_err(failed)?;
                self.withdraw_alert(run_id).await;
                self.audit(
                    actor,
                    "runbook.approve",
                    &record.runbook_id,
                    "ok",
                    &format!("run {run_id}"),
                )
                .await;
                let rb = self.runbook(&record.runbook_id)?;
                let plan = RunPlan {
                    run_id,
                    runbook: rb,
                    vars: decode_vars(&record.vars),
                    start_from: 0,
                    outcomes: BTreeMap::new(),
                };
                self.launch(plan, live).await.map(drop)
            }
            ("running", Some(live)) => {
                let steps = self.store.run_steps(run_id as i64).await.map_err(failed)?;
                if !steps.iter().any(|s| s.state == "waiting_approval") {
                    return Err(RoxyError::InvalidInput(fill(
                        &gettext("Run {} is not waiting for an approval."),
                        &[&run_id],
                    )));
                }
                *live.approved_by.lock().unwrap() = actor.to_owned();
                live.step_approved
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                live.approval.notify_one();
                self.withdraw_alert(run_id).await;
                self.audit(
                    actor,
                    "runbook.approve-step",
                    &record.runbook_id,
                    "ok",
                    &format!("run {run_id}"),
                )
                .await;
                Ok(())
            }
            _ => Err(RoxyError::InvalidInput(fill(
                &gettext("Run {} is not waiting for an approval."),
                &[&run_id],
            ))),
        }
    }

    pub async fn skip(&self, run_id: u64, step_id: &str, actor: &str) -> Result<(), RoxyError> {
        let record = self.record(run_id).await?;
        let steps = self.store.run_steps(run_id as i64).await.map_err(failed)?;
        let step = steps.iter().find(|s| s.step_id == step_id).ok_or_else(|| {
            RoxyError::NotFound(fill(
                &gettext("Run {} has no step “{}”."),
                &[&run_id, &step_id],
            ))
        })?;
        let live = self.live.lock().unwrap().get(&run_id).cloned();
        match (live, step.state.as_str()) {
            (Some(live), "pending") => {
                live.skip.lock().unwrap().insert(step_id.to_owned());
                let mut all: Vec<String> = live.skip.lock().unwrap().iter().cloned().collect();
                all.sort();
                self.store
                    .set_run_skip(run_id as i64, &all.join(","))
                    .await
                    .map_err(failed)?;
                self.audit(
                    actor,
                    "runbook.skip",
                    &record.runbook_id,
                    "ok",
                    &format!("run {run_id} step {step_id}"),
                )
                .await;
                Ok(())
            }
            (None, _) => Err(RoxyError::InvalidInput(fill(
                &gettext("Run {} is not running."),
                &[&run_id],
            ))),
            (_, state) => Err(RoxyError::InvalidInput(fill(
                &gettext("Step “{}” is {}; only steps that have not started can be skipped."),
                &[&step_id, &state],
            ))),
        }
    }

    /// Continues a run from its first step that did not finish well.
    pub async fn resume(
        self: &Arc<Self>,
        run_id: u64,
        actor: &str,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let record = self.record(run_id).await?;
        if !matches!(
            record.state.as_str(),
            "interrupted" | "failed" | "cancelled"
        ) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext(
                    "Run {} is {}; only interrupted, failed or cancelled runs can be resumed.",
                ),
                &[&run_id, &record.state],
            )));
        }
        let rb = self.runbook(&record.runbook_id)?;
        let steps = self.store.run_steps(run_id as i64).await.map_err(failed)?;
        let same = steps.len() == rb.steps.len()
            && steps.iter().zip(&rb.steps).all(|(a, b)| a.step_id == b.id);
        if !same {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Runbook “{}” changed since run {} (its steps differ); start a new run instead."),
                &[&rb.id, &run_id],
            )));
        }
        let start_from = steps
            .iter()
            .position(|s| !matches!(s.state.as_str(), "ok" | "skipped"))
            .unwrap_or(steps.len());
        let mut outcomes = BTreeMap::new();
        for s in &steps[..start_from] {
            outcomes.insert(
                s.step_id.clone(),
                StepOutcome {
                    ok: s.state == "ok",
                    failed: false,
                    skipped: s.state == "skipped",
                    exit_code: s.exit_code.map(|c| c as i32),
                    output: s.output.trim().to_owned(),
                },
            );
        }
        for s in &steps[start_from..] {
            self.store
                .update_step(run_id as i64, s.idx, "pending", 0, None, "", false, false)
                .await
                .map_err(failed)?;
        }
        self.set_state(run_id, "running", "", false).await;
        let live = Arc::new(LiveRun::default());
        live.skip.lock().unwrap().extend(
            record
                .skip
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        self.live.lock().unwrap().insert(run_id, live.clone());
        self.audit(
            actor,
            "runbook.resume",
            &rb.id,
            "started",
            &format!("run {run_id} from step {}", start_from + 1),
        )
        .await;
        let plan = RunPlan {
            run_id,
            runbook: rb,
            vars: decode_vars(&record.vars),
            start_from,
            outcomes,
        };
        self.launch(plan, live).await
    }
}
