//! Searching and listing the index, on a read-only connection next to the writer.

use super::query::parse_query;
use super::{
    folder_token, tag_token, DocEntry, DocsError, SearchHit, SearchQuery, SkippedFile, Stats,
    MAX_HITS,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Snippet length in tokens.
const SNIPPET_TOKENS: i32 = 24;
/// Marks around matched terms in FTS5 snippets; control characters never occur in indexed text.
const MARK_START: char = '\u{2}';
const MARK_END: char = '\u{3}';

/// Queries matching more documents than this are not ranked by BM25 over the body: FTS5
/// scores every match (no top-k pruning), and at ~2 µs a match a word found in most of
/// 10 000 files would cost 20 ms and more. Title and tag matches come first, then the rest
/// in index order, and the result says so.
pub const RANK_LIMIT: i64 = 2000;

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// How many documents match, counted up to [`RANK_LIMIT`] + 1.
    pub matched: u64,
    /// Ordered by BM25 relevance (false for very broad queries and filter-only lists).
    pub ranked: bool,
}

pub(super) const DOC_COLUMNS: &str =
    "d.path, d.root, d.rel, d.title, d.tags, d.size, d.mtime_ns, d.titled, d.runbook";

/// Searches and lists; opened read-only next to the writer.
pub struct Reader {
    pub(super) conn: Connection,
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self, DocsError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(Self { conn })
    }

    /// Documents matching `query`, best first. Folder and tag filters are index tokens, so
    /// they narrow the candidates inside the same FTS5 match as the words.
    pub fn search(
        &self,
        query: &SearchQuery,
        roots: &[PathBuf],
    ) -> Result<SearchResults, DocsError> {
        let (words, filters) = parse_with_filters(query, roots)?;
        let limit = query.limit.clamp(1, MAX_HITS) as i64;
        let Some(words) = words else {
            let hits = self.list_filtered(&filters, limit)?;
            return Ok(SearchResults {
                matched: hits.len() as u64,
                hits,
                ranked: false,
            });
        };
        let mut expr = format!("{{title tags body}} : ({words})");
        let mut in_titles = format!("{{title tags}} : ({words})");
        for filter in &filters {
            expr = format!("{expr} AND {filter}");
            in_titles = format!("{in_titles} AND {filter}");
        }
        let matched = self.count(&expr)?;
        if matched <= RANK_LIMIT {
            let hits = self.hits(&expr, "ORDER BY rank", limit, &[])?;
            return Ok(SearchResults {
                hits,
                matched: matched as u64,
                ranked: true,
            });
        }
        // Too broad to rank in time: matches in titles and tags first (ranked when few
        // enough), then the rest in index order.
        let order = if self.count(&in_titles)? <= RANK_LIMIT {
            "ORDER BY rank"
        } else {
            ""
        };
        let mut hits = self.hits(&in_titles, order, limit, &[])?;
        let seen: Vec<String> = hits
            .iter()
            .map(|h| h.doc.path.to_string_lossy().into_owned())
            .collect();
        let more = self.hits(&expr, "", limit + seen.len() as i64, &seen)?;
        let room = (limit as usize).saturating_sub(hits.len());
        hits.extend(more.into_iter().take(room));
        Ok(SearchResults {
            hits,
            matched: matched as u64,
            ranked: false,
        })
    }

    /// Matches of `expr`, counted up to [`RANK_LIMIT`] + 1 (cheap: no ranking).
    fn count(&self, expr: &str) -> Result<i64, DocsError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM docs_fts WHERE docs_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(params![expr, RANK_LIMIT + 1], |r| r.get(0))?)
    }

    fn hits(
        &self,
        expr: &str,
        order: &str,
        limit: i64,
        except: &[String],
    ) -> Result<Vec<SearchHit>, DocsError> {
        let sql = format!(
            "SELECT {DOC_COLUMNS}, snippet(docs_fts, 2, char(2), char(3), '…', {SNIPPET_TOKENS}), rank
             FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
             WHERE docs_fts MATCH ?1 {order} LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![expr, limit], |r| {
            let (snippet, highlights) = highlights(&r.get::<_, String>(9)?);
            Ok(SearchHit {
                doc: doc_from_row(r)?,
                snippet,
                highlights,
                score: -r.get::<_, f64>(10)?,
            })
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let hit = row?;
            if !except.iter().any(|p| Path::new(p) == hit.doc.path) {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// Without words: the documents the filters allow, by title.
    fn list_filtered(&self, filters: &[String], limit: i64) -> Result<Vec<SearchHit>, DocsError> {
        if filters.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DOC_COLUMNS}, substr(docs_fts.body, 1, 200) FROM docs_fts JOIN docs d ON d.id = docs_fts.rowid
             WHERE docs_fts MATCH ?1 ORDER BY d.title COLLATE NOCASE LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![filters.join(" AND "), limit], |r| {
            Ok(SearchHit {
                doc: doc_from_row(r)?,
                snippet: r.get::<_, String>(9)?.trim().to_owned(),
                highlights: Vec::new(),
                score: 0.0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn document(&self, path: &Path) -> Result<DocEntry, DocsError> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM docs d WHERE d.path = ?1");
        self.conn
            .query_row(&sql, [path.to_string_lossy()], doc_from_row)
            .optional()?
            .ok_or_else(|| DocsError::NotIndexed(path.to_owned()))
    }

    /// Every document, by folder and path.
    pub fn documents(&self) -> Result<Vec<DocEntry>, DocsError> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM docs d ORDER BY d.root, d.rel");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], doc_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn skipped(&self) -> Result<Vec<SkippedFile>, DocsError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, reason FROM skipped ORDER BY path")?;
        let rows = stmt.query_map([], |r| {
            Ok(SkippedFile {
                path: PathBuf::from(r.get::<_, String>(0)?),
                reason: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn stats(&self) -> Result<Stats, DocsError> {
        let mut stats = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(titled), 0),
                    COALESCE(SUM(tags != ''), 0), COALESCE(SUM(titled AND tags != ''), 0),
                    COALESCE(MAX(mtime_ns), 0) / 1000000
             FROM docs",
            [],
            |r| {
                Ok(Stats {
                    documents: r.get::<_, i64>(0)? as u64,
                    bytes: r.get::<_, i64>(1)? as u64,
                    with_title: r.get::<_, i64>(2)? as u64,
                    with_tags: r.get::<_, i64>(3)? as u64,
                    described: r.get::<_, i64>(4)? as u64,
                    newest_ms: r.get(5)?,
                    skipped: 0,
                })
            },
        )?;
        stats.skipped = self
            .conn
            .query_row("SELECT COUNT(*) FROM skipped", [], |r| r.get::<_, i64>(0))?
            as u64;
        Ok(stats)
    }
}

/// The query's words as an FTS5 expression, and its folder and tag filters as FTS5
/// expressions over the facet tokens.
pub(super) fn parse_with_filters(
    query: &SearchQuery,
    roots: &[PathBuf],
) -> Result<(Option<String>, Vec<String>), DocsError> {
    let mut parts = parse_query(&query.text, query.prefix)?;
    parts.tags.extend(query.tags.iter().cloned());
    parts.folders.extend(query.folder.iter().cloned());
    let mut filters: Vec<String> = parts
        .tags
        .iter()
        .map(|t| format!("facets : {}", tag_token(t)))
        .collect();
    for folder in &parts.folders {
        let tokens: Vec<String> = folder_candidates(folder, roots)
            .iter()
            .map(|f| folder_token(f))
            .collect();
        filters.push(format!("facets : ({})", tokens.join(" OR ")));
    }
    Ok((parts.words, filters))
}

/// A folder filter names a folder absolutely or relative to any chosen folder.
fn folder_candidates(folder: &str, roots: &[PathBuf]) -> Vec<PathBuf> {
    let folder = folder.trim_end_matches('/');
    let path = Path::new(folder);
    if path.is_absolute() {
        return vec![path.to_owned()];
    }
    roots.iter().map(|r| r.join(path)).collect()
}

pub(super) fn doc_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocEntry> {
    let tags: String = r.get(4)?;
    let titled: bool = r.get(7)?;
    Ok(DocEntry {
        path: PathBuf::from(r.get::<_, String>(0)?),
        root: PathBuf::from(r.get::<_, String>(1)?),
        rel: r.get(2)?,
        title: r.get(3)?,
        front_matter: titled || !tags.is_empty(),
        tags: tags
            .split('\n')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        size: r.get::<_, i64>(5)? as u64,
        modified_ms: r.get::<_, i64>(6)? / 1_000_000,
        runbook: r.get(8)?,
    })
}

/// Takes FTS5's marks out of a snippet and returns where they were.
fn highlights(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut start = None;
    for c in marked.chars() {
        match c {
            MARK_START => start = Some(text.len()),
            MARK_END => {
                if let Some(s) = start.take() {
                    ranges.push((s, text.len()));
                }
            }
            '\n' | '\r' | '\t' => text.push(' '),
            c => text.push(c),
        }
    }
    (text, ranges)
}
