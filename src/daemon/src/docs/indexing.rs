//! Bringing the index in line with the files: full syncs as jobs, live syncs of what the
//! watcher saw, and what follows each (stats, the master index file, the bus signal).

use super::DocsHub;
use crate::services::docs1::DocsService;
use crate::supervisor::JobFailure;
use roxy_core::docs::{DocIndex, DocsError, SyncReport};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::path::PathBuf;
use std::sync::Arc;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;

impl DocsHub {
    /// Starts a job that syncs every chosen folder; `rebuild` throws the index away first.
    pub async fn start_sync(self: &Arc<Self>, rebuild: bool) -> Result<OwnedObjectPath, RoxyError> {
        let hub = self.clone();
        let title = if rebuild {
            gettext("Rebuild the docs index")
        } else {
            gettext("Index the docs folders")
        };
        self.state.lock().unwrap().indexing = true;
        let started = self
            .supervisor
            .spawn("docs-index", title, move |job| async move {
                let cancel = job.cancel_flag();
                let worker = hub.clone();
                let outcome = tokio::task::spawn_blocking(move || {
                    let folders = worker.folders();
                    let mut report = |done: usize, total: usize| {
                        job.progress(
                            done as f64 / total.max(1) as f64,
                            Some(fill(&gettext("{} of {} files"), &[&done, &total])),
                        );
                    };
                    worker
                        .with_writer(rebuild, |index| {
                            index.sync_all(&folders, &mut report, &cancel)
                        })
                        .map(|r| (r, job))
                })
                .await
                .map_err(|e| JobFailure::Failed(e.to_string()));
                hub.state.lock().unwrap().indexing = false;
                let (report, job) = match outcome? {
                    Ok(done) => done,
                    Err(DocsError::Cancelled) => return Err(JobFailure::Cancelled),
                    Err(e) => return Err(JobFailure::Failed(e.to_string())),
                };
                for skipped in &report.skipped {
                    job.log(fill(
                        &gettext("not indexed: {}: {}"),
                        &[&skipped.path.display(), &skipped.reason],
                    ));
                }
                hub.after_sync(&report, Vec::new(), true).await;
                Ok(fill(
                    &gettext("{} added, {} updated, {} removed, {} unchanged, {} skipped"),
                    &[
                        &report.added,
                        &report.updated,
                        &report.removed,
                        &report.unchanged,
                        &report.skipped.len(),
                    ],
                ))
            })
            .await;
        if started.is_err() {
            self.state.lock().unwrap().indexing = false;
        }
        started
    }

    /// Re-reads what the watcher reported.
    pub(super) async fn sync_changed(self: &Arc<Self>, paths: Vec<PathBuf>) {
        let hub = self.clone();
        let changed = paths.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let folders = hub.folders();
            hub.with_writer(false, |index| index.sync_paths(&folders, &changed))
        })
        .await;
        match outcome {
            Ok(Ok(report)) => {
                let names = paths
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                self.after_sync(&report, names, false).await;
            }
            Ok(Err(e)) if e.is_corruption() => {
                tracing::error!("docs index is damaged ({e}); rebuilding it");
                let _ = self.start_sync(true).await;
            }
            Ok(Err(e)) => tracing::warn!("docs: live update failed: {e}"),
            Err(e) => tracing::warn!("docs: live update: {e}"),
        }
    }

    /// Runs `work` on the writer (opening or, for `rebuild` or damage, replacing the index
    /// first). Blocking: call from a blocking thread.
    pub(super) fn with_writer<T>(
        &self,
        rebuild: bool,
        work: impl FnOnce(&mut DocIndex) -> Result<T, DocsError>,
    ) -> Result<T, DocsError> {
        let mut writer = self.writer.lock().unwrap();
        if rebuild || writer.is_none() {
            let fresh = match writer.take() {
                Some(index) => index.reset(),
                None => DocIndex::open(&self.index_path).map(|(index, _)| index),
            };
            *writer = Some(fresh?);
            *self.reader.lock().unwrap() = None;
        }
        let index = writer.as_mut().expect("opened above");
        let result = work(index);
        if let Err(e) = &result {
            if e.is_corruption() {
                // The next call starts from an empty file.
                if let Some(index) = writer.take() {
                    *writer = index.reset().ok();
                }
                *self.reader.lock().unwrap() = None;
            }
        }
        result
    }

    /// After a sync: new totals, a fresh master index, and a signal when documents changed.
    async fn after_sync(self: &Arc<Self>, report: &SyncReport, paths: Vec<String>, full: bool) {
        let hub = self.clone();
        let _ = tokio::task::spawn_blocking(move || hub.refresh_stats()).await;
        {
            let mut state = self.state.lock().unwrap();
            state.synced_ms = roxy_core::time::now_ms();
            state.behind_since_ms = None;
        }
        if report.changed() || full {
            self.write_master_index().await;
            self.start_embedding();
        }
        // After a full sync always: the "indexing" state has ended.
        if report.changed() || !report.skipped.is_empty() || full {
            if let Ok(emitter) = SignalEmitter::new(&self.conn, roxy_ipc::names::DAEMON_PATH) {
                let _ = DocsService::documents_changed(&emitter, paths).await;
            }
        }
    }

    /// Keeps `ROXY_INDEX.yaml` next to the database in step with the index.
    async fn write_master_index(self: &Arc<Self>) {
        let yaml = match self.master_index().await {
            Ok(yaml) => yaml,
            Err(e) => return tracing::warn!("docs: master index: {e}"),
        };
        let path = self.master_path.clone();
        let temp = path.with_extension("yaml.tmp");
        let written = tokio::fs::write(&temp, yaml).await;
        let result = match written {
            Ok(()) => tokio::fs::rename(&temp, &path).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(file = %path.display(), "docs: cannot write the master index: {e}");
        }
    }
}
