//! Passages and their vectors in the index file: which documents still need embedding,
//! storing what the model made of them, and searching by meaning.

use super::super::index::DocIndex;
use super::super::reader::{doc_from_row, parse_with_filters, Reader, SearchResults, DOC_COLUMNS};
use super::super::{DocsError, SearchHit, SearchQuery, MAX_HITS};
use super::vectors::{from_blob, to_blob, VectorSet};
use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;
use std::path::PathBuf;

const MODEL_KEY: &str = "embedding_model";

/// A document whose passages are not embedded yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDoc {
    pub id: i64,
    /// The version read: vectors are stored only if the document is still this one.
    pub mtime_ns: i64,
    pub title: String,
    pub body: String,
}

/// One passage of a document with its vector.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedPassage {
    pub excerpt: String,
    pub vector: Vec<f32>,
}

/// How far embedding has come.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EmbeddingCounts {
    pub embedded: u64,
    pub documents: u64,
    pub passages: u64,
}

impl DocIndex {
    /// Records which model the vectors come from. When it differs from the one recorded,
    /// every vector is dropped (vectors of two models cannot be compared); returns true then.
    pub fn use_embedding_model(&mut self, fingerprint: &str) -> Result<bool, DocsError> {
        let current: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [MODEL_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        if current.as_deref() == Some(fingerprint) {
            return Ok(false);
        }
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM chunks", [])?;
        tx.execute("UPDATE docs SET embedded = 0", [])?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [MODEL_KEY, fingerprint],
        )?;
        tx.commit()?;
        Ok(current.is_some())
    }

    /// Stores the passages of `doc`, unless the document changed or went away since it
    /// was read (then false: it is still pending, in its new version).
    pub fn store_embedding(
        &mut self,
        doc: &PendingDoc,
        passages: &[EmbeddedPassage],
    ) -> Result<bool, DocsError> {
        let tx = self.conn.transaction()?;
        let current = tx.execute(
            "UPDATE docs SET embedded = 1 WHERE id = ?1 AND mtime_ns = ?2",
            params![doc.id, doc.mtime_ns],
        )?;
        if current == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [doc.id])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO chunks (doc_id, seq, excerpt, vector) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (seq, passage) in passages.iter().enumerate() {
                insert.execute(params![
                    doc.id,
                    seq as i64,
                    passage.excerpt,
                    to_blob(&passage.vector)
                ])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }
}

impl Reader {
    /// Up to `limit` documents still to embed, oldest entries first.
    pub fn pending_embedding(&self, limit: usize) -> Result<Vec<PendingDoc>, DocsError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.mtime_ns, d.title, f.body FROM docs d
             JOIN docs_fts f ON f.rowid = d.id
             WHERE d.embedded = 0 ORDER BY d.id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(PendingDoc {
                id: r.get(0)?,
                mtime_ns: r.get(1)?,
                title: r.get(2)?,
                body: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn embedding_counts(&self) -> Result<EmbeddingCounts, DocsError> {
        let (embedded, documents) = self.conn.query_row(
            "SELECT COALESCE(SUM(embedded), 0), COUNT(*) FROM docs",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )?;
        let passages: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM chunks", [], |r| r.get(0))?;
        Ok(EmbeddingCounts {
            embedded: embedded as u64,
            documents: documents as u64,
            passages: passages as u64,
        })
    }

    /// Every stored passage vector of `dimensions` values.
    pub fn load_vectors(&self, dimensions: usize) -> Result<VectorSet, DocsError> {
        let mut set = VectorSet::new(dimensions);
        let mut stmt = self
            .conn
            .prepare("SELECT doc_id, seq, vector FROM chunks ORDER BY doc_id, seq")?;
        let mut rows = stmt.query([])?;
        let mut mismatched = 0;
        while let Some(row) = rows.next()? {
            let blob: Vec<u8> = row.get(2)?;
            if !set.push(row.get(0)?, row.get::<_, i64>(1)? as u32, &from_blob(&blob)) {
                mismatched += 1;
            }
        }
        if mismatched > 0 {
            tracing::warn!("docs: {mismatched} passage vectors have the wrong length; ignored");
        }
        Ok(set)
    }

    /// Documents whose passages are nearest in meaning to `query_vector` (the query's text
    /// embedded by the caller), with the query's folder and tag filters applied first.
    pub fn semantic_search(
        &self,
        vectors: &VectorSet,
        query_vector: &[f32],
        query: &SearchQuery,
        roots: &[PathBuf],
    ) -> Result<SearchResults, DocsError> {
        let (_, filters) = parse_with_filters(query, roots)?;
        let allowed = if filters.is_empty() {
            None
        } else {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?1")?;
            let ids = stmt.query_map([filters.join(" AND ")], |r| r.get::<_, i64>(0))?;
            Some(ids.collect::<Result<HashSet<i64>, _>>()?)
        };
        let limit = query.limit.clamp(1, MAX_HITS);
        let nearest = vectors.nearest(query_vector, allowed.as_ref(), limit);
        let sql = format!(
            "SELECT {DOC_COLUMNS}, c.excerpt FROM docs d JOIN chunks c ON c.doc_id = d.id
             WHERE d.id = ?1 AND c.seq = ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut hits = Vec::with_capacity(nearest.len());
        // At or below zero a passage is unrelated to the query (opposite, at best).
        for near in nearest.into_iter().filter(|n| n.similarity > 0.0) {
            let hit = stmt
                .query_row(params![near.doc_id, near.seq], |r| {
                    Ok(SearchHit {
                        doc: doc_from_row(r)?,
                        snippet: r.get(9)?,
                        highlights: Vec::new(),
                        score: f64::from(near.similarity),
                    })
                })
                .optional()?;
            // A document changed since the vectors were loaded is left out until reloaded.
            hits.extend(hit);
        }
        Ok(SearchResults {
            matched: hits.len() as u64,
            hits,
            ranked: true,
        })
    }
}

/// The part of a search-box query the model should read: its words, without the
/// `tag:` and `in:` filters and the search operators.
pub fn semantic_text(query: &str) -> String {
    query
        .split_whitespace()
        .filter(|w| !w.starts_with("tag:") && !w.starts_with("in:") && !w.starts_with('-'))
        .map(|w| w.trim_matches(|c| c == '"' || c == '*'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
