//! Passage vectors held in memory for searching: a flat matrix scanned with dot products
//! (exact nearest neighbours; a knowledge base of 10 000 documents is ~100 000 passages,
//! which one scan covers in tens of milliseconds without an approximate index to keep).

use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct VectorSet {
    dimensions: usize,
    /// The document and passage number of each row.
    rows: Vec<(i64, u32)>,
    data: Vec<f32>,
}

/// The best passage of one document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    pub doc_id: i64,
    pub seq: u32,
    /// Cosine similarity, -1 to 1.
    pub similarity: f32,
}

impl VectorSet {
    pub fn new(dimensions: usize) -> Self {
        Self {
            dimensions,
            ..Self::default()
        }
    }

    /// Adds a row; vectors of another length are ignored (and reported as false).
    pub fn push(&mut self, doc_id: i64, seq: u32, vector: &[f32]) -> bool {
        if vector.len() != self.dimensions {
            return false;
        }
        self.rows.push((doc_id, seq));
        self.data.extend_from_slice(vector);
        true
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Every row: document, passage number, vector.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u32, &[f32])> {
        self.rows
            .iter()
            .zip(self.data.chunks_exact(self.dimensions.max(1)))
            .map(|(&(doc, seq), v)| (doc, seq, v))
    }

    /// The `limit` documents whose best passage is nearest to `query`, best first.
    /// `allowed`, when given, limits the documents considered (folder and tag filters).
    pub fn nearest(
        &self,
        query: &[f32],
        allowed: Option<&HashSet<i64>>,
        limit: usize,
    ) -> Vec<Nearest> {
        if query.len() != self.dimensions || self.dimensions == 0 {
            return Vec::new();
        }
        let mut best: HashMap<i64, Nearest> = HashMap::new();
        for (row, vector) in self.data.chunks_exact(self.dimensions).enumerate() {
            let (doc_id, seq) = self.rows[row];
            if allowed.is_some_and(|a| !a.contains(&doc_id)) {
                continue;
            }
            let similarity: f32 = vector.iter().zip(query).map(|(a, b)| a * b).sum();
            let entry = best.entry(doc_id).or_insert(Nearest {
                doc_id,
                seq,
                similarity: f32::MIN,
            });
            if similarity > entry.similarity {
                *entry = Nearest {
                    doc_id,
                    seq,
                    similarity,
                };
            }
        }
        let mut ranked: Vec<Nearest> = best.into_values().collect();
        ranked.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.doc_id.cmp(&b.doc_id))
        });
        ranked.truncate(limit);
        ranked
    }
}

/// A vector as stored: little-endian f32s.
pub fn to_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn from_blob(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}
