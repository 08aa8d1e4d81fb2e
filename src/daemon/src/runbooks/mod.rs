//! The runbook engine: the catalog of runbook files, runs as jobs, approvals, resume.
//!
//! No D-Bus method runs a caller-supplied command: a run names a runbook of the catalog, and
//! the catalog only reads folders the user alone can change.

pub mod checks;
mod control;
mod convert;
pub mod deferral;
mod executor;
mod notices;
mod plan;
pub mod process;
mod scheduler;
mod schedules;
mod tray_view;
mod triggers;
mod watcher;

use crate::notifications::{Invoked, Notices};
use crate::secrets::SecretStore;
use crate::services::runbooks1::RunbooksService;
use crate::supervisor::{JobFailure, Supervisor};
use crate::tray::Tray;
use convert::{decode_vars, encode_vars, run_info, runbook_info, step_info, step_run_info};
use executor::{RunFailure, RunPlan};
use plan::{check_skip, resolve_vars};
use roxy_core::runbook::{Catalog, Runbook};
use roxy_core::Store;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::{job_id_from_path, DAEMON_PATH};
use roxy_ipc::{RoxyError, RunInfo, RunStepInfo, RunbookInfo, StepInfo, ValidationProblem};
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
    pub(crate) store: Store,
    supervisor: Arc<Supervisor>,
    conn: Connection,
    dirs: Vec<PathBuf>,
    catalog: RwLock<Catalog>,
    live: Mutex<HashMap<u64, Arc<LiveRun>>>,
    slots: Arc<Semaphore>,
    /// Wakes the scheduler when schedules change.
    schedule_wake: Arc<Notify>,
    /// Tells the file-trigger watcher to re-read the triggers after a reload.
    trigger_refresh: Arc<Notify>,
    /// Notices and webhooks.
    notices: Arc<Notices>,
    /// The tray icon, once it is up.
    tray: Mutex<Option<Arc<Tray>>>,
    /// For steps' `secrets:`.
    secrets: Arc<SecretStore>,
    /// The energy level, for heavy runbooks.
    energy: Arc<crate::energy::Energy>,
    /// Scheduled heavy runs waiting for power.
    deferrals: deferral::Deferrals,
}

impl Engine {
    /// `dirs` in order of precedence, lowest first (shipped examples, then the user's).
    pub async fn start(
        store: Store,
        supervisor: Arc<Supervisor>,
        conn: Connection,
        dirs: Vec<PathBuf>,
        notices: (Arc<Notices>, tokio::sync::mpsc::UnboundedReceiver<Invoked>),
        secrets: Arc<SecretStore>,
        energy: Arc<crate::energy::Energy>,
    ) -> Arc<Self> {
        let (notices, invoked) = notices;
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
        if let Some(user_dir) = dirs.last() {
            create_private_dir(user_dir);
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
            trigger_refresh: Arc::default(),
            notices,
            tray: Mutex::default(),
            secrets,
            energy: energy.clone(),
            deferrals: deferral::Deferrals::default(),
        });
        deferral::spawn(Arc::downgrade(&engine), energy);
        notices::spawn_action_handler(Arc::downgrade(&engine), invoked);
        engine.log_catalog_problems();
        watcher::spawn(Arc::downgrade(&engine), engine.dirs.clone());
        scheduler::spawn(Arc::downgrade(&engine), engine.schedule_wake.clone());
        triggers::spawn(Arc::downgrade(&engine), engine.trigger_refresh.clone());
        engine
    }

    pub fn notices(&self) -> &Arc<Notices> {
        &self.notices
    }

    pub async fn reload(&self) {
        *self.catalog.write().unwrap() = Catalog::load(&self.dirs);
        self.log_catalog_problems();
        self.trigger_refresh.notify_one();
        self.refresh_tray().await;
        self.catalog_changed().await;
    }

    async fn catalog_changed(&self) {
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::catalog_changed(&emitter).await;
        }
    }

    pub fn deferred(&self) -> Vec<(String, deferral::Deferred)> {
        self.deferrals.list()
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
                triggers: Vec::new(),
                errors: vec![problem.message],
                last_state: String::new(),
                last_run_at: 0,
                deferred_since: 0,
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
                    triggers: Vec::new(),
                    errors: errors.iter().map(ToString::to_string).collect(),
                    last_state: String::new(),
                    last_run_at: 0,
                    deferred_since: 0,
                },
            };
            info.deferred_since = self.deferrals.since(&info.id);
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
        let mut info = runbook_info(&rb);
        info.deferred_since = self.deferrals.since(id);
        Ok((info, steps))
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
            self.notices
                .publish(notices::approval_event(
                    run_id,
                    &rb.id,
                    &rb.name,
                    &gettext("Start this runbook?"),
                ))
                .await;
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
                engine.alert_finished(run_id).await;
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
        let stored = match self
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
            Ok(row) => row,
            Err(e) => {
                tracing::error!(run = run_id, step = %step.id, "cannot store the step state: {e}");
                None
            }
        };
        if let (Some(row), Ok(emitter)) = (stored, SignalEmitter::new(&self.conn, DAEMON_PATH)) {
            let _ = RunbooksService::step_changed(&emitter, run_id, step_run_info(&row)).await;
        }
    }

    async fn emit_run(&self, run_id: u64) {
        let Ok(Some(record)) = self.store.run(run_id as i64).await else {
            return;
        };
        if let Ok(emitter) = SignalEmitter::new(&self.conn, DAEMON_PATH) {
            let _ = RunbooksService::run_changed(&emitter, run_info(&record)).await;
        }
        self.refresh_tray().await;
    }
}

/// The user's runbook folder exists from the start (private, as the catalog requires), so
/// files saved into it later are seen by the watcher.
fn create_private_dir(dir: &std::path::Path) {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        return;
    }
    if let Err(e) = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        tracing::warn!(dir = %dir.display(), "cannot create the runbook folder: {e}");
    }
}

fn deny_voice_approval(actor: &str) -> Result<(), RoxyError> {
    if actor.starts_with("voice") {
        return Err(RoxyError::Denied(gettext("Voice can request runbooks but never approve them; approve in the window or with roxyctl.")));
    }
    Ok(())
}

fn root_path() -> OwnedObjectPath {
    OwnedObjectPath::try_from("/").expect("/ is an object path")
}

pub(super) fn failed(e: impl std::fmt::Display) -> RoxyError {
    RoxyError::Failed(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voice_may_not_approve() {
        assert!(matches!(
            deny_voice_approval("voice"),
            Err(RoxyError::Denied(_))
        ));
        assert!(deny_voice_approval("roxyctl (pid 4)").is_ok());
    }
}
