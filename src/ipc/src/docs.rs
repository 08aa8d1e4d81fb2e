//! What the Docs service sends over the bus, shared by the GUI and roxyctl.

use serde::{Deserialize, Serialize};
use zbus::zvariant::Type;

/// What to search for. `text` takes words, `"phrases"`, `prefix*`, `-excluded`, `tag:name`
/// and `in:folder`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DocQueryInfo {
    pub text: String,
    /// Empty: every folder. Absolute, or relative to a chosen folder.
    pub folder: String,
    /// Documents must have all of these.
    pub tags: Vec<String>,
    /// The last word is a prefix (search as you type).
    pub prefix: bool,
    pub limit: u32,
    /// By meaning (nearest passages by the embedding model) instead of by words.
    pub semantic: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DocInfo {
    pub path: String,
    /// The chosen folder it is in.
    pub root: String,
    /// Path inside `root`, `/`-separated.
    pub rel: String,
    pub title: String,
    pub tags: Vec<String>,
    pub size: u64,
    pub modified_ms: i64,
    pub front_matter: bool,
    /// A runbook file, or a document with a fenced `roxy-runbook` block.
    pub runbook: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DocHitInfo {
    pub doc: DocInfo,
    pub snippet: String,
    /// Byte ranges of matched terms in `snippet`.
    pub highlights: Vec<(u32, u32)>,
    pub score: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DocSearchInfo {
    pub hits: Vec<DocHitInfo>,
    /// Matching documents, counted up to `rank_limit + 1`.
    pub matched: u64,
    /// False when the query matched more than `rank_limit` documents: title and tag matches
    /// come first, the rest unranked.
    pub ranked: bool,
    pub rank_limit: u64,
}

/// A document to read: its entry and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DocContentInfo {
    pub doc: DocInfo,
    pub text: String,
    /// `text` without its front matter, for the reader.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SkippedDocInfo {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DocsStatusInfo {
    pub folders: Vec<String>,
    pub documents: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub with_title: u64,
    pub with_tags: u64,
    /// Front-matter title and at least one tag.
    pub described: u64,
    /// `described` as a share of all documents; NaN when there are none.
    pub coverage_pct: f64,
    /// Seconds the index has been behind the files: 0 while it is in step.
    pub lag_seconds: f64,
    /// A full (re)index is running.
    pub indexing: bool,
    /// Changes are picked up live (false: the folders could not be watched).
    pub watching: bool,
    /// Where the master index is kept fresh.
    pub master_index: String,
    /// The end of the last successful sync (ms since the epoch; 0: none yet).
    pub synced_ms: i64,
    /// The embedding model in use; empty: not installed, no semantic search.
    pub semantic_model: String,
    /// Where installing the model turns semantic search on.
    pub semantic_model_wanted: String,
    /// Documents whose passages are embedded.
    pub embedded: u64,
    pub passages: u64,
    /// Embedding is under way.
    pub embedding: bool,
}
