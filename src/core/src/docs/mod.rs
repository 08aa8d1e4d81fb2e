//! The knowledge base: markdown, YAML and text files in the folders the user chose, indexed
//! for full-text search in an SQLite FTS5 table.
//!
//! Why FTS5 and not tantivy: the benchmark (`benches/docs.rs`) shows FTS5 meets every goal
//! on 10,000 files (BM25, phrases, prefixes, snippets, search p99 well under 10 ms, index
//! well under 10 s), SQLite is already in the daemon, and tantivy would add a large
//! dependency tree and build time for no goal it meets better. The index is derived data in
//! its own file: when it is damaged it is deleted and rebuilt from the files.

mod index;
mod master;
mod parse;
mod query;
mod reader;
mod scan;
pub mod semantic;

pub use index::{ignored, DocIndex, SyncReport, INDEX_FILE};
pub use master::{master_index_yaml, MASTER_INDEX_MARKER};
pub use parse::{parse_document, split_front_matter, Parsed, RUNBOOK_FENCE};
pub use query::{parse_query, QueryParts};
pub use reader::{Reader, SearchResults, RANK_LIMIT};
pub use scan::{classify, read_text, Skip, MAX_FILE_BYTES};

use std::path::PathBuf;

/// Searches return at most this many hits.
pub const MAX_HITS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("query: {0}")]
    Query(String),
    #[error("{0} is not inside a documentation folder. Add its folder first (`roxyctl docs folders --add DIR`).")]
    OutsideFolders(PathBuf),
    #[error("{0} is not in the index.")]
    NotIndexed(PathBuf),
    #[error("Cancelled.")]
    Cancelled,
    #[error("embedding model in {dir}: {message}")]
    Model { dir: PathBuf, message: String },
    #[error("embedding: {0}")]
    Embedding(String),
}

impl DocsError {
    /// True when the index file itself is damaged and should be rebuilt.
    pub fn is_corruption(&self) -> bool {
        matches!(
            self,
            DocsError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        )
    }
}

/// One indexed document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocEntry {
    pub path: PathBuf,
    /// The chosen folder it lives in.
    pub root: PathBuf,
    /// Path relative to `root`, with `/` separators.
    pub rel: String,
    pub title: String,
    pub tags: Vec<String>,
    pub size: u64,
    /// Last change, milliseconds since the epoch.
    pub modified_ms: i64,
    /// Has a title or tags from front matter.
    pub front_matter: bool,
    /// A runbook file, or a document with a fenced `roxy-runbook` block.
    pub runbook: bool,
}

/// What to look for. Words in `text` follow [`parse_query`].
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Only documents inside this folder (absolute, or relative to a chosen folder).
    pub folder: Option<String>,
    /// Only documents with all of these tags.
    pub tags: Vec<String>,
    /// Treat the last word as a prefix (search as you type).
    pub prefix: bool,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub doc: DocEntry,
    /// Body text around the best match.
    pub snippet: String,
    /// Byte ranges of matched terms in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// BM25 relevance, higher is better (0 when listing without words).
    pub score: f64,
}

/// A file that was not indexed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: String,
}

/// Totals for the status line, metrics and the scorecard.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub documents: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub with_title: u64,
    pub with_tags: u64,
    /// Front-matter title and at least one tag.
    pub described: u64,
    /// Newest change among indexed documents (ms since the epoch; 0 when empty).
    pub newest_ms: i64,
}

impl Stats {
    /// Share of documents a reader can place without opening them: a front-matter title and
    /// at least one tag. `None` for an empty knowledge base.
    pub fn coverage_pct(&self) -> Option<f64> {
        (self.documents > 0).then(|| 100.0 * self.described as f64 / self.documents as f64)
    }
}

/// Stable short hash for index tokens (FNV-1a): folder and tag filters become single
/// tokens that the FTS index matches exactly.
fn token_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn folder_token(folder: &std::path::Path) -> String {
    format!("d{}", token_hash(&folder.to_string_lossy()))
}

fn tag_token(tag: &str) -> String {
    format!("t{}", token_hash(&tag.trim().to_lowercase()))
}

#[cfg(test)]
mod semantic_tests;
#[cfg(test)]
mod tests;
