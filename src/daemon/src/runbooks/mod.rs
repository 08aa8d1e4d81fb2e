//! The runbook engine: the catalog of runbook files, runs as jobs, approvals, resume.
//!
//! No D-Bus method runs a caller-supplied command: a run names a runbook of the catalog, and
//! the catalog only reads folders the user alone can change.

pub mod checks;
mod executor;
pub mod process;
mod scheduler;
mod watcher;

use crate::services::runbooks1::RunbooksService;
use crate::supervisor::{JobFailure, Supervisor};
use executor::{RunFailure, RunPlan};
use roxy_core::runbook::{Action, Catalog, Runbook, StepOutcome};
use roxy_core::schedule::{Missed, Spec};
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::{job_id_from_path, DAEMON_PATH};
use roxy_ipc::{
    RoxyError, RunInfo, RunStepInfo, RunbookInfo, ScheduleInfo, StepInfo, ValidationProblem,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{Notify, Semaphore};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::Connection;

/// Runs at the same time; more wait for a slot.
const CONCURRENT_RUNS: usize = 4;

/// What a running run shares with the outside: approvals and skips.
#[derive(Default)]
pub struct LiveRun {
    step_approved: AtomicBool,
    approval: Notify,
    approved_by: Mutex<String>,
    skip: Mutex<HashSet<String>>,
}

pub struct Engine {
    store: Store,
    supervisor: Arc<Supervisor>,
    conn: Connection,
    dirs: Vec<PathBuf>,
    catalog: RwLock<Catalog>,
    live: Mutex<HashMap<u64, Arc<LiveRun>>>,
    slots: Arc<Semaphore>,
    /// Wakes the scheduler when schedules change.
    schedule_wake: Arc<Notify>,
}

impl Engine {
    /// `dirs` in order of precedence, lowest first (shipped examples, then the user's).
    pub async fn start(
        store: Store,
        supervisor: Arc<Supervisor>,
        conn: Connection,
        dirs: Vec<PathBuf>,
    ) -> Arc<Self> {
        match store
            .interrupt_unfinished_runs(&gettext(
                "roxyd stopped during this run; resume it with `roxyctl runbook resume`.",
            ))
            .await
        {
            Ok(ids) => ids
                .iter()
                .for_each(|id| tracing::warn!(run = id, "runbook run was interrupted")),
            Err(e) => tracing::error!("cannot mark interrupted runs: {e}"),
        }
        let engine = Arc::new(Self {
            catalog: RwLock::new(Catalog::load(&dirs)),
            store,
            supervisor,
            conn,
            dirs,
            live: Mutex::default(),
            slots: Arc::new(Semaphore::new(CONCURRENT_RUNS)),
            schedule_wake: Arc::default(),
        });
        engine.log_catalog_problems();
        watcher::spawn(Arc::downgrade(&engine), engine.dirs.clone());
        scheduler::spawn(Arc::downgrade(&engine), engine.schedule_wake.clone());
        engine
    }

    pub async fn reload(&self) {
        *self.catalog.write().unwrap() = Catalog::load(&self.dirs);
        self.log_catalog_problems();
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::catalog_changed(&emitter).await;
        }
    }

    fn log_catalog_problems(&self) {
        let catalog = self.catalog.read().unwrap();
        for refused in catalog.refused() {
            tracing::warn!("{refused}");
        }
        for entry in catalog.entries() {
            if let Err(errors) = &entry.result {
                for e in errors {
                    tracing::warn!("{e}");
                }
            }
        }
    }

    /// Every runbook, plus one entry without an id for each refused folder (so the reason
    /// reaches the person, not only the log).
    pub async fn list(&self) -> Vec<RunbookInfo> {
        let (entries, refused): (Vec<_>, Vec<_>) = {
            let catalog = self.catalog.read().unwrap();
            (
                catalog.entries().cloned().collect(),
                catalog.refused().to_vec(),
            )
        };
        let mut out = Vec::with_capacity(entries.len() + refused.len());
        for problem in refused {
            out.push(RunbookInfo {
                id: String::new(),
                name: problem.file.display().to_string(),
                description: String::new(),
                tags: Vec::new(),
                path: problem.file.display().to_string(),
                confirm: false,
                heavy: false,
                steps: 0,
                errors: vec![problem.message],
                last_state: String::new(),
                last_run_at: 0,
            });
        }
        for entry in entries {
            let last = self
                .store
                .runs(&entry.id, 1)
                .await
                .ok()
                .and_then(|r| r.into_iter().next());
            let mut info = match &entry.result {
                Ok(rb) => runbook_info(rb),
                Err(errors) => RunbookInfo {
                    id: entry.id.clone(),
                    name: entry.id.clone(),
                    description: String::new(),
                    tags: Vec::new(),
                    path: entry.path.display().to_string(),
                    confirm: false,
                    heavy: false,
                    steps: 0,
                    errors: errors.iter().map(ToString::to_string).collect(),
                    last_state: String::new(),
                    last_run_at: 0,
                },
            };
            if let Some(run) = last {
                info.last_state = run.state;
                info.last_run_at = run.started_at;
            }
            out.push(info);
        }
        out
    }

    fn runbook(&self, id: &str) -> Result<Runbook, RoxyError> {
        let catalog = self.catalog.read().unwrap();
        match catalog.get(id) {
            Some(entry) => match &entry.result {
                Ok(rb) => Ok(rb.clone()),
                Err(errors) => Err(RoxyError::InvalidInput(fill(
                    &gettext("Runbook “{}” has problems and cannot run: {}"),
                    &[
                        &id,
                        &errors
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ],
                ))),
            },
            None => {
                let known: Vec<String> = catalog.entries().map(|e| e.id.clone()).collect();
                Err(RoxyError::NotFound(fill(
                    &gettext("There is no runbook “{}”. Known runbooks: {}."),
                    &[
                        &id,
                        &if known.is_empty() {
                            gettext("none")
                        } else {
                            known.join(", ")
                        },
                    ],
                )))
            }
        }
    }

    pub fn show(&self, id: &str) -> Result<(RunbookInfo, Vec<StepInfo>), RoxyError> {
        let rb = self.runbook(id)?;
        let steps = rb
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| step_info(i, s))
            .collect();
        Ok((runbook_info(&rb), steps))
    }

    pub fn validate(file_name: &str, text: &str) -> Vec<ValidationProblem> {
        match roxy_core::runbook::parse(std::path::Path::new(file_name), text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| ValidationProblem {
                    file: e.file.display().to_string(),
                    line: e.line as u32,
                    column: e.column as u32,
                    message: e.message,
                })
                .collect(),
        }
    }

    pub fn plan(
        &self,
        id: &str,
        vars: &HashMap<String, String>,
        skip: &[String],
    ) -> Result<Vec<String>, RoxyError> {
        let rb = self.runbook(id)?;
        let vars = resolve_vars(&rb, vars)?;
        check_skip(&rb, skip)?;
        let mut lines = Vec::new();
        if rb.confirm {
            lines.push(gettext(
                "needs an approval before it starts (confirm: true)",
            ));
        }
        for (name, value) in &vars {
            lines.push(format!("var {name} = {value}"));
        }
        for (i, step) in rb.steps.iter().enumerate() {
            let info = step_info(i, step);
            let mut line = format!("{}. [{}] {}: {}", i + 1, step.id, info.kind, info.detail);
            if skip.contains(&step.id) {
                line.push_str(&format!("  ({})", gettext("skipped")));
            }
            if !info.when.is_empty() {
                line.push_str(&format!("  when {}", info.when));
            }
            if step.retries > 0 {
                line.push_str(&format!("  retries {}", step.retries));
            }
            line.push_str(&format!(
                "  timeout {}  on_failure {}",
                checks::humantime_short(step.timeout),
                info.on_failure
            ));
            lines.push(line);
        }
        Ok(lines)
    }

    /// Starts a run, or parks it for approval. Returns the run id and its job path ("/" while
    /// it waits for approval).
    pub async fn run(
        self: &Arc<Self>,
        id: &str,
        vars: &HashMap<String, String>,
        skip: &[String],
        approve: bool,
        actor: &str,
    ) -> Result<(u64, OwnedObjectPath), RoxyError> {
        let rb = self.runbook(id)?;
        let vars = resolve_vars(&rb, vars)?;
        check_skip(&rb, skip)?;
        if approve {
            deny_voice_approval(actor)?;
        }
        let waiting = rb.confirm && !approve;
        let steps: Vec<(String, String)> = rb
            .steps
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let run_id = self
            .store
            .create_run(roxy_core::runs::NewRun {
                runbook_id: &rb.id,
                runbook_name: &rb.name,
                state: if waiting {
                    "awaiting_approval"
                } else {
                    "running"
                },
                actor,
                vars: &encode_vars(&vars),
                skip: &skip.join(","),
                steps: &steps,
            })
            .await
            .map_err(failed)? as u64;
        let live = Arc::new(LiveRun::default());
        live.skip.lock().unwrap().extend(skip.iter().cloned());
        self.live.lock().unwrap().insert(run_id, live.clone());
        self.audit(
            actor,
            "runbook.run",
            &rb.id,
            if waiting {
                "awaiting approval"
            } else {
                "started"
            },
            &format!("run {run_id}"),
        )
        .await;
        if waiting {
            self.emit_run(run_id).await;
            return Ok((run_id, root_path()));
        }
        if rb.confirm {
            self.store
                .set_run_approved(run_id as i64, actor)
                .await
                .map_err(failed)?;
        }
        let plan = RunPlan {
            run_id,
            runbook: rb,
            vars,
            start_from: 0,
            outcomes: BTreeMap::new(),
        };
        let path = self.launch(plan, live).await?;
        Ok((run_id, path))
    }

    async fn launch(
        self: &Arc<Self>,
        mut plan: RunPlan,
        live: Arc<LiveRun>,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let run_id = plan.run_id;
        let title = fill(
            &gettext("Runbook “{}” (run {})"),
            &[&plan.runbook.name, &run_id],
        );
        let engine = self.clone();
        let path = self
            .supervisor
            .spawn("runbook", title, move |job| async move {
                if engine.slots.available_permits() == 0 {
                    job.progress(
                        -1.0,
                        Some(gettext("Waiting for a free slot (other runs are busy)")),
                    );
                }
                let _slot = engine.slots.clone().acquire_owned().await;
                engine.set_state(run_id, "running", "", false).await;
                let result = executor::execute(&engine, &mut plan, &live, &job).await;
                let (state, message, failure) = match result {
                    Ok(m) => ("succeeded", m, None),
                    Err(RunFailure::Cancelled) => (
                        "cancelled",
                        gettext("Cancelled."),
                        Some(JobFailure::Cancelled),
                    ),
                    Err(RunFailure::Failed(m)) => {
                        ("failed", m.clone(), Some(JobFailure::Failed(m)))
                    }
                    Err(RunFailure::RolledBack(m)) => {
                        ("rolled_back", m.clone(), Some(JobFailure::Failed(m)))
                    }
                };
                engine.set_state(run_id, state, &message, true).await;
                engine.live.lock().unwrap().remove(&run_id);
                engine
                    .audit(
                        "daemon",
                        "runbook.finish",
                        &plan.runbook.id,
                        state,
                        &format!("run {run_id}: {message}"),
                    )
                    .await;
                match failure {
                    None => Ok(message),
                    Some(f) => Err(f),
                }
            })
            .await?;
        if let Some(job_id) = job_id_from_path(path.as_str()) {
            let _ = self.store.set_run_job(run_id as i64, job_id as i64).await;
        }
        self.emit_run(run_id).await;
        Ok(path)
    }

    pub async fn runs(&self, runbook_id: &str, limit: u32) -> Result<Vec<RunInfo>, RoxyError> {
        let records = self
            .store
            .runs(runbook_id, limit.min(1000))
            .await
            .map_err(failed)?;
        Ok(records.iter().map(run_info).collect())
    }

    pub async fn get_run(&self, run_id: u64) -> Result<(RunInfo, Vec<RunStepInfo>), RoxyError> {
        let record = self.record(run_id).await?;
        let steps = self.store.run_steps(run_id as i64).await.map_err(failed)?;
        Ok((run_info(&record), steps.iter().map(step_run_info).collect()))
    }

    async fn record(&self, run_id: u64) -> Result<roxy_core::runs::RunRecord, RoxyError> {
        self.store
            .run(run_id as i64)
            .await
            .map_err(failed)?
            .ok_or_else(|| {
                RoxyError::NotFound(fill(
                    &gettext("There is no run {}. `roxyctl runbook runs` lists them."),
                    &[&run_id],
                ))
            })
    }

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

    pub async fn list_schedules(&self) -> Result<Vec<ScheduleInfo>, RoxyError> {
        let records = self.store.schedules().await.map_err(failed)?;
        Ok(records
            .into_iter()
            .map(|r| ScheduleInfo {
                id: r.id as u64,
                runbook_id: r.runbook_id,
                kind: r.kind,
                spec: r.spec,
                missed: r.missed,
                paused: r.paused,
                last_fire_at: r.last_fire_at.unwrap_or(0),
                next_fire_at: if r.paused {
                    0
                } else {
                    r.next_fire_at.unwrap_or(0)
                },
            })
            .collect())
    }

    pub async fn add_schedule(
        &self,
        runbook_id: &str,
        kind: &str,
        spec: &str,
        missed: &str,
        actor: &str,
    ) -> Result<u64, RoxyError> {
        self.runbook(runbook_id)?;
        let parsed = Spec::parse(kind, spec).map_err(RoxyError::InvalidInput)?;
        let missed = Missed::parse(missed).map_err(RoxyError::InvalidInput)?;
        let next = parsed.next_after(chrono::Local::now()).ok_or_else(|| {
            RoxyError::InvalidInput(fill(&gettext("The schedule `{}` never fires."), &[&spec]))
        })?;
        let id = self
            .store
            .add_schedule(runbook_id, kind, spec, missed, next.timestamp_millis())
            .await
            .map_err(failed)?;
        self.audit(
            actor,
            "schedule.add",
            runbook_id,
            "ok",
            &format!("#{id} {kind} {spec}"),
        )
        .await;
        self.schedules_changed().await;
        Ok(id as u64)
    }

    pub async fn remove_schedule(&self, id: u64, actor: &str) -> Result<(), RoxyError> {
        if !self
            .store
            .remove_schedule(id as i64)
            .await
            .map_err(failed)?
        {
            return Err(no_schedule(id));
        }
        self.audit(actor, "schedule.remove", &format!("#{id}"), "ok", "")
            .await;
        self.schedules_changed().await;
        Ok(())
    }

    pub async fn set_schedule_paused(
        &self,
        id: u64,
        paused: bool,
        actor: &str,
    ) -> Result<(), RoxyError> {
        let record = self
            .store
            .schedules()
            .await
            .map_err(failed)?
            .into_iter()
            .find(|s| s.id == id as i64)
            .ok_or_else(|| no_schedule(id))?;
        // Resuming starts counting from now rather than replaying the paused time.
        let next = if paused {
            None
        } else {
            Spec::parse(&record.kind, &record.spec)
                .ok()
                .and_then(|s| s.next_after(chrono::Local::now()))
                .map(|t| t.timestamp_millis())
        };
        self.store
            .set_schedule_paused(id as i64, paused, next)
            .await
            .map_err(failed)?;
        self.audit(
            actor,
            if paused {
                "schedule.pause"
            } else {
                "schedule.resume"
            },
            &record.runbook_id,
            "ok",
            &format!("#{id}"),
        )
        .await;
        self.schedules_changed().await;
        Ok(())
    }

    async fn schedules_changed(&self) {
        self.schedule_wake.notify_one();
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::schedules_changed(&emitter).await;
        }
    }

    pub async fn audit(&self, actor: &str, action: &str, target: &str, result: &str, detail: &str) {
        if let Err(e) = self
            .store
            .audit(actor, action, target, result, detail)
            .await
        {
            tracing::error!("cannot write the audit log: {e}");
        }
    }

    /// The environment every step starts from: a few session variables, the runbook's
    /// `env`, the run's variables as ROXY_VAR_<NAME>, and ROXY_RUN_ID / ROXY_RUNBOOK.
    fn base_env(
        &self,
        rb: &Runbook,
        run_id: u64,
        vars: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        for key in [
            "PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "LANG",
            "XDG_RUNTIME_DIR",
            "DBUS_SESSION_BUS_ADDRESS",
            "DISPLAY",
            "WAYLAND_DISPLAY",
        ] {
            if let Ok(value) = std::env::var(key) {
                env.insert(key.to_owned(), value);
            }
        }
        env.entry("PATH".into())
            .or_insert_with(|| "/usr/local/bin:/usr/bin:/bin".into());
        env.extend(rb.env.clone());
        for (name, value) in vars {
            env.insert(format!("ROXY_VAR_{}", name.to_uppercase()), value.clone());
        }
        env.insert("ROXY_RUN_ID".into(), run_id.to_string());
        env.insert("ROXY_RUNBOOK".into(), rb.id.clone());
        env
    }

    async fn set_state(&self, run_id: u64, state: &str, message: &str, finished: bool) {
        if let Err(e) = self
            .store
            .set_run_state(run_id as i64, state, message, finished)
            .await
        {
            tracing::error!(run = run_id, "cannot store the run state: {e}");
        }
        self.emit_run(run_id).await;
    }

    #[allow(clippy::too_many_arguments)]
    async fn step_state(
        &self,
        run_id: u64,
        idx: usize,
        step: &roxy_core::runbook::Step,
        state: &str,
        attempts: u32,
        exit_code: Option<i64>,
        output: &str,
        started: bool,
        finished: bool,
    ) {
        if let Err(e) = self
            .store
            .update_step(
                run_id as i64,
                idx as i64,
                state,
                i64::from(attempts),
                exit_code,
                output,
                started,
                finished,
            )
            .await
        {
            tracing::error!(run = run_id, step = %step.id, "cannot store the step state: {e}");
        }
        if let (Ok(steps), Ok(emitter)) = (
            self.store.run_steps(run_id as i64).await,
            SignalEmitter::new(&self.conn, DAEMON_PATH),
        ) {
            if let Some(row) = steps.get(idx) {
                let _ = RunbooksService::step_changed(&emitter, run_id, step_run_info(row)).await;
            }
        }
    }

    async fn emit_run(&self, run_id: u64) {
        let Ok(Some(record)) = self.store.run(run_id as i64).await else {
            return;
        };
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::run_changed(&emitter, run_info(&record)).await;
        }
    }
}

fn no_schedule(id: u64) -> RoxyError {
    RoxyError::NotFound(fill(
        &gettext("There is no schedule {}. `roxyctl schedule list` shows them."),
        &[&id],
    ))
}

fn deny_voice_approval(actor: &str) -> Result<(), RoxyError> {
    if actor.starts_with("voice") {
        return Err(RoxyError::Denied(gettext("Voice can request runbooks but never approve them; approve in the window or with roxyctl.")));
    }
    Ok(())
}

fn resolve_vars(
    rb: &Runbook,
    given: &HashMap<String, String>,
) -> Result<BTreeMap<String, String>, RoxyError> {
    let mut vars = rb.vars.clone();
    for (name, value) in given {
        if !rb.vars.contains_key(name) {
            let known: Vec<&str> = rb.vars.keys().map(String::as_str).collect();
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Runbook “{}” has no variable “{}”; it declares: {}."),
                &[
                    &rb.id,
                    name,
                    &if known.is_empty() {
                        gettext("none")
                    } else {
                        known.join(", ")
                    },
                ],
            )));
        }
        if value.len() > 4096 || value.contains('\0') {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("The value of variable “{}” is too long or contains a NUL byte."),
                &[name],
            )));
        }
        vars.insert(name.clone(), value.clone());
    }
    Ok(vars)
}

fn check_skip(rb: &Runbook, skip: &[String]) -> Result<(), RoxyError> {
    for id in skip {
        if !rb.steps.iter().any(|s| &s.id == id) {
            let known: Vec<&str> = rb.steps.iter().map(|s| s.id.as_str()).collect();
            return Err(RoxyError::InvalidInput(fill(
                &gettext("Runbook “{}” has no step “{}”; its steps: {}."),
                &[&rb.id, id, &known.join(", ")],
            )));
        }
    }
    Ok(())
}

fn encode_vars(vars: &BTreeMap<String, String>) -> String {
    vars.iter()
        .map(|(k, v)| format!("{k}={}", v.replace('\\', "\\\\").replace('\n', "\\n")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_vars(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect()
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            (c, _) => out.push(c),
        }
    }
    out
}

fn root_path() -> OwnedObjectPath {
    OwnedObjectPath::try_from("/").expect("/ is an object path")
}

fn failed(e: impl std::fmt::Display) -> RoxyError {
    RoxyError::Failed(e.to_string())
}

fn runbook_info(rb: &Runbook) -> RunbookInfo {
    RunbookInfo {
        id: rb.id.clone(),
        name: rb.name.clone(),
        description: rb.description.clone(),
        tags: rb.tags.clone(),
        path: rb.path.display().to_string(),
        confirm: rb.confirm,
        heavy: rb.weight == roxy_core::runbook::Weight::Heavy,
        steps: rb.steps.len() as u32,
        errors: Vec::new(),
        last_state: String::new(),
        last_run_at: 0,
    }
}

fn step_info(index: usize, step: &roxy_core::runbook::Step) -> StepInfo {
    let (kind, detail) = match &step.action {
        Action::Run(c) => ("run", c.display()),
        Action::Approval { prompt } => ("approval", prompt.clone()),
        Action::Http(h) => ("http", format!("{} {} → {}", h.method, h.url, h.status)),
        Action::WaitFor(roxy_core::runbook::WaitTarget::Tcp(t)) => ("wait_for", format!("tcp {t}")),
        Action::WaitFor(roxy_core::runbook::WaitTarget::Http(u)) => {
            ("wait_for", format!("http {u}"))
        }
    };
    StepInfo {
        index: index as u32,
        id: step.id.clone(),
        name: step.name.clone(),
        kind: kind.into(),
        detail,
        timeout_ms: step.timeout.as_millis() as u64,
        retries: step.retries,
        when: step
            .when
            .as_ref()
            .map(|c| c.source().to_owned())
            .unwrap_or_default(),
        on_failure: match step.on_failure {
            roxy_core::runbook::OnFailure::Abort => "abort",
            roxy_core::runbook::OnFailure::Continue => "continue",
            roxy_core::runbook::OnFailure::Rollback => "rollback",
        }
        .into(),
    }
}

fn run_info(r: &roxy_core::runs::RunRecord) -> RunInfo {
    RunInfo {
        id: r.id as u64,
        runbook_id: r.runbook_id.clone(),
        runbook_name: r.runbook_name.clone(),
        state: r.state.clone(),
        actor: r.actor.clone(),
        approved_by: r.approved_by.clone().unwrap_or_default(),
        job_id: r.job_id.unwrap_or(0) as u64,
        message: r.message.clone(),
        started_at: r.started_at,
        finished_at: r.finished_at.unwrap_or(0),
    }
}

fn step_run_info(s: &roxy_core::runs::StepRecord) -> RunStepInfo {
    RunStepInfo {
        index: s.idx as u32,
        step_id: s.step_id.clone(),
        name: s.name.clone(),
        state: s.state.clone(),
        attempts: s.attempts as u32,
        exit_code: s.exit_code.map(|c| c as i32).unwrap_or(-1),
        output: s.output.clone(),
        started_at: s.started_at.unwrap_or(0),
        finished_at: s.finished_at.unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_survive_their_encoding() {
        let vars = BTreeMap::from([
            (
                "path".to_string(),
                "/tmp/a b\\c and \\n literal".to_string(),
            ),
            ("text".to_string(), "two\nlines=x".to_string()),
        ]);
        assert_eq!(decode_vars(&encode_vars(&vars)), vars);
    }

    #[test]
    fn voice_may_not_approve() {
        assert!(matches!(
            deny_voice_approval("voice"),
            Err(RoxyError::Denied(_))
        ));
        assert!(deny_voice_approval("roxyctl (pid 4)").is_ok());
    }
}
