//! `Docs1`: the knowledge base — folders, search, reading, indexing jobs, the master index.

use super::caller;
use crate::docs::{doc_info, DocsHub};
use roxy_core::docs::{SearchQuery, MAX_HITS, RANK_LIMIT};
use roxy_ipc::docs::{
    DocContentInfo, DocHitInfo, DocInfo, DocQueryInfo, DocSearchInfo, DocsStatusInfo,
    SkippedDocInfo,
};
use roxy_ipc::RoxyError;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::{interface, Connection};

/// Longest path accepted from a caller.
const MAX_PATH: usize = 4096;

pub struct DocsService {
    hub: Arc<DocsHub>,
}

impl DocsService {
    pub fn new(hub: Arc<DocsHub>) -> Self {
        Self { hub }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Docs1")]
impl DocsService {
    fn status(&self) -> DocsStatusInfo {
        self.hub.status()
    }

    async fn set_folders(
        &self,
        folders: Vec<String>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<Vec<String>, RoxyError> {
        if folders.iter().any(|f| f.len() > MAX_PATH) {
            return Err(RoxyError::InvalidInput(format!(
                "folders: paths may have at most {MAX_PATH} bytes."
            )));
        }
        let result = self.hub.set_folders(&folders).await;
        let actor = caller::describe(conn, &header).await;
        let (outcome, detail) = match &result {
            Ok(stored) => ("ok", stored.join(", ")),
            Err(e) => ("failed", e.to_string()),
        };
        let _ = self
            .hub
            .store()
            .audit(&actor, "docs.folders", "docs", outcome, &detail)
            .await;
        result
    }

    async fn search(&self, query: DocQueryInfo) -> Result<DocSearchInfo, RoxyError> {
        if query.folder.len() > MAX_PATH || query.tags.len() > 32 {
            return Err(RoxyError::InvalidInput(
                "query: the folder may have at most 4096 bytes and at most 32 tags are allowed."
                    .into(),
            ));
        }
        let limit = if query.limit == 0 {
            20
        } else {
            query.limit as usize
        };
        let semantic = query.semantic;
        let query = SearchQuery {
            text: query.text,
            folder: (!query.folder.is_empty()).then_some(query.folder),
            tags: query.tags,
            prefix: query.prefix,
            limit: limit.min(MAX_HITS),
        };
        let results = if semantic {
            self.hub.search_by_meaning(query).await?
        } else {
            self.hub.search(query).await?
        };
        Ok(DocSearchInfo {
            matched: results.matched,
            ranked: results.ranked,
            rank_limit: RANK_LIMIT as u64,
            hits: results
                .hits
                .into_iter()
                .map(|hit| DocHitInfo {
                    doc: doc_info(hit.doc),
                    snippet: hit.snippet,
                    highlights: hit
                        .highlights
                        .into_iter()
                        .map(|(a, b)| (a as u32, b as u32))
                        .collect(),
                    score: hit.score,
                })
                .collect(),
        })
    }

    async fn documents(&self) -> Result<Vec<DocInfo>, RoxyError> {
        Ok(self
            .hub
            .documents()
            .await?
            .into_iter()
            .map(doc_info)
            .collect())
    }

    async fn read(&self, path: String) -> Result<DocContentInfo, RoxyError> {
        if path.len() > MAX_PATH {
            return Err(RoxyError::InvalidInput(format!(
                "path: at most {MAX_PATH} bytes."
            )));
        }
        let (doc, text) = self.hub.document(&path).await?;
        let body = roxy_core::docs::split_front_matter(&text).1.to_owned();
        Ok(DocContentInfo {
            doc: doc_info(doc),
            text,
            body,
        })
    }

    async fn skipped(&self) -> Result<Vec<SkippedDocInfo>, RoxyError> {
        Ok(self
            .hub
            .skipped()
            .await?
            .into_iter()
            .map(|s| SkippedDocInfo {
                path: s.path.to_string_lossy().into_owned(),
                reason: s.reason,
            })
            .collect())
    }

    async fn reindex(
        &self,
        rebuild: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<OwnedObjectPath, RoxyError> {
        if self.hub.folders().is_empty() {
            return Err(RoxyError::InvalidInput(roxy_ipc::i18n::gettext(
                "No docs folders are chosen yet. Add one with `roxyctl docs folders --add DIR` or in the Docs panel.",
            )));
        }
        let path = self.hub.start_sync(rebuild).await?;
        let actor = caller::describe(conn, &header).await;
        let action = if rebuild {
            "docs.rebuild"
        } else {
            "docs.reindex"
        };
        let _ = self
            .hub
            .store()
            .audit(&actor, action, "docs", "ok", "")
            .await;
        Ok(path)
    }

    async fn master_index(&self) -> Result<String, RoxyError> {
        self.hub.master_index().await
    }

    #[zbus(signal)]
    pub async fn documents_changed(
        emitter: &SignalEmitter<'_>,
        paths: Vec<String>,
    ) -> zbus::Result<()>;

    /// The status changed without documents changing (embedding progress).
    #[zbus(signal)]
    pub async fn status_changed(
        emitter: &SignalEmitter<'_>,
        status: DocsStatusInfo,
    ) -> zbus::Result<()>;
}
