//! Semantic docs search with the real model (all-MiniLM-L6-v2 on the CPU): how fast notes
//! are embedded, what a query costs, and what the vector scan costs at 10 000-note scale.
//! The baseline is word search (FTS5) over the same notes in the same run.
//!
//! 100 generated notes are embedded for real (embedding 10 000 takes about an hour on
//! two cores, which is why roxyd does it as a background job). The scan at scale reuses
//! those real vectors, repeated to 100 000 passages: its cost does not depend on the values.

#[path = "support/docs_corpus.rs"]
mod corpus;

use corpus::*;
use roxy_core::docs::semantic::{embed_document, semantic_text, Embedder, VectorSet};
use roxy_core::docs::{DocIndex, SearchQuery, INDEX_FILE};
use roxy_tests::embedding_model;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const NOTES: usize = 100;
const QUERIES: usize = 50;
const REPEAT: usize = 3;
/// Passages of 10 000 notes like these (about 10 each).
const SCALE_PASSAGES: usize = 100_000;

fn main() {
    let model = embedding_model();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("kb");
    let vocab = Vocabulary::new(&mut Rng(5));
    let bytes = generate(&root, &vocab, NOTES);
    let roots = vec![root.clone()];

    let indexing = Instant::now();
    let (mut index, _) = DocIndex::open(&dir.path().join(INDEX_FILE)).unwrap();
    index
        .sync_all(&roots, &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    let indexed = indexing.elapsed();
    let reader = index.reader().unwrap();

    let loading = Instant::now();
    let embedder = Embedder::load(&model).unwrap();
    let loaded = loading.elapsed();

    let embedding = Instant::now();
    index.use_embedding_model(embedder.fingerprint()).unwrap();
    let mut passages = 0;
    loop {
        let batch = reader.pending_embedding(16).unwrap();
        if batch.is_empty() {
            break;
        }
        for doc in batch {
            let embedded = embed_document(&embedder, &doc).unwrap();
            passages += embedded.len();
            assert!(index.store_embedding(&doc, &embedded).unwrap());
        }
    }
    let embedded = embedding.elapsed();
    let vectors = reader.load_vectors(embedder.dimensions()).unwrap();
    assert_eq!(vectors.len(), passages);
    eprintln!(
        "{NOTES} notes ({:.1} MB): {passages} passages embedded in {:.1} s",
        bytes as f64 / 1e6,
        embedded.as_secs_f64()
    );

    // Three content words of one topic per query, as a person would describe a note.
    let c = &vocab.content;
    let queries: Vec<String> = (0..QUERIES)
        .map(|i| {
            let t = (i * 7) % (c.len() / TOPIC_SIZE);
            format!(
                "{} {} {}",
                c[t * TOPIC_SIZE],
                c[t * TOPIC_SIZE + 1],
                c[t * TOPIC_SIZE + 2]
            )
        })
        .collect();
    let query = |text: &str| SearchQuery {
        text: text.into(),
        limit: 20,
        ..SearchQuery::default()
    };
    let (mut by_meaning, mut by_words, mut embed_only) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPEAT {
        for text in &queries {
            let started = Instant::now();
            let vector = embedder.embed(&[semantic_text(text)]).unwrap().remove(0);
            embed_only.push(started.elapsed());
            let hits = reader
                .semantic_search(&vectors, &vector, &query(text), &roots)
                .unwrap();
            by_meaning.push(started.elapsed());
            assert!(!hits.hits.is_empty());
            let started = Instant::now();
            reader.search(&query(text), &roots).unwrap();
            by_words.push(started.elapsed());
        }
    }

    // The scan alone at 10 000-note scale.
    let mut scale = VectorSet::new(vectors.dimensions());
    let real: Vec<(u32, &[f32])> = vectors.iter().map(|(_, seq, v)| (seq, v)).collect();
    for i in 0..SCALE_PASSAGES {
        let (seq, vector) = real[i % real.len()];
        scale.push((i / 10) as i64, seq, vector);
    }
    let probe = embedder.embed(&[queries[0].clone()]).unwrap().remove(0);
    let mut scans = Vec::new();
    for _ in 0..QUERIES {
        let started = Instant::now();
        let near = scale.nearest(&probe, None, 20);
        scans.push(started.elapsed());
        assert_eq!(near.len(), 20);
    }

    for list in [&mut by_meaning, &mut by_words, &mut embed_only, &mut scans] {
        list.sort();
    }
    let p = |list: &[Duration], q: f64| ms(percentile(list, q));
    println!(
        "\nSemantic docs search — {NOTES} generated notes ({:.1} MB, {passages} passages), all-MiniLM-L6-v2 on the CPU, {} queries × {REPEAT}\n",
        bytes as f64 / 1e6,
        QUERIES
    );
    println!("| Measure | By meaning | By words (FTS5) | Ratio (meaning / words) |");
    println!("|---|---|---|---|");
    println!(
        "| Prepare {NOTES} notes | {:.1} s embedding ({:.1} passages/s) | {:.2} s indexing | {:.0}× |",
        embedded.as_secs_f64(),
        passages as f64 / embedded.as_secs_f64(),
        indexed.as_secs_f64(),
        embedded.as_secs_f64() / indexed.as_secs_f64()
    );
    println!(
        "| Same, per 1 000 notes | {:.1} min | {:.2} s | – |",
        embedded.as_secs_f64() * 1000.0 / NOTES as f64 / 60.0,
        indexed.as_secs_f64() * 1000.0 / NOTES as f64
    );
    for (name, q) in [("p50", 0.5), ("p99", 0.99)] {
        println!(
            "| Query {name} | {:.2} ms (embedding the query {:.2} ms) | {:.2} ms | {:.1}× |",
            p(&by_meaning, q),
            p(&embed_only, q),
            p(&by_words, q),
            p(&by_meaning, q) / p(&by_words, q)
        );
    }
    println!(
        "| Vector scan, {SCALE_PASSAGES} passages (10 000 notes), p50 / p99 | {:.2} / {:.2} ms | – | – |",
        p(&scans, 0.5),
        p(&scans, 0.99)
    );
    println!(
        "| Vectors in memory, {SCALE_PASSAGES} passages | {:.0} MB | – | – |",
        (SCALE_PASSAGES * vectors.dimensions() * 4) as f64 / 1e6
    );
    println!("| Model load | {:.2} s | – | – |", loaded.as_secs_f64());
}
