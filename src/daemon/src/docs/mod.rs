//! The knowledge base roxyd keeps: the chosen folders, their index (kept in step by a file
//! watcher), the master index file, and the numbers for metrics and the scorecard.

mod indexing;
mod semantic;
mod watcher;

use crate::supervisor::Supervisor;
use roxy_core::docs::{DocIndex, DocsError, Reader, SearchQuery, Stats, INDEX_FILE};
use roxy_core::Store;
use roxy_ipc::docs::{DocInfo, DocsStatusInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use zbus::Connection;

/// The setting that holds the chosen folders (a JSON list of absolute paths).
pub const FOLDERS_SETTING: &str = "docs.folders";
/// The master index, kept fresh next to the database.
pub const MASTER_INDEX_FILE: &str = "ROXY_INDEX.yaml";
/// More folders than this is a mistake (or an attack through the bus).
pub const MAX_FOLDERS: usize = 32;

#[derive(Default)]
struct State {
    indexing: bool,
    watching: bool,
    /// End of the last successful sync (ms).
    synced_ms: i64,
    /// When the oldest change not yet in the index was seen (ms).
    behind_since_ms: Option<i64>,
    stats: Stats,
}

pub struct DocsHub {
    store: Store,
    conn: Connection,
    supervisor: Arc<Supervisor>,
    data_dir: PathBuf,
    index_path: PathBuf,
    master_path: PathBuf,
    /// The writer; `None` when the index file cannot be opened at all.
    writer: Arc<Mutex<Option<DocIndex>>>,
    reader: Mutex<Option<Reader>>,
    folders: RwLock<Vec<PathBuf>>,
    state: Mutex<State>,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
    semantic: semantic::Semantic,
}

impl DocsHub {
    pub async fn start(store: Store, conn: Connection, supervisor: Arc<Supervisor>) -> Arc<Self> {
        let data_dir = store
            .path()
            .parent()
            .map(Path::to_owned)
            .unwrap_or_default();
        let folders = load_folders(&store).await;
        let index_path = data_dir.join(INDEX_FILE);
        let opened = {
            let path = index_path.clone();
            tokio::task::spawn_blocking(move || DocIndex::open(&path)).await
        };
        let (writer, rebuilt) = match opened {
            Ok(Ok((index, rebuilt))) => (Some(index), rebuilt),
            Ok(Err(e)) => {
                tracing::error!(index = %index_path.display(), "docs index cannot be opened: {e}");
                (None, false)
            }
            Err(e) => {
                tracing::error!("docs index: {e}");
                (None, false)
            }
        };
        let reader = writer.as_ref().and_then(|w| w.reader().ok());
        let hub = Arc::new(Self {
            store,
            conn,
            supervisor,
            index_path,
            master_path: data_dir.join(MASTER_INDEX_FILE),
            data_dir,
            writer: Arc::new(Mutex::new(writer)),
            reader: Mutex::new(reader),
            folders: RwLock::new(folders.clone()),
            state: Mutex::default(),
            watcher: Mutex::default(),
            semantic: semantic::Semantic::default(),
        });
        if rebuilt {
            tracing::warn!("docs index was damaged and is rebuilt from the files");
        }
        hub.refresh_stats();
        watcher::watch(&hub);
        if !folders.is_empty() {
            // Catch up with what changed while roxyd was not running.
            if let Err(e) = hub.start_sync(false).await {
                tracing::warn!("docs: cannot start indexing: {e}");
            }
        }
        hub
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn folders(&self) -> Vec<PathBuf> {
        self.folders.read().unwrap().clone()
    }

    /// Checks, stores and watches new folders, then brings the index in line.
    pub async fn set_folders(
        self: &Arc<Self>,
        folders: &[String],
    ) -> Result<Vec<String>, RoxyError> {
        let folders = validate_folders(folders)?;
        let json = serde_json::to_string(
            &folders
                .iter()
                .map(|f| f.to_string_lossy())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        self.store
            .set_setting(FOLDERS_SETTING, &json)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        *self.folders.write().unwrap() = folders.clone();
        watcher::watch(self);
        self.start_sync(false).await?;
        Ok(folders
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect())
    }

    /// The whole status, semantic search included (which looks for the model on disk).
    pub fn status(&self) -> DocsStatusInfo {
        let semantic = *self.semantic.counts.lock().unwrap();
        DocsStatusInfo {
            semantic_model: self
                .model_dir()
                .map(|m| m.to_string_lossy().into_owned())
                .unwrap_or_default(),
            semantic_model_wanted: self.user_model_dir().to_string_lossy().into_owned(),
            embedded: semantic.embedded,
            passages: semantic.passages,
            embedding: self.semantic.running(),
            ..self.index_status()
        }
    }

    /// The index's part of the status, from memory only (alert rules read it every round).
    fn index_status(&self) -> DocsStatusInfo {
        let folders = self.folders();
        let state = self.state.lock().unwrap();
        let now = roxy_core::time::now_ms();
        let lag_ms = match state.behind_since_ms {
            Some(since) => now - since,
            // Unwatched folders may have changed any time since the last sync.
            None if !state.watching && !folders.is_empty() && state.synced_ms > 0 => {
                now - state.synced_ms
            }
            None => 0,
        };
        DocsStatusInfo {
            folders: folders
                .iter()
                .map(|f| f.to_string_lossy().into_owned())
                .collect(),
            documents: state.stats.documents,
            bytes: state.stats.bytes,
            skipped: state.stats.skipped,
            with_title: state.stats.with_title,
            with_tags: state.stats.with_tags,
            described: state.stats.described,
            coverage_pct: state.stats.coverage_pct().unwrap_or(f64::NAN),
            lag_seconds: lag_ms.max(0) as f64 / 1000.0,
            indexing: state.indexing,
            watching: state.watching,
            master_index: self.master_path.to_string_lossy().into_owned(),
            synced_ms: state.synced_ms,
            ..DocsStatusInfo::default()
        }
    }

    /// Runs `work` on the reader, off the async threads.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Reader, &[PathBuf]) -> Result<T, DocsError> + Send + 'static,
    ) -> Result<T, RoxyError> {
        let hub = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            let folders = hub.folders();
            let mut reader = hub.reader.lock().unwrap();
            if reader.is_none() {
                *reader = Reader::open(&hub.index_path).ok();
            }
            let Some(reader) = reader.as_ref() else {
                return Err(RoxyError::Unavailable(gettext(
                    "The docs index cannot be opened; see roxyd's log.",
                )));
            };
            work(reader, &folders).map_err(|e| hub.docs_error(e))
        })
        .await
        .map_err(|e| RoxyError::Failed(e.to_string()))?;
        result
    }

    pub async fn search(
        self: &Arc<Self>,
        query: SearchQuery,
    ) -> Result<roxy_core::docs::SearchResults, RoxyError> {
        self.read(move |reader, folders| reader.search(&query, folders))
            .await
    }

    pub async fn documents(self: &Arc<Self>) -> Result<Vec<roxy_core::docs::DocEntry>, RoxyError> {
        self.read(|reader, _| reader.documents()).await
    }

    pub async fn skipped(self: &Arc<Self>) -> Result<Vec<roxy_core::docs::SkippedFile>, RoxyError> {
        self.read(|reader, _| reader.skipped()).await
    }

    /// An indexed document and its text. Only files in the index can be read: the bus
    /// cannot be used to read other files.
    pub async fn document(
        self: &Arc<Self>,
        path: &str,
    ) -> Result<(roxy_core::docs::DocEntry, String), RoxyError> {
        let path = PathBuf::from(path);
        self.read(move |reader, folders| {
            let candidates: Vec<PathBuf> = if path.is_absolute() {
                vec![path.clone()]
            } else {
                folders.iter().map(|f| f.join(&path)).collect()
            };
            let mut last = DocsError::NotIndexed(path.clone());
            for candidate in candidates {
                match reader.document(&candidate) {
                    Ok(doc) => {
                        let text = roxy_core::docs::read_text(&doc.path).map_err(|skip| {
                            DocsError::Io {
                                path: doc.path.clone(),
                                source: std::io::Error::other(skip.to_string()),
                            }
                        })?;
                        return Ok((doc, text));
                    }
                    Err(e) => last = e,
                }
            }
            Err(last)
        })
        .await
    }

    pub async fn master_index(self: &Arc<Self>) -> Result<String, RoxyError> {
        let stats = self.state.lock().unwrap().stats.clone();
        self.read(move |reader, folders| {
            let docs = reader.documents()?;
            let stats = reader.stats().unwrap_or(stats);
            Ok(roxy_core::docs::master_index_yaml(
                folders,
                &docs,
                &stats,
                roxy_core::time::now_ms(),
            ))
        })
        .await
    }

    /// Numbers for alert rules and the metrics export.
    pub fn values(&self) -> Vec<(String, f64)> {
        let status = self.index_status();
        if status.folders.is_empty() {
            return Vec::new();
        }
        let mut values = vec![
            ("docs.documents".to_owned(), status.documents as f64),
            ("docs.skipped".to_owned(), status.skipped as f64),
            ("docs.index_lag_s".to_owned(), status.lag_seconds),
        ];
        if !status.coverage_pct.is_nan() {
            values.push(("docs.coverage_pct".to_owned(), status.coverage_pct));
        }
        values
    }

    fn refresh_stats(&self) {
        let mut reader = self.reader.lock().unwrap();
        // After a rebuild the old reader is gone: open one on the new file.
        if reader.is_none() {
            *reader = Reader::open(&self.index_path).ok();
        }
        let stats = reader.as_ref().and_then(|r| r.stats().ok());
        let counts = reader.as_ref().and_then(|r| r.embedding_counts().ok());
        drop(reader);
        if let Some(stats) = stats {
            self.state.lock().unwrap().stats = stats;
        }
        if let Some(counts) = counts {
            *self.semantic.counts.lock().unwrap() = counts;
        }
    }

    /// A bus error for a docs error; a damaged index is also scheduled for a rebuild.
    fn docs_error(self: &Arc<Self>, e: DocsError) -> RoxyError {
        if e.is_corruption() {
            tracing::error!("docs index is damaged ({e}); rebuilding it");
            let hub = self.clone();
            tokio::runtime::Handle::current().spawn(async move {
                if let Err(e) = hub.start_sync(true).await {
                    tracing::error!("docs: cannot rebuild the index: {e}");
                }
            });
            return RoxyError::Unavailable(gettext(
                "The docs index was damaged and is being rebuilt; try again in a moment.",
            ));
        }
        match e {
            DocsError::Query(message) => {
                RoxyError::InvalidInput(fill(&gettext("query: {}"), &[&message]))
            }
            DocsError::NotIndexed(path) => RoxyError::NotFound(fill(
                &gettext("{} is not an indexed document. Choose a document from the list, or check that its folder is one of the docs folders."),
                &[&path.display()],
            )),
            other => RoxyError::Failed(other.to_string()),
        }
    }
}

pub fn doc_info(doc: roxy_core::docs::DocEntry) -> DocInfo {
    DocInfo {
        path: doc.path.to_string_lossy().into_owned(),
        root: doc.root.to_string_lossy().into_owned(),
        rel: doc.rel,
        title: doc.title,
        tags: doc.tags,
        size: doc.size,
        modified_ms: doc.modified_ms,
        front_matter: doc.front_matter,
        runbook: doc.runbook,
    }
}

impl crate::alerting::ValueSource for DocsHub {
    fn values(&self) -> Vec<(String, f64)> {
        DocsHub::values(self)
    }
}

async fn load_folders(store: &Store) -> Vec<PathBuf> {
    let Ok(Some(json)) = store.setting(FOLDERS_SETTING).await else {
        return Vec::new();
    };
    match serde_json::from_str::<Vec<String>>(&json) {
        Ok(list) => list.into_iter().map(PathBuf::from).collect(),
        Err(e) => {
            tracing::warn!("setting {FOLDERS_SETTING} is not a list of folders ({e}); ignoring it");
            Vec::new()
        }
    }
}

/// Absolute, existing folders, resolved and without duplicates.
fn validate_folders(folders: &[String]) -> Result<Vec<PathBuf>, RoxyError> {
    if folders.len() > MAX_FOLDERS {
        return Err(RoxyError::InvalidInput(fill(
            &gettext("folders: at most {} folders can be indexed."),
            &[&MAX_FOLDERS],
        )));
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for (i, folder) in folders.iter().enumerate() {
        let path = Path::new(folder.trim());
        if !path.is_absolute() {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("folders[{}]: `{}` is not an absolute path."),
                &[&i, folder],
            )));
        }
        let resolved = match path.canonicalize() {
            Ok(p) if p.is_dir() => p,
            Ok(_) => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("folders[{}]: {} is not a folder."),
                    &[&i, folder],
                )))
            }
            Err(e) => {
                return Err(RoxyError::InvalidInput(fill(
                    &gettext("folders[{}]: {} cannot be used: {}."),
                    &[&i, folder, &e],
                )))
            }
        };
        if !out.contains(&resolved) {
            out.push(resolved);
        }
    }
    Ok(out)
}
