//! Semantic search: documents found by meaning rather than by their words. Each document
//! is cut into passages, a sentence-embedding model (all-MiniLM-L6-v2, from a registry
//! package; see `build-aux/fetch-models.sh`) turns each into a vector, and a query is
//! answered by the passages whose vectors are nearest to the query's. Without the model
//! installed there is no semantic mode at all.

mod chunks;
mod embedder;
mod store;
mod vectors;

pub use chunks::{chunks, Chunk, CHUNK_WORDS, MAX_CHUNKS};
pub use embedder::{Embedder, MODEL_FILES, MODEL_NAME};
pub use store::{semantic_text, EmbeddedPassage, EmbeddingCounts, PendingDoc};
pub use vectors::{Nearest, VectorSet};

/// Embeds the passages of `doc` with `embedder` (one model call per document).
pub fn embed_document(
    embedder: &Embedder,
    doc: &PendingDoc,
) -> Result<Vec<EmbeddedPassage>, super::DocsError> {
    let parts = chunks(&doc.title, &doc.body);
    let texts: Vec<String> = parts.iter().map(|c| c.text.clone()).collect();
    let vectors = embedder.embed(&texts)?;
    Ok(parts
        .into_iter()
        .zip(vectors)
        .map(|(chunk, vector)| EmbeddedPassage {
            excerpt: chunk.excerpt,
            vector,
        })
        .collect())
}
