//! The job supervisor: every piece of work slower than a blink runs as a job here.
//!
//! A job gets a database row (its id), an object on the bus (`Job1`), a cancel flag and a
//! reporter task that turns progress and log lines into rate-limited signals, so a chatty job
//! cannot flood the bus. Finished jobs stay listed (the newest [`KEEP_FINISHED`]).

use crate::services::job1::JobObject;
use crate::services::jobs1::JobsService;
use roxy_core::jobs::JobRecord;
use roxy_core::Store;
use roxy_ipc::names::{job_path, DAEMON_PATH};
use roxy_ipc::{JobInfo, JobState, RoxyError};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::Connection;

/// Finished jobs kept in the list (and on the bus) after they end.
pub const KEEP_FINISHED: usize = 50;
/// Shortest gap between two progress signals of one job.
const REPORT_INTERVAL: Duration = Duration::from_millis(100);
/// Log lines one job may send per second; the rest are counted and summarised.
const LOG_LINES_PER_SECOND: u32 = 50;
/// A log line longer than this is cut (bytes).
const MAX_LOG_LINE: usize = 4096;

/// Why a job did not succeed.
#[derive(Debug)]
pub enum JobFailure {
    Cancelled,
    Failed(String),
}

/// What a job's work reports while it runs. Sent from async or blocking code alike.
enum Report {
    Progress {
        fraction: f64,
        message: Option<String>,
    },
    Log(String),
}

/// Given to a job's work: report progress, write log lines, notice cancellation.
#[derive(Clone)]
pub struct JobHandle {
    reports: mpsc::UnboundedSender<Report>,
    cancel: Arc<AtomicBool>,
    /// Secret values the job uses: masked in everything it reports.
    secrets: Arc<std::sync::Mutex<Vec<zeroize::Zeroizing<String>>>>,
}

/// What a secret looks like in a job's log and stored output.
pub const MASK: &str = "••••••";

impl JobHandle {
    /// `fraction` in 0..=1, or negative while unknown.
    pub fn progress(&self, fraction: f64, message: Option<String>) {
        let message = message.map(|m| self.mask(&m));
        let _ = self.reports.send(Report::Progress { fraction, message });
    }

    pub fn log(&self, line: impl Into<String>) {
        let line = self.mask(&line.into());
        let _ = self.reports.send(Report::Log(line));
    }

    /// From now on, `value` never appears in this job's reports.
    pub fn hide(&self, value: &str) {
        // Masking very short values would shred ordinary output and protect nothing.
        if value.len() >= 4 {
            let mut secrets = self.secrets.lock().unwrap();
            if !secrets.iter().any(|s| s.as_str() == value) {
                secrets.push(zeroize::Zeroizing::new(value.to_owned()));
                // Longest first, so a secret containing another is masked whole.
                secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
            }
        }
    }

    /// `text` with every hidden value replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let secrets = self.secrets.lock().unwrap();
        let mut out = text.to_owned();
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Set when the job is cancelled; blocking code polls it.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }
}

struct Entry {
    info: JobInfo,
    cancel: Arc<AtomicBool>,
}

pub struct Supervisor {
    conn: Connection,
    store: Store,
    jobs: Mutex<BTreeMap<u64, Entry>>,
}

impl Supervisor {
    pub fn new(conn: Connection, store: Store) -> Arc<Self> {
        Arc::new(Self {
            conn,
            store,
            jobs: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Marks jobs a previous roxyd left unfinished as interrupted and lists recent history.
    pub async fn restore_history(self: &Arc<Self>) -> Result<(), RoxyError> {
        let cut = self
            .store
            .interrupt_unfinished_jobs(&roxy_ipc::i18n::gettext(
                "roxyd stopped before this job finished.",
            ))
            .await
            .map_err(failed)?;
        for job in &cut {
            tracing::warn!(id = job.id, kind = %job.kind, "job was interrupted by a previous stop");
        }
        for record in self
            .store
            .recent_jobs(KEEP_FINISHED as u32)
            .await
            .map_err(failed)?
        {
            let info = info_from_record(&record);
            let id = info.id;
            self.jobs.lock().unwrap().insert(
                id,
                Entry {
                    info,
                    cancel: Arc::default(),
                },
            );
            self.export(id).await?;
        }
        Ok(())
    }

    pub fn list(&self) -> Vec<JobInfo> {
        self.jobs
            .lock()
            .unwrap()
            .values()
            .map(|e| e.info.clone())
            .collect()
    }

    pub fn get(&self, id: u64) -> Result<JobInfo, RoxyError> {
        self.jobs
            .lock()
            .unwrap()
            .get(&id)
            .map(|e| e.info.clone())
            .ok_or_else(|| not_found(id))
    }

    pub fn running_count(&self) -> usize {
        self.jobs
            .lock()
            .unwrap()
            .values()
            .filter(|e| !e.info.state.is_finished())
            .count()
    }

    pub fn cancel(&self, id: u64) -> Result<(), RoxyError> {
        let jobs = self.jobs.lock().unwrap();
        let entry = jobs.get(&id).ok_or_else(|| not_found(id))?;
        if entry.info.state.is_finished() {
            return Err(RoxyError::InvalidInput(roxy_ipc::i18n::fill(
                &roxy_ipc::i18n::gettext("Job {} has already finished ({})."),
                &[&id, &entry.info.state.label()],
            )));
        }
        tracing::info!(id, "cancel requested");
        entry.cancel.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Starts `work` as a new job and returns its object path at once.
    pub async fn spawn<F, Fut>(
        self: &Arc<Self>,
        kind: &str,
        title: String,
        work: F,
    ) -> Result<OwnedObjectPath, RoxyError>
    where
        F: FnOnce(JobHandle) -> Fut + Send + 'static,
        Fut: Future<Output = Result<String, JobFailure>> + Send + 'static,
    {
        let id = self
            .store
            .insert_job(kind, &title, JobState::Running.as_str())
            .await
            .map_err(failed)? as u64;
        let path = OwnedObjectPath::try_from(job_path(id)).map_err(zbus::Error::from)?;
        let info = JobInfo {
            id,
            path: path.clone(),
            kind: kind.to_owned(),
            title,
            state: JobState::Running,
            progress: -1.0,
            message: String::new(),
            started_at: roxy_core::time::now_ms(),
            finished_at: 0,
        };
        let cancel = Arc::<AtomicBool>::default();
        self.jobs.lock().unwrap().insert(
            id,
            Entry {
                info: info.clone(),
                cancel: cancel.clone(),
            },
        );
        self.export(id).await?;
        let _ = JobsService::job_added(&self.root_emitter()?, info).await;
        tracing::info!(id, kind, "job started");

        let (reports, inbox) = mpsc::unbounded_channel();
        let handle = JobHandle {
            reports,
            cancel,
            secrets: Arc::default(),
        };
        let sup = self.clone();
        tokio::spawn(async move {
            let reporter = tokio::spawn(sup.clone().report(id, inbox));
            let outcome = work(handle).await;
            // The work dropped its handle: the reporter drains what is left, then ends.
            let _ = reporter.await;
            sup.finish(id, outcome).await;
        });
        Ok(path)
    }

    /// Cancels every running job and waits up to `grace` for them to end.
    pub async fn shutdown(&self, grace: Duration) {
        for entry in self.jobs.lock().unwrap().values() {
            if !entry.info.state.is_finished() {
                entry.cancel.store(true, Ordering::SeqCst);
            }
        }
        let deadline = Instant::now() + grace;
        // Shutdown only: a short poll is simpler than one wake-up per job.
        while self.running_count() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if let Err(e) = self
            .store
            .interrupt_unfinished_jobs(&roxy_ipc::i18n::gettext(
                "roxyd stopped before this job finished.",
            ))
            .await
        {
            tracing::warn!("could not record interrupted jobs: {e}");
        }
    }

    async fn report(self: Arc<Self>, id: u64, mut inbox: mpsc::UnboundedReceiver<Report>) {
        let mut tick = tokio::time::interval(REPORT_INTERVAL);
        let mut dirty = false;
        let mut window_start = Instant::now();
        let mut lines_in_window = 0u32;
        let mut dropped = 0u64;
        loop {
            tokio::select! {
                report = inbox.recv() => match report {
                    None => break,
                    Some(Report::Progress { fraction, message }) => {
                        self.update(id, |info| {
                            info.progress = fraction.min(1.0);
                            if let Some(m) = message {
                                info.message = m;
                            }
                        });
                        dirty = true;
                    }
                    Some(Report::Log(mut line)) => {
                        if window_start.elapsed() >= Duration::from_secs(1) {
                            window_start = Instant::now();
                            lines_in_window = 0;
                        }
                        if lines_in_window < LOG_LINES_PER_SECOND {
                            lines_in_window += 1;
                            truncate_utf8(&mut line, MAX_LOG_LINE);
                            self.emit_log(id, &line).await;
                        } else {
                            dropped += 1;
                        }
                    }
                },
                _ = tick.tick() => {
                    if dirty {
                        self.emit_changed(id).await;
                        dirty = false;
                    }
                    if dropped > 0 && window_start.elapsed() >= Duration::from_secs(1) {
                        self.emit_log(id, &skipped_note(dropped)).await;
                        dropped = 0;
                    }
                }
            }
        }
        if dropped > 0 {
            self.emit_log(id, &skipped_note(dropped)).await;
        }
        if dirty {
            self.emit_changed(id).await;
        }
    }

    async fn finish(&self, id: u64, outcome: Result<String, JobFailure>) {
        let (state, message) = match outcome {
            Ok(message) => (JobState::Succeeded, message),
            Err(JobFailure::Cancelled) => {
                (JobState::Cancelled, roxy_ipc::i18n::gettext("Cancelled."))
            }
            Err(JobFailure::Failed(message)) => (JobState::Failed, message),
        };
        let progress = {
            let jobs = self.jobs.lock().unwrap();
            jobs.get(&id).map(|e| e.info.progress).unwrap_or(0.0)
        };
        let progress = if state == JobState::Succeeded {
            1.0
        } else {
            progress
        };
        let finished_at = match self
            .store
            .finish_job(id as i64, state.as_str(), progress, &message)
            .await
        {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(id, "could not store the end of the job: {e}");
                roxy_core::time::now_ms()
            }
        };
        self.update(id, |info| {
            info.state = state;
            info.progress = progress;
            info.message = message.clone();
            info.finished_at = finished_at;
        });
        tracing::info!(id, state = %state, "job finished: {message}");
        if let Ok(iface) = self.interface(id).await {
            let emitter = iface.signal_emitter();
            let _ = JobObject::finished(emitter, state, &message).await;
            let object = iface.get().await;
            let _ = object.state_changed(emitter).await;
        }
        self.emit_changed(id).await;
        self.prune().await;
    }

    /// Drops the oldest finished jobs beyond [`KEEP_FINISHED`] from the list and the bus.
    async fn prune(&self) {
        let stale: Vec<u64> = {
            let mut jobs = self.jobs.lock().unwrap();
            let finished: Vec<u64> = jobs
                .iter()
                .filter(|(_, e)| e.info.state.is_finished())
                .map(|(id, _)| *id)
                .collect();
            let excess = finished.len().saturating_sub(KEEP_FINISHED);
            let stale = finished[..excess].to_vec();
            for id in &stale {
                jobs.remove(id);
            }
            stale
        };
        for id in stale {
            let _ = self
                .conn
                .object_server()
                .remove::<JobObject, _>(job_path(id))
                .await;
        }
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut JobInfo)) {
        if let Some(entry) = self.jobs.lock().unwrap().get_mut(&id) {
            change(&mut entry.info);
        }
    }

    async fn export(self: &Arc<Self>, id: u64) -> Result<(), RoxyError> {
        let object = JobObject::new(id, Arc::downgrade(self));
        self.conn.object_server().at(job_path(id), object).await?;
        Ok(())
    }

    async fn interface(
        &self,
        id: u64,
    ) -> zbus::Result<zbus::object_server::InterfaceRef<JobObject>> {
        self.conn
            .object_server()
            .interface::<_, JobObject>(job_path(id))
            .await
    }

    fn root_emitter(&self) -> zbus::Result<SignalEmitter<'static>> {
        SignalEmitter::new(&self.conn, DAEMON_PATH)
    }

    async fn emit_log(&self, id: u64, line: &str) {
        if let Ok(iface) = self.interface(id).await {
            let _ = JobObject::log(iface.signal_emitter(), line).await;
        }
    }

    /// PropertiesChanged on the job object plus `Jobs1.JobChanged` on the root.
    async fn emit_changed(&self, id: u64) {
        let Ok(info) = self.get(id) else { return };
        if let Ok(iface) = self.interface(id).await {
            let emitter = iface.signal_emitter();
            let object = iface.get().await;
            let _ = object.progress_changed(emitter).await;
            let _ = object.message_changed(emitter).await;
        }
        if let Ok(root) = self.root_emitter() {
            let _ = JobsService::job_changed(&root, info).await;
        }
    }
}

fn skipped_note(count: u64) -> String {
    roxy_ipc::i18n::fill(
        &roxy_ipc::i18n::gettext("… {} more lines not shown (output rate limit)"),
        &[&count],
    )
}

fn truncate_utf8(line: &mut String, max: usize) {
    if line.len() > max {
        let mut cut = max;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
}

fn info_from_record(r: &JobRecord) -> JobInfo {
    let id = r.id as u64;
    JobInfo {
        id,
        path: OwnedObjectPath::try_from(job_path(id)).expect("job paths are valid"),
        kind: r.kind.clone(),
        title: r.title.clone(),
        state: r.state.parse().unwrap_or(JobState::Interrupted),
        progress: r.progress,
        message: r.message.clone(),
        started_at: r.started_at,
        finished_at: r.finished_at.unwrap_or(0),
    }
}

fn not_found(id: u64) -> RoxyError {
    RoxyError::NotFound(roxy_ipc::i18n::fill(
        &roxy_ipc::i18n::gettext("There is no job {}. `roxyctl jobs list` shows the current ones."),
        &[&id],
    ))
}

fn failed(e: impl std::fmt::Display) -> RoxyError {
    RoxyError::Failed(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::truncate_utf8;

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let mut s = "ä".repeat(10);
        truncate_utf8(&mut s, 5);
        assert_eq!(s, "ää…");
        let mut short = "ok".to_string();
        truncate_utf8(&mut short, 5);
        assert_eq!(short, "ok");
    }
}
