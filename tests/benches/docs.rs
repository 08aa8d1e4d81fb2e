//! The docs index at knowledge-base scale: 10 000 generated markdown files (~50 MB, a
//! Zipf-like vocabulary, front matter, headings, lists, code), indexed from scratch, then
//! incremental updates of single files, then 50 queries (words, rare words, pairs,
//! phrases, prefixes, filters). The baseline is ripgrep running the same queries over the
//! same files in the same run. Goals: index < 10 s, search p99 < 10 ms, ≥ 10× faster than rg.

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

/// Function words: in nearly every file, drawn with a Zipf-like skew.
const FUNCTION_WORDS: &str = "the of and to in is for that on with as it be this are by from or \
    at an not can you all your will have more one when which has new if use how about time we \
    each first should also only after before then there where what way need make";

/// Stems of the content vocabulary; each also appears with endings (backups, backing…).
const STEMS: &str = "server backup restore disk container image network host service port \
    config file folder update install release version log error warning alert metric dashboard \
    status health stream scene audio video camera microphone mixer record studio podcast guest \
    episode invoice client customer project deadline meeting proposal contract budget payment tax \
    quarter report revenue lead deal pipeline follow email call note task schedule calendar \
    docker compose volume mount snapshot retention restic borg rsync cron timer systemd unit \
    journal kernel driver firmware router switch firewall vlan dns dhcp certificate domain \
    proxy nginx caddy traefik postgres sqlite redis grafana prometheus exporter scrape \
    threshold latency throughput bandwidth storage raid zfs pool scrub smart temperature fan \
    power battery ups outage maintenance window rollback migration schema index query cache \
    token secret password key vault rotation audit permission group owner policy review \
    checklist runbook playbook step approval confirm retry timeout failure incident postmortem \
    lesson summary overview guide howto reference glossary troubleshoot issue \
    workaround fix patch upgrade downgrade hardware cable adapter monitor \
    keyboard display resolution frame bitrate encoder preset transition overlay \
    caption subtitle transcript voice wake intent reply speaker headset gain \
    noise gate compressor limiter equalizer reverb track session export archive template";
const ENDINGS: [&str; 5] = ["", "s", "ing", "ed", "er"];
/// Syllables for names of people, hosts and projects.
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ren", "tas", "vel", "or", "si", "bra", "dun", "el", "fa", "gor", "hin",
    "ju", "kel", "mar", "no", "pe", "qua", "ril", "sto", "tu", "wen",
];
/// Phrases real notes repeat; some files get one.
const PHRASES: [&str; 5] = [
    "off-site copy",
    "scene collection",
    "restore test",
    "invoice overdue",
    "disk replacement",
];
/// Content words per topic; each file is about a few topics.
const TOPIC_SIZE: usize = 25;
const TOPICS_PER_FILE: usize = 4;

/// Stop-word queries: every file matches them, so they take the unranked path.
const BROAD_QUERIES: [&str; 5] = ["the", "of and", "\"to the\"", "about", "time"];

struct Vocabulary {
    function: Vec<String>,
    /// Shuffled, so topics mix stems; Zipf ranks follow this order.
    content: Vec<String>,
}

impl Vocabulary {
    fn new(rng: &mut Rng) -> Self {
        let mut content: Vec<String> = STEMS
            .split_whitespace()
            .flat_map(|stem| ENDINGS.iter().map(move |e| format!("{stem}{e}")))
            .collect();
        for a in SYLLABLES {
            for b in SYLLABLES {
                content.push(format!("{a}{b}"));
            }
        }
        for i in (1..content.len()).rev() {
            content.swap(i, rng.next() as usize % (i + 1));
        }
        Self {
            function: FUNCTION_WORDS
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            content,
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }

    /// A rank with probability falling off like 1/rank.
    fn zipf(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.unit()) - 1.0) as usize % n
    }
}

fn generate(root: &Path, vocab: &Vocabulary) -> u64 {
    let mut rng = Rng(11);
    let sections = [
        "brain", "ops", "studio", "business", "homelab", "archive", "notes",
    ];
    let tags = [
        "ops",
        "studio",
        "crm",
        "howto",
        "reference",
        "draft",
        "hardware",
        "network",
        "backup",
        "finance",
        "meeting",
        "incident",
    ];
    let topics = vocab.content.len() / TOPIC_SIZE;
    let mut bytes = 0u64;
    for i in 0..FILES {
        let section = sections[i % sections.len()];
        let dir = root.join(section).join(format!("topic{:02}", (i / 7) % 40));
        std::fs::create_dir_all(&dir).unwrap();
        let mine: Vec<usize> = (0..TOPICS_PER_FILE).map(|_| rng.zipf(topics)).collect();
        // 45 % function words, 40 % the file's topics, 15 % anything.
        let word = |rng: &mut Rng| -> &str {
            let roll = rng.next() % 100;
            if roll < 45 {
                &vocab.function[rng.zipf(vocab.function.len())]
            } else if roll < 85 {
                let topic = mine[rng.next() as usize % mine.len()];
                &vocab.content[topic * TOPIC_SIZE + rng.zipf(TOPIC_SIZE)]
            } else {
                &vocab.content[rng.zipf(vocab.content.len())]
            }
        };
        let mut text = String::with_capacity(6000);
        let title: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
        let _ = writeln!(
            text,
            "---\ntitle: {} note {i}\ntags: [{}, {}]\n---\n",
            title.join(" "),
            tags[rng.next() as usize % tags.len()],
            tags[rng.next() as usize % tags.len()]
        );
        let _ = writeln!(text, "# {}\n", title.join(" "));
        for s in 0..6 {
            let _ = writeln!(text, "## {} {}\n", word(&mut rng), s + 1);
            for _ in 0..2 {
                let n = 50 + rng.next() as usize % 40;
                let mut para: Vec<&str> = (0..n).map(|_| word(&mut rng)).collect();
                if rng.next().is_multiple_of(20) {
                    para.insert(n / 2, PHRASES[rng.next() as usize % PHRASES.len()]);
                }
                let _ = writeln!(text, "{}.\n", para.join(" "));
            }
            match rng.next() % 4 {
                0 => {
                    for _ in 0..4 {
                        let item: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
                        let _ = writeln!(text, "- {}", item.join(" "));
                    }
                    text.push('\n');
                }
                1 => {
                    let cmd: Vec<&str> = (0..3).map(|_| word(&mut rng)).collect();
                    let _ = writeln!(text, "```sh\n{} --{} {}\n```\n", cmd[0], cmd[1], cmd[2]);
                }
                _ => {}
            }
        }
        // A rare identifier, as real notes have ticket numbers and host names.
        let _ = writeln!(text, "Ticket ref{i:05} on host node{:03}.", i % 997);
        bytes += text.len() as u64;
        std::fs::write(dir.join(format!("note{i:05}.md")), text).unwrap();
    }
    bytes
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

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
    let bytes = generate(&root, &vocab);
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
