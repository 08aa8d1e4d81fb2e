//! Semantic search in roxyd: finding the embedding model, embedding what the index holds
//! (as a job when there is much to do, quietly for a few live edits), and answering
//! queries by meaning. Without the model there is no semantic mode, and it says why.

use super::DocsHub;
use crate::services::docs1::DocsService;
use crate::supervisor::JobFailure;
use roxy_core::docs::semantic::{
    embed_document, semantic_text, Embedder, EmbeddingCounts, VectorSet, MODEL_FILES, MODEL_NAME,
};
use roxy_core::docs::{DocsError, Reader, SearchQuery, SearchResults};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::object_server::SignalEmitter;

/// More pending documents than this are embedded as a visible job; fewer (live edits)
/// quietly.
const QUIET_LIMIT: u64 = 8;
/// Documents read and embedded between two writes to the index.
const BATCH: usize = 16;
/// The model (~90 MB in memory) is let go after this long unused.
const IDLE_UNLOAD: Duration = Duration::from_secs(300);

#[derive(Default)]
pub(super) struct Semantic {
    embedder: Mutex<Option<(Arc<Embedder>, Instant)>>,
    /// Passage vectors in memory; `None` after the stored ones changed.
    vectors: Mutex<Option<Arc<VectorSet>>>,
    running: AtomicBool,
    /// Documents changed while embedding ran: look again when it ends.
    again: AtomicBool,
    /// A task is waiting to unload the model when it goes unused.
    unload_watch: AtomicBool,
    pub(super) counts: Mutex<EmbeddingCounts>,
}

impl Semantic {
    pub(super) fn running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }
}

impl DocsHub {
    /// Where the embedding model is: `ROXY_EMBEDDING_MODEL`, else `models/all-minilm-l6-v2`
    /// in roxyd's data folder or in a system data folder (`$XDG_DATA_DIRS/roxy/models`).
    pub fn model_dir(&self) -> Option<PathBuf> {
        let complete = |dir: &Path| MODEL_FILES.iter().all(|f| dir.join(f).is_file());
        if let Some(dir) = std::env::var_os("ROXY_EMBEDDING_MODEL") {
            let dir = PathBuf::from(dir);
            if complete(&dir) {
                return Some(dir);
            }
            tracing::warn!(dir = %dir.display(), "ROXY_EMBEDDING_MODEL does not hold a complete model");
        }
        let system =
            std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".into());
        std::iter::once(self.data_dir.clone())
            .chain(std::env::split_paths(&system).map(|d| d.join("roxy")))
            .map(|d| d.join("models").join(MODEL_NAME))
            .find(|d| complete(d))
    }

    /// Where a user installs the model so roxyd finds it.
    pub fn user_model_dir(&self) -> PathBuf {
        self.data_dir.join("models").join(MODEL_NAME)
    }

    /// Embeds what is pending, if the model is installed and no embedding runs yet.
    pub(super) fn start_embedding(self: &Arc<Self>) {
        let Some(dir) = self.model_dir() else {
            return;
        };
        if self.semantic.running.swap(true, Ordering::SeqCst) {
            self.semantic.again.store(true, Ordering::SeqCst);
            return;
        }
        let hub = self.clone();
        tokio::spawn(async move { hub.run_embedding(dir).await });
    }

    async fn run_embedding(self: &Arc<Self>, dir: PathBuf) {
        let counts = *self.semantic.counts.lock().unwrap();
        let pending = counts.documents.saturating_sub(counts.embedded);
        let hub = self.clone();
        if pending > QUIET_LIMIT {
            let title = gettext("Embed documents for semantic search");
            let started = self
                .supervisor
                .spawn("docs-embed", title, move |job| async move {
                    let cancel = job.cancel_flag();
                    let worker = hub.clone();
                    let outcome = tokio::task::spawn_blocking(move || {
                        let mut report = |done: usize, total: usize| {
                            job.progress(
                                done as f64 / total.max(1) as f64,
                                Some(fill(&gettext("{} of {} documents"), &[&done, &total])),
                            );
                        };
                        worker.embed_pending(&dir, &mut report, &cancel)
                    })
                    .await;
                    hub.embedding_ended().await;
                    match outcome {
                        Ok(Ok(done)) => Ok(fill(&gettext("{} documents embedded"), &[&done])),
                        Ok(Err(DocsError::Cancelled)) => Err(JobFailure::Cancelled),
                        Ok(Err(e)) => Err(JobFailure::Failed(e.to_string())),
                        Err(e) => Err(JobFailure::Failed(e.to_string())),
                    }
                })
                .await;
            if let Err(e) = started {
                tracing::warn!("docs: cannot start embedding: {e}");
                self.semantic.running.store(false, Ordering::SeqCst);
            }
        } else {
            let worker = hub.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                worker.embed_pending(&dir, &mut |_, _| {}, &AtomicBool::new(false))
            })
            .await;
            if let Ok(Err(e)) = outcome {
                tracing::warn!("docs: embedding failed: {e}");
            }
            hub.embedding_ended().await;
        }
    }

    async fn embedding_ended(self: &Arc<Self>) {
        let hub = self.clone();
        let _ = tokio::task::spawn_blocking(move || hub.refresh_stats()).await;
        self.semantic.running.store(false, Ordering::SeqCst);
        self.announce_status();
        self.unload_when_idle();
        if self.semantic.again.swap(false, Ordering::SeqCst) {
            self.start_embedding();
        }
    }

    /// Embeds every pending document, in batches. Blocking.
    fn embed_pending(
        &self,
        dir: &Path,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<usize, DocsError> {
        lower_priority();
        let embedder = self.embedder(dir)?;
        if self.with_writer(false, |index| {
            index.use_embedding_model(embedder.fingerprint())
        })? {
            tracing::info!("docs: the embedding model changed; embedding every document again");
        }
        *self.semantic.vectors.lock().unwrap() = None;
        let reader = Reader::open(&self.index_path)?;
        let counts = reader.embedding_counts()?;
        let total = counts.documents.saturating_sub(counts.embedded) as usize;
        let mut done = 0;
        progress(0, total);
        loop {
            let batch = reader.pending_embedding(BATCH)?;
            if batch.is_empty() {
                break;
            }
            let mut embedded = Vec::with_capacity(batch.len());
            for doc in batch {
                if cancel.load(Ordering::Relaxed) {
                    return Err(DocsError::Cancelled);
                }
                // A document the model cannot read is stored without passages, so it is
                // not tried again until it changes.
                let passages = embed_document(&embedder, &doc).unwrap_or_else(|e| {
                    tracing::warn!(doc = doc.id, "docs: cannot embed: {e}");
                    Vec::new()
                });
                embedded.push((doc, passages));
            }
            done += self.with_writer(false, |index| {
                let mut stored = 0;
                for (doc, passages) in &embedded {
                    stored += usize::from(index.store_embedding(doc, passages)?);
                }
                Ok(stored)
            })?;
            *self.semantic.vectors.lock().unwrap() = None;
            *self.semantic.counts.lock().unwrap() = reader.embedding_counts()?;
            progress(done.min(total), total);
            self.announce_status();
        }
        Ok(done)
    }

    /// Sends the status (embedding progress) to the panels. Callable from any thread of
    /// the runtime, blocking ones included.
    fn announce_status(&self) {
        let status = self.status();
        let conn = self.conn.clone();
        tokio::runtime::Handle::current().spawn(async move {
            if let Ok(emitter) = SignalEmitter::new(&conn, roxy_ipc::names::DAEMON_PATH) {
                let _ = DocsService::status_changed(&emitter, status).await;
            }
        });
    }

    /// The model, loaded on first use and kept while in use.
    fn embedder(&self, dir: &Path) -> Result<Arc<Embedder>, DocsError> {
        let mut slot = self.semantic.embedder.lock().unwrap();
        if let Some((embedder, used)) = slot.as_mut() {
            *used = Instant::now();
            return Ok(embedder.clone());
        }
        let started = Instant::now();
        let embedder = Arc::new(Embedder::load(dir)?);
        tracing::info!(dir = %dir.display(), "docs: embedding model loaded in {:?}", started.elapsed());
        *slot = Some((embedder.clone(), Instant::now()));
        Ok(embedder)
    }

    /// Lets the model go once it has not been used for [`IDLE_UNLOAD`]. One watcher at a
    /// time: searches while typing would otherwise leave a sleeping task per keystroke.
    fn unload_when_idle(self: &Arc<Self>) {
        if self.semantic.unload_watch.swap(true, Ordering::SeqCst) {
            return;
        }
        let hub = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut wait = IDLE_UNLOAD;
            loop {
                tokio::time::sleep(wait).await;
                let Some(hub) = hub.upgrade() else {
                    return;
                };
                let mut slot = hub.semantic.embedder.lock().unwrap();
                let unused = slot.as_ref().map(|(_, used)| used.elapsed());
                match unused {
                    Some(unused) if unused < IDLE_UNLOAD || hub.semantic.running() => {
                        wait = IDLE_UNLOAD
                            .saturating_sub(unused)
                            .max(Duration::from_secs(1));
                    }
                    _ => {
                        if slot.take().is_some() {
                            tracing::debug!(
                                "docs: embedding model unloaded after {IDLE_UNLOAD:?} unused"
                            );
                        }
                        hub.semantic.unload_watch.store(false, Ordering::SeqCst);
                        return;
                    }
                }
            }
        });
    }

    /// Documents nearest in meaning to the query's words (filters as in word search).
    pub async fn search_by_meaning(
        self: &Arc<Self>,
        query: SearchQuery,
    ) -> Result<SearchResults, RoxyError> {
        let Some(dir) = self.model_dir() else {
            return Err(RoxyError::Unavailable(fill(
                &gettext("Semantic search needs the embedding model all-MiniLM-L6-v2 in {}. Install it with build-aux/fetch-models.sh, or use word search."),
                &[&self.user_model_dir().display()],
            )));
        };
        let text = semantic_text(&query.text);
        if text.is_empty() {
            return Err(RoxyError::InvalidInput(gettext(
                "query: semantic search needs words to compare by meaning.",
            )));
        }
        let counts = *self.semantic.counts.lock().unwrap();
        if counts.embedded < counts.documents && !self.semantic.running() {
            // The model may have been installed since the last sync.
            self.start_embedding();
        }
        let hub = self.clone();
        let results = self
            .read(move |reader, folders| {
                let embedder = hub.embedder(&dir)?;
                let vector = embedder.embed(&[text])?.remove(0);
                let vectors = {
                    let mut cached = hub.semantic.vectors.lock().unwrap();
                    match cached.as_ref() {
                        Some(v) => v.clone(),
                        None => {
                            let loaded = Arc::new(reader.load_vectors(embedder.dimensions())?);
                            *cached = Some(loaded.clone());
                            loaded
                        }
                    }
                };
                reader.semantic_search(&vectors, &vector, &query, folders)
            })
            .await;
        self.unload_when_idle();
        results
    }
}

/// Embedding is background work: it yields the CPU to everything else (on Linux the
/// niceness is per thread, and threads it starts inherit it).
fn lower_priority() {
    // SAFETY: plain syscalls on the calling thread; failure only leaves the priority as is.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}
