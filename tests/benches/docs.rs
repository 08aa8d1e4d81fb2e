//! The docs index at knowledge-base scale: 10 000 generated markdown files (~50 MB, a
//! Zipf-like vocabulary, front matter, headings, lists, code), indexed from scratch, then
//! incremental updates of single files, then 50 queries (words, rare words, pairs,
//! phrases, prefixes, filters). The baseline is ripgrep running the same queries over the
//! same files in the same run. Goals: index < 10 s, search p99 < 10 ms, ≥ 10× faster than rg.

#[path = "support/docs_corpus.rs"]
mod corpus;

use corpus::*;
use roxy_core::docs::{DocIndex, SearchQuery, INDEX_FILE, RANK_LIMIT};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const FILES: usize = 10_000;
const QUERIES: usize = 50;
/// Each query is run this many times; percentiles are over every run.
const REPEAT: usize = 5;
const UPDATES: usize = 50;

/// Stop-word queries: every file matches them, so they take the unranked path.
const BROAD_QUERIES: [&str; 5] = ["the", "of and", "\"to the\"", "about", "time"];

/// (what Roxy is asked, the regex rg gets with `-i -l`).
fn queries(vocab: &Vocabulary) -> Vec<(String, String)> {
    let word = |w: &str| (w.to_owned(), format!(r"\b{w}\b"));
    let c = &vocab.content;
    let mut out = Vec::new();
    // The most frequent content words (the hardest to rank), then rarer ones.
    out.extend(c[..10].iter().map(|w| word(w)));
    out.extend((1..=10).map(|i| word(&c[i * (c.len() - 1) / 10])));
    // Two words of one topic; rg gets the second (it cannot AND two words across a file).
    for t in 0..5 {
        let (a, b) = (&c[t * TOPIC_SIZE], &c[t * TOPIC_SIZE + 1]);
        out.push((format!("{a} {b}"), format!(r"\b{b}\b")));
    }
    // A frequent word narrowed by a rarer one.
    for t in 0..5 {
        let (a, b) = (&c[t], &c[c.len() / 2 + t]);
        out.push((format!("{a} {b}"), format!(r"\b{b}\b")));
    }
    for phrase in PHRASES {
        out.push((format!("\"{phrase}\""), phrase.replace(' ', r"\s+")));
    }
    for w in (0..5).map(|i| &c[3 + i * c.len() / 6]) {
        let prefix: String = w.chars().take(4).collect();
        out.push((format!("{prefix}*"), format!(r"\b{prefix}\w*")));
    }
    for rare in ["ref04242", "node123", "ref00007", "node900", "ref09999"] {
        out.push(word(rare));
    }
    for (w, folder) in c[20..25]
        .iter()
        .zip(["business", "studio", "homelab", "ops", "notes"])
    {
        out.push((format!("{w} in:{folder}"), format!(r"\b{w}\b")));
    }
    assert_eq!(out.len(), QUERIES);
    out
}

fn main() {
    // ROXY_BENCH_KEEP=1 leaves the files and the index behind for a look with sqlite3.
    let dir = tempfile::Builder::new()
        .disable_cleanup(std::env::var_os("ROXY_BENCH_KEEP").is_some())
        .tempdir()
        .unwrap();
    eprintln!("working in {}", dir.path().display());
    let root = dir.path().join("kb");
    let vocab = Vocabulary::new(&mut Rng(5));
    let generated = Instant::now();
    let bytes = generate(&root, &vocab, FILES);
    eprintln!(
        "generated {FILES} files, {:.1} MB in {:.1} s",
        bytes as f64 / 1e6,
        generated.elapsed().as_secs_f64()
    );
    let roots = vec![root.clone()];

    // Full index from nothing.
    let index_path = dir.path().join(INDEX_FILE);
    let started = Instant::now();
    let (mut index, _) = DocIndex::open(&index_path).unwrap();
    let report = index
        .sync_all(&roots, &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    let full = started.elapsed();
    assert_eq!(report.added, FILES);
    let index_bytes = std::fs::metadata(&index_path).unwrap().len();

    // A second full sync with nothing changed (what roxyd does at start).
    let started = Instant::now();
    let nothing = index
        .sync_all(&roots, &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    let resync = started.elapsed();
    assert_eq!(nothing.unchanged, FILES);

    // Single-file edits, as the watcher hands them over.
    let mut updates = Vec::new();
    let files: Vec<PathBuf> = walk(&root);
    for (n, file) in files
        .iter()
        .step_by(FILES / UPDATES)
        .take(UPDATES)
        .enumerate()
    {
        let mut text = std::fs::read_to_string(file).unwrap();
        let _ = writeln!(text, "\nEdited with marker edit{n:03}.");
        std::fs::write(file, text).unwrap();
        let started = Instant::now();
        let report = index
            .sync_paths(&roots, std::slice::from_ref(file))
            .unwrap();
        updates.push(started.elapsed());
        assert_eq!(report.updated, 1);
    }
    updates.sort();

    let reader = index.reader().unwrap();
    let queries = queries(&vocab);
    let mut roxy = Vec::new();
    let mut hits_total = 0;
    let mut unranked = 0;
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    for (query, _) in &queries {
        let before = roxy.len();
        for _ in 0..REPEAT {
            let started = Instant::now();
            let results = reader
                .search(
                    &SearchQuery {
                        text: query.clone(),
                        limit: 20,
                        ..SearchQuery::default()
                    },
                    &roots,
                )
                .unwrap();
            roxy.push(started.elapsed());
            hits_total += results.hits.len();
            unranked += usize::from(!results.ranked);
        }
        slowest.push((
            roxy[before..].iter().copied().max().unwrap_or_default(),
            query,
        ));
    }
    roxy.sort();
    slowest.sort();
    for (took, query) in slowest.iter().rev().take(8) {
        eprintln!("slowest: {:>7.2} ms  {query}", ms(*took));
    }
    assert!(hits_total > 0);

    let mut broad = Vec::new();
    for query in BROAD_QUERIES {
        for _ in 0..REPEAT {
            let started = Instant::now();
            let results = reader
                .search(
                    &SearchQuery {
                        text: query.into(),
                        limit: 20,
                        ..SearchQuery::default()
                    },
                    &roots,
                )
                .unwrap();
            broad.push(started.elapsed());
            assert!(!results.ranked && results.hits.len() == 20);
        }
    }
    broad.sort();

    let mut rg = Vec::new();
    let rg_ok = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if rg_ok {
        for (_, pattern) in &queries {
            let started = Instant::now();
            let status = Command::new("rg")
                .args(["-i", "-l", "-e", pattern])
                .arg(&root)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            rg.push(started.elapsed());
            assert!(
                status.code().is_some_and(|c| c <= 1),
                "rg failed on {pattern}"
            );
        }
        rg.sort();
    }

    println!(
        "\nDocs index: {FILES} markdown files, {:.1} MB, SQLite FTS5 (index file {:.1} MB)\n",
        bytes as f64 / 1e6,
        index_bytes as f64 / 1e6
    );
    println!("| Measure | Roxy | ripgrep 13 | Ratio (rg / Roxy) |");
    println!("|---|---|---|---|");
    println!("| Full index | {:.2} s | – | – |", full.as_secs_f64());
    println!(
        "| Start-up sync, nothing changed | {:.0} ms | – | – |",
        ms(resync)
    );
    println!(
        "| Incremental update, one file p50 / p99 | {:.1} / {:.1} ms | – | – |",
        ms(percentile(&updates, 0.5)),
        ms(percentile(&updates, 0.99))
    );
    for (label, p) in [("p50", 0.5), ("p99", 0.99)] {
        let ours = percentile(&roxy, p);
        if rg.is_empty() {
            println!(
                "| Search {label} ({QUERIES} queries × {REPEAT}) | {:.2} ms | not installed | – |",
                ms(ours)
            );
        } else {
            let theirs = percentile(&rg, p);
            println!(
                "| Search {label} ({QUERIES} queries; Roxy × {REPEAT}) | {:.2} ms | {:.1} ms | {:.0}× |",
                ms(ours),
                ms(theirs),
                theirs.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
    println!(
        "| Stop-word queries p99 ({} queries × {REPEAT}, unranked) | {:.2} ms | – | – |",
        BROAD_QUERIES.len(),
        ms(percentile(&broad, 0.99))
    );
    println!(
        "\n{unranked} of {} searches matched more than {RANK_LIMIT} files and were ordered by title and tag matches instead of BM25.",
        roxy.len()
    );
    println!("\nGoals: index < 10 s, search p99 < 10 ms, ≥ 10× faster than rg.");
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
