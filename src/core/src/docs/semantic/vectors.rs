//! Passage vectors held in memory for searching: a flat matrix scanned with dot products
//! (exact nearest neighbours; a knowledge base of 10 000 documents is ~100 000 passages,
//! which one scan covers in tens of milliseconds without an approximate index to keep).

use std::collections::HashSet;

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
        if query.len() != self.dimensions || self.dimensions == 0 || limit == 0 {
            return Vec::new();
        }
        // Rows come grouped by document (loaded in order): keep the best of each group.
        let mut best: Vec<Nearest> = Vec::new();
        for (row, vector) in self.data.chunks_exact(self.dimensions).enumerate() {
            let (doc_id, seq) = self.rows[row];
            if allowed.is_some_and(|a| !a.contains(&doc_id)) {
                continue;
            }
            let similarity = dot(vector, query);
            match best.last_mut() {
                Some(last) if last.doc_id == doc_id => {
                    if similarity > last.similarity {
                        last.seq = seq;
                        last.similarity = similarity;
                    }
                }
                _ => best.push(Nearest {
                    doc_id,
                    seq,
                    similarity,
                }),
            }
        }
        let order = |a: &Nearest, b: &Nearest| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.doc_id.cmp(&b.doc_id))
        };
        // Rows pushed out of order leave a document in several groups: keep its best.
        best.sort_unstable_by(|a, b| a.doc_id.cmp(&b.doc_id).then(order(a, b)));
        best.dedup_by_key(|n| n.doc_id);
        if best.len() > limit {
            best.select_nth_unstable_by(limit - 1, order);
            best.truncate(limit);
        }
        best.sort_unstable_by(order);
        best
    }
}

/// Dot product in eight independent sums, which the compiler turns into SIMD (one running
/// sum must add in order and stays scalar).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
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
