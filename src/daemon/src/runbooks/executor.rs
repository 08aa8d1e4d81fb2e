//! Runs the steps of one run: conditions, retries with backoff, verify/expected, approvals,
//! rollback. Every step change is stored and signalled as it happens.

use super::{checks, process, Engine, LiveRun};
use crate::supervisor::JobHandle;
use roxy_core::runbook::{Action, Command, Expected, OnFailure, Runbook, Step, StepOutcome};
use roxy_ipc::i18n::{fill, gettext};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What one run needs to go (on).
pub struct RunPlan {
    pub run_id: u64,
    pub runbook: Runbook,
    pub vars: BTreeMap<String, String>,
    /// Index of the first step to run (after a resume, the first unfinished one).
    pub start_from: usize,
    /// Results of the steps before `start_from`, for conditions.
    pub outcomes: BTreeMap<String, StepOutcome>,
}

pub enum RunFailure {
    Cancelled,
    Failed(String),
    RolledBack(String),
}

struct Attempt {
    ok: bool,
    cancelled: bool,
    exit_code: Option<i32>,
    output: String,
    message: String,
}

impl Attempt {
    fn succeeded(output: String) -> Self {
        Attempt {
            ok: true,
            cancelled: false,
            exit_code: None,
            output,
            message: String::new(),
        }
    }

    fn cancelled() -> Self {
        Attempt {
            cancelled: true,
            ..Attempt::failed(String::new())
        }
    }

    fn failed(message: String) -> Self {
        Attempt {
            ok: false,
            cancelled: false,
            exit_code: None,
            output: String::new(),
            message,
        }
    }
}

pub async fn execute(
    engine: &Engine,
    plan: &mut RunPlan,
    live: &LiveRun,
    job: &JobHandle,
) -> Result<String, RunFailure> {
    let cancel = job.cancel_flag();
    let total = plan.runbook.steps.len();
    let base_env = engine.base_env(&plan.runbook, plan.run_id, &plan.vars);
    let mut ran: Vec<usize> = Vec::new();
    // Each secret is read from the store once per run, not once per step.
    let mut secret_cache = HashMap::new();
    for idx in plan.start_from..total {
        let step = plan.runbook.steps[idx].clone();
        let tag = format!("[{}]", step.id);
        if cancel.load(Ordering::SeqCst) {
            engine
                .step_state(
                    plan.run_id,
                    idx,
                    &step,
                    "cancelled",
                    0,
                    None,
                    "",
                    false,
                    true,
                )
                .await;
            return Err(RunFailure::Cancelled);
        }
        let skipped_by_request = live.skip.lock().unwrap().contains(&step.id);
        let condition_false = step
            .when
            .as_ref()
            .is_some_and(|c| !c.evaluate(&plan.outcomes, &plan.vars));
        if skipped_by_request || condition_false {
            let why = if skipped_by_request {
                gettext("skipped on request")
            } else {
                fill(
                    &gettext("skipped: `{}` is false"),
                    &[&step
                        .when
                        .as_ref()
                        .map(|c| c.source().to_owned())
                        .unwrap_or_default()],
                )
            };
            job.log(format!("{tag} {why}"));
            engine
                .step_state(
                    plan.run_id,
                    idx,
                    &step,
                    "skipped",
                    0,
                    None,
                    &why,
                    true,
                    true,
                )
                .await;
            plan.outcomes.insert(
                step.id.clone(),
                StepOutcome {
                    skipped: true,
                    ..Default::default()
                },
            );
            continue;
        }
        job.progress(
            idx as f64 / total as f64,
            Some(fill(
                &gettext("Step {} of {}: {}"),
                &[&(idx + 1), &total, &step.name],
            )),
        );

        let mut env = base_env.clone();
        env.extend(step.env.clone());
        env.insert("ROXY_STEP".into(), step.id.clone());
        let secrets = resolve_secrets(engine, &plan.runbook, &step, job, &mut secret_cache).await;
        let attempts = step.retries + 1;
        let mut last = Attempt::failed(String::new());
        let mut used = 0;
        for attempt in 1..=attempts {
            used = attempt;
            let state = if matches!(step.action, Action::Approval { .. }) {
                "waiting_approval"
            } else {
                "running"
            };
            engine
                .step_state(
                    plan.run_id,
                    idx,
                    &step,
                    state,
                    attempt,
                    None,
                    "",
                    attempt == 1,
                    false,
                )
                .await;
            last = match &secrets {
                Ok(values) => {
                    let mut env = env.clone();
                    env.extend(values.iter().map(|(k, v)| (k.clone(), v.to_string())));
                    perform(engine, plan.run_id, &step, &env, &cancel, live, job).await
                }
                Err(why) => Attempt::failed(why.clone()),
            };
            // Whatever a step prints or says about a secret stays masked from here on.
            last.output = job.mask(&last.output);
            last.message = job.mask(&last.message);
            if last.ok || last.cancelled {
                break;
            }
            job.log(format!("{tag} {}", last.message));
            if attempt < attempts {
                let wait = step.backoff * 2u32.saturating_pow(attempt - 1);
                job.log(format!(
                    "{tag} {}",
                    fill(
                        &gettext("attempt {} of {} failed; retrying in {}"),
                        &[&attempt, &attempts, &checks::humantime_short(wait)]
                    )
                ));
                if cancellable_sleep(wait, &cancel).await {
                    last.cancelled = true;
                    break;
                }
            }
        }
        let exit = last.exit_code.map(i64::from);
        if last.cancelled {
            engine
                .step_state(
                    plan.run_id,
                    idx,
                    &step,
                    "cancelled",
                    used,
                    exit,
                    &last.output,
                    false,
                    true,
                )
                .await;
            return Err(RunFailure::Cancelled);
        }
        let state = if last.ok { "ok" } else { "failed" };
        engine
            .step_state(
                plan.run_id,
                idx,
                &step,
                state,
                used,
                exit,
                &last.output,
                false,
                true,
            )
            .await;
        plan.outcomes.insert(
            step.id.clone(),
            StepOutcome {
                ok: last.ok,
                failed: !last.ok,
                skipped: false,
                exit_code: last.exit_code,
                output: last
                    .output
                    .trim()
                    .chars()
                    .rev()
                    .take(1024)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
            },
        );
        if last.ok {
            ran.push(idx);
            continue;
        }
        let failure = fill(
            &gettext("Step “{}” failed: {}"),
            &[&step.name, &last.message],
        );
        match step.on_failure {
            OnFailure::Continue => {
                job.log(format!(
                    "{tag} {}",
                    gettext("failed; continuing (on_failure: continue)")
                ));
            }
            OnFailure::Abort => return Err(RunFailure::Failed(failure)),
            OnFailure::Rollback => {
                let undone = rollback(engine, plan, &ran, &base_env, job).await;
                return Err(RunFailure::RolledBack(fill(
                    &gettext("{} Rolled back: {}."),
                    &[&failure, &undone],
                )));
            }
        }
    }
    job.progress(1.0, None);
    Ok(fill(&gettext("All {} steps done."), &[&total]))
}

async fn perform(
    engine: &Engine,
    run_id: u64,
    step: &Step,
    env: &BTreeMap<String, String>,
    cancel: &Arc<AtomicBool>,
    live: &LiveRun,
    job: &JobHandle,
) -> Attempt {
    let tag = format!("[{}]", step.id);
    match &step.action {
        Action::Run(command) => {
            let finished = match run_command(command, step, env, cancel, job).await {
                Ok(f) => f,
                Err(e) => return Attempt::failed(e),
            };
            if finished.cancelled {
                return Attempt::cancelled();
            }
            let mut attempt = Attempt {
                ok: false,
                cancelled: false,
                exit_code: finished.exit_code,
                output: finished.output.clone(),
                message: String::new(),
            };
            if finished.timed_out {
                attempt.message = fill(
                    &gettext("timed out after {}"),
                    &[&checks::humantime_short(step.timeout)],
                );
                return attempt;
            }
            let checked = match &step.verify {
                None => finished,
                Some(verify) => {
                    if finished.exit_code != Some(0) {
                        attempt.message = exit_message(finished.exit_code, 0);
                        return attempt;
                    }
                    job.log(format!(
                        "{tag} {}",
                        fill(&gettext("verifying: {}"), &[&verify.display()])
                    ));
                    match run_command(verify, step, env, cancel, job).await {
                        Ok(v) if v.cancelled => {
                            return Attempt {
                                cancelled: true,
                                ..attempt
                            }
                        }
                        Ok(v) => v,
                        Err(e) => {
                            attempt.message = e;
                            return attempt;
                        }
                    }
                }
            };
            match expected_met(&step.expected, &checked) {
                Ok(()) => attempt.ok = true,
                Err(why) => attempt.message = why,
            }
            attempt
        }
        Action::Approval { prompt } => {
            job.progress(
                -1.0,
                Some(fill(&gettext("Waiting for approval: {}"), &[prompt])),
            );
            job.log(format!(
                "{tag} {}",
                fill(
                    &gettext(
                        "waiting for approval: {} (approve with `roxyctl runbook approve {}`)"
                    ),
                    &[prompt, &run_id]
                )
            ));
            engine.emit_run(run_id).await;
            let (runbook_id, runbook_name) = match engine.store.run(run_id as i64).await {
                Ok(Some(record)) => (record.runbook_id, record.runbook_name),
                _ => Default::default(),
            };
            engine
                .notices
                .publish(super::notices::approval_event(
                    run_id,
                    &runbook_id,
                    &runbook_name,
                    prompt,
                ))
                .await;
            loop {
                if live.step_approved.swap(false, Ordering::SeqCst) {
                    let by = live.approved_by.lock().unwrap().clone();
                    job.log(format!(
                        "{tag} {}",
                        fill(&gettext("approved by {}"), &[&by])
                    ));
                    return Attempt::succeeded(by);
                }
                if cancel.load(Ordering::SeqCst) {
                    return Attempt::cancelled();
                }
                let _ = tokio::time::timeout(Duration::from_millis(100), live.approval.notified())
                    .await;
            }
        }
        Action::Http(check) => match checks::http(check, step.timeout).await {
            Ok(line) => {
                job.log(format!("{tag} {line}"));
                Attempt::succeeded(line)
            }
            Err(why) => Attempt::failed(why),
        },
        Action::WaitFor(target) => match checks::wait_for(target, step.timeout, cancel).await {
            Ok(line) => {
                job.log(format!("{tag} {line}"));
                Attempt::succeeded(line)
            }
            Err(_) if cancel.load(Ordering::SeqCst) => Attempt::cancelled(),
            Err(why) => Attempt::failed(why),
        },
    }
}

/// The values of the runbook's and the step's `secrets:`, each hidden in the job's output
/// from now on; or why they cannot be had.
async fn resolve_secrets(
    engine: &Engine,
    runbook: &roxy_core::runbook::Runbook,
    step: &Step,
    job: &JobHandle,
    cache: &mut HashMap<String, zeroize::Zeroizing<String>>,
) -> Result<Vec<(String, zeroize::Zeroizing<String>)>, String> {
    let mut values = Vec::new();
    for (var, name) in runbook.secrets.iter().chain(&step.secrets) {
        if !cache.contains_key(name) {
            match engine.secrets.get(name).await {
                Ok(Some(value)) => {
                    job.hide(&value);
                    cache.insert(name.clone(), value);
                }
                Ok(None) => {
                    return Err(fill(
                        &gettext("the secret “{}” is not in the secret store; add it with `roxyctl secret set {}`"),
                        &[name, name],
                    ))
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        values.push((var.clone(), cache[name].clone()));
    }
    Ok(values)
}

async fn run_command(
    command: &Command,
    step: &Step,
    env: &BTreeMap<String, String>,
    cancel: &AtomicBool,
    job: &JobHandle,
) -> Result<process::Finished, String> {
    let cwd = step.cwd.as_ref().map(|dir| expand_home(dir, env));
    let tag = format!("[{}]", step.id);
    process::run(
        &command.argv(),
        env,
        cwd.as_deref(),
        step.timeout,
        cancel,
        |line| job.log(format!("{tag} {line}")),
    )
    .await
}

fn expand_home(dir: &std::path::Path, env: &BTreeMap<String, String>) -> PathBuf {
    match (dir.strip_prefix("~"), env.get("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => dir.to_owned(),
    }
}

fn expected_met(expected: &Expected, finished: &process::Finished) -> Result<(), String> {
    match expected {
        Expected::ExitCode(code) if finished.exit_code == Some(*code) => Ok(()),
        Expected::ExitCode(code) => Err(exit_message(finished.exit_code, *code)),
        Expected::Text(text) if finished.stdout.trim() == text.trim() => Ok(()),
        Expected::Text(text) => Err(fill(
            &gettext("printed “{}”, expected “{}”"),
            &[
                &finished.stdout.trim().chars().take(200).collect::<String>(),
                text,
            ],
        )),
        Expected::Regex(re) if re.is_match(&finished.stdout) => Ok(()),
        Expected::Regex(re) => Err(fill(
            &gettext("the output does not match /{}/"),
            &[&re.as_str()],
        )),
    }
}

fn exit_message(code: Option<i32>, expected: i32) -> String {
    match code {
        Some(c) => fill(&gettext("exited with {}, expected {}"), &[&c, &expected]),
        None => gettext("was ended by a signal"),
    }
}

/// Undoes the steps that ran, newest first; returns their names for the message.
async fn rollback(
    engine: &Engine,
    plan: &RunPlan,
    ran: &[usize],
    base_env: &BTreeMap<String, String>,
    job: &JobHandle,
) -> String {
    let mut undone = Vec::new();
    // A rollback must run even when the run was cancelled: it has its own flag.
    let no_cancel = AtomicBool::new(false);
    for &idx in ran.iter().rev() {
        let step = &plan.runbook.steps[idx];
        let Some(command) = &step.rollback else {
            continue;
        };
        let tag = format!("[{}]", step.id);
        job.log(format!(
            "{tag} {}",
            fill(&gettext("rolling back: {}"), &[&command.display()])
        ));
        let mut env = base_env.clone();
        env.extend(step.env.clone());
        let cwd = step.cwd.as_ref().map(|dir| expand_home(dir, &env));
        let result = process::run(
            &command.argv(),
            &env,
            cwd.as_deref(),
            step.timeout,
            &no_cancel,
            |line| job.log(format!("{tag} {line}")),
        )
        .await;
        match result {
            Ok(f) if f.exit_code == Some(0) => {
                engine
                    .step_state(
                        plan.run_id,
                        idx,
                        step,
                        "rolled_back",
                        0,
                        Some(0),
                        &f.output,
                        false,
                        true,
                    )
                    .await;
                undone.push(step.id.clone());
            }
            Ok(f) => job.log(format!(
                "{tag} {}",
                fill(
                    &gettext("rollback failed: {}"),
                    &[&exit_message(f.exit_code, 0)]
                )
            )),
            Err(e) => job.log(format!(
                "{tag} {}",
                fill(&gettext("rollback failed: {}"), &[&e])
            )),
        }
    }
    if undone.is_empty() {
        gettext("nothing to undo")
    } else {
        undone.join(", ")
    }
}

/// Sleeps for `wait`; returns true when cancelled meanwhile.
async fn cancellable_sleep(wait: Duration, cancel: &AtomicBool) -> bool {
    let until = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < until {
        if cancel.load(Ordering::SeqCst) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50).min(until - tokio::time::Instant::now()))
            .await;
    }
    cancel.load(Ordering::SeqCst)
}
