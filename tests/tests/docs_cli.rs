//! `roxyctl docs …` against a real roxyd over the fixture knowledge base: choosing folders,
//! the indexing job, ranked search with phrases, prefixes and filters, reading, live updates
//! after edit/rename/delete, skipped files, the master index, the scorecard, and a damaged
//! index rebuilt when roxyd starts.

use roxy_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/docs/kb");

/// Relative paths of the hits for `query`.
fn search(bus: &TestBus, query: &[&str]) -> Vec<String> {
    let result = bus.roxyctl_ok(&[&["docs", "search"], query].concat());
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc"]["rel"].as_str().unwrap().to_owned())
        .collect()
}

/// A private copy of the fixture knowledge base (tests edit it), at its resolved path.
fn fixture_kb() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb").canonicalize_or_self();
    copy_tree(Path::new(FIXTURES), &kb);
    (dir, kb)
}

fn indexed(bus: &TestBus, documents: u64) -> bool {
    let status = bus.roxyctl_ok(&["docs", "status"]);
    !status["indexing"].as_bool().unwrap() && status["documents"] == documents
}

/// Waits for `query` to give `expected`; returns how long it took.
fn until_found(bus: &TestBus, query: &[&str], expected: &[&str]) -> Duration {
    let started = Instant::now();
    assert!(
        bus.wait_for(Duration::from_secs(10), || search(bus, query) == expected),
        "{query:?} never gave {expected:?} (now {:?})",
        search(bus, query)
    );
    started.elapsed()
}

#[test]
fn docs_from_folder_to_search_to_live_updates() {
    let bus = TestBus::new();
    let (dir, kb) = fixture_kb();

    // Nothing chosen yet: the CLI says what to do.
    assert_eq!(bus.roxyctl_ok(&["docs", "folders"]), Value::Array(vec![]));
    let err = bus.roxyctl_refused(&["docs", "reindex"]);
    assert!(err.contains("docs folders --add"), "{err}");
    let err = bus.roxyctl_refused(&["docs", "folders", "--add", "/no/such/folder"]);
    assert!(
        err.contains("folders[0]") && err.contains("/no/such/folder"),
        "{err}"
    );

    let folders = bus.roxyctl_ok(&["docs", "folders", "--add", kb.to_str().unwrap()]);
    assert_eq!(folders[0], kb.to_str().unwrap());
    assert!(bus.wait_for(Duration::from_secs(20), || indexed(&bus, 6)));

    // Ranking, phrases, prefixes, filters.
    assert_eq!(
        search(&bus, &["restic"]),
        ["ops/backups.md", "runbooks/backup-now.yaml", "ops/disks.md"]
    );
    assert_eq!(search(&bus, &["\"off-site copy\""]), ["ops/backups.md"]);
    assert_eq!(search(&bus, &["resti", "--prefix"]).len(), 3);
    assert_eq!(
        search(&bus, &["restic", "--tag", "hardware"]),
        ["ops/disks.md"]
    );
    assert_eq!(
        search(&bus, &["restic", "--in", "ops"]),
        ["ops/backups.md", "ops/disks.md"]
    );
    let hit = &bus.roxyctl_ok(&["docs", "search", "retention"])["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    let (start, end) = (
        hit["highlights"][0][0].as_u64().unwrap() as usize,
        hit["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&snippet[start..end], "Retention");
    let err = bus.roxyctl_refused(&["docs", "search", "--", "-alone"]);
    assert!(err.contains("query:"), "{err}");
    // Plain text output marks the matches.
    let text = stdout(&bus.roxyctl(&["docs", "search", "retention"]));
    assert!(
        text.contains("[Retention]") && text.contains("Backups with restic"),
        "{text}"
    );

    // Reading: indexed documents only.
    let doc = bus.roxyctl_ok(&["docs", "show", "ops/backups.md"]);
    assert_eq!(doc["doc"]["title"], "Backups with restic");
    assert!(doc["text"].as_str().unwrap().contains("```roxy-runbook"));
    assert_eq!(doc["doc"]["runbook"], true);
    let err = bus.roxyctl_refused(&["docs", "show", "/etc/passwd"]);
    assert!(err.contains("not an indexed document"), "{err}");

    // Live: a new file, an edit, a rename, a delete.
    let new = kb.join("ops/zeppelin.md");
    std::fs::write(&new, "# Airships\n\nThe zeppelin hangar checklist.\n").unwrap();
    let added = until_found(&bus, &["zeppelin"], &["ops/zeppelin.md"]);
    std::fs::write(&new, "# Airships\n\nThe blimp hangar checklist.\n").unwrap();
    let edited = until_found(&bus, &["blimp"], &["ops/zeppelin.md"]);
    assert!(search(&bus, &["zeppelin"]).is_empty());
    std::fs::rename(&new, kb.join("studio/airships.md")).unwrap();
    let renamed = until_found(&bus, &["blimp"], &["studio/airships.md"]);
    std::fs::rename(kb.join("studio"), kb.join("media")).unwrap();
    until_found(&bus, &["blimp"], &["media/airships.md"]);
    std::fs::remove_file(kb.join("media/airships.md")).unwrap();
    let deleted = until_found(&bus, &["blimp"], &[]);
    eprintln!(
        "live update seen by search after: add {added:?}, edit {edited:?}, rename {renamed:?}, delete {deleted:?}"
    );

    // Files that cannot be indexed are listed with the reason, and logged.
    std::fs::write(kb.join("latin1.md"), b"Gr\xfc\xdfe").unwrap();
    std::fs::write(kb.join("blob.txt"), b"\x00\x01binary").unwrap();
    assert!(bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl_ok(&["docs", "skipped"])
            .as_array()
            .unwrap()
            .len()
            == 2
    }));
    let skipped = stdout(&bus.roxyctl(&["docs", "skipped"]));
    assert!(skipped.contains("latin1.md: not UTF-8"), "{skipped}");
    assert!(skipped.contains("blob.txt: binary content"), "{skipped}");
    assert!(
        bus.log().contains("not indexed"),
        "roxyd did not log the skipped files"
    );

    // The master index: on demand, and kept fresh next to the database.
    let export = dir.path().join("index.yaml");
    bus.roxyctl_ok(&["docs", "index-export", "-o", export.to_str().unwrap()]);
    let yaml = std::fs::read_to_string(&export).unwrap();
    assert!(yaml.contains("title: \"Backups with restic\""), "{yaml}");
    assert!(yaml.contains("documents: 6"), "{yaml}");
    let kept = bus.data_dir().join("ROXY_INDEX.yaml");
    assert!(
        bus.wait_for(Duration::from_secs(5), || std::fs::read_to_string(&kept)
            .is_ok_and(|k| k.contains("path: \"media\"")))
    );

    // Freshness and coverage reach the scorecard.
    let scores = bus.roxyctl_ok(&["metrics", "scorecard"]);
    let docs = scores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "docs_index_freshness")
        .unwrap()
        .clone();
    assert_eq!(docs["grade"], "good", "{docs}");
    assert!(
        docs["detail"].as_str().unwrap().contains("6 documents"),
        "{docs}"
    );

    // A damaged index is rebuilt when roxyd starts again.
    bus.kill_daemon(libc::SIGTERM);
    let index = bus.data_dir().join("docs-index.db");
    let mut bytes = std::fs::read(&index).unwrap();
    let len = bytes.len();
    bytes[..len / 2].fill(0x5a);
    std::fs::write(&index, bytes).unwrap();
    // The write-ahead log would still hold good copies of recent pages: lose it too.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", index.display()));
    }
    assert!(bus.wait_for(Duration::from_secs(20), || indexed(&bus, 6)));
    assert_eq!(search(&bus, &["\"off-site copy\""]), ["ops/backups.md"]);
    assert!(bus.log().contains("rebuilding"), "no rebuild in the log");

    // Forgetting the folder empties the index.
    bus.roxyctl_ok(&["docs", "folders", "--remove", kb.to_str().unwrap()]);
    assert!(bus.wait_for(Duration::from_secs(10), || indexed(&bus, 0)));
}

trait CanonicalOrSelf {
    fn canonicalize_or_self(self) -> PathBuf;
}

impl CanonicalOrSelf for PathBuf {
    /// The temp folder may sit behind a symlink; roxyd stores resolved folders.
    fn canonicalize_or_self(self) -> PathBuf {
        std::fs::create_dir_all(&self).unwrap();
        self.canonicalize().unwrap_or(self)
    }
}

fn by_meaning(bus: &TestBus, query: &str) -> Vec<(String, f64)> {
    let result = bus.roxyctl_ok(&["docs", "search", "--semantic", query]);
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["doc"]["rel"].as_str().unwrap().to_owned(),
                h["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn embedded(bus: &TestBus, documents: u64) -> bool {
    let status = bus.roxyctl_ok(&["docs", "status"]);
    !status["embedding"].as_bool().unwrap() && status["embedded"] == documents
}

#[test]
fn docs_by_meaning_with_the_real_embedding_model() {
    let model = embedding_model();
    let bus = TestBus::with_daemon_env(&[("ROXY_EMBEDDING_MODEL", model.to_str().unwrap())]);
    let (_dir, kb) = fixture_kb();
    bus.roxyctl_ok(&["docs", "folders", "--add", kb.to_str().unwrap()]);
    assert!(bus.wait_for(Duration::from_secs(20), || indexed(&bus, 6)));
    assert!(bus.wait_for(Duration::from_secs(60), || embedded(&bus, 6)));
    let status = bus.roxyctl_ok(&["docs", "status"]);
    assert_eq!(status["semantic_model"], model.to_str().unwrap());
    assert!(status["passages"].as_u64().unwrap() >= 6, "{status}");

    // No document has these words; by meaning, the backups page is nearest.
    let query = "duplicate my files to another machine every night";
    assert!(search(&bus, &[query]).is_empty());
    let found = by_meaning(&bus, query);
    assert_eq!(found[0].0, "ops/backups.md", "{found:?}");
    assert!(found[0].1 > found[1].1 && found[0].1 <= 1.0, "{found:?}");
    let hit = &bus.roxyctl_ok(&["docs", "search", "--semantic", query])["hits"][0];
    assert!(hit["snippet"].as_str().unwrap().contains("restic"), "{hit}");
    // Filters narrow first.
    let studio = by_meaning(&bus, &format!("{query} in:studio"));
    assert!(studio.iter().all(|(rel, _)| rel.starts_with("studio/")));
    let text = stdout(&bus.roxyctl(&["docs", "search", "-s", query, "-n", "1"]));
    assert!(text.contains("similarity "), "{text}");

    // An edit is embedded again in the background.
    std::fs::write(
        kb.join("studio/obs.md"),
        "# OBS\n\nGuitar: standard tuning is E A D G B E, new strings monthly.\n",
    )
    .unwrap();
    assert!(
        bus.wait_for(Duration::from_secs(20), || {
            by_meaning(&bus, "musical instrument care")
                .first()
                .is_some_and(|(rel, _)| rel == "studio/obs.md")
        }),
        "the edit was not embedded: {:?}",
        by_meaning(&bus, "musical instrument care")
    );
    let text = stdout(&bus.roxyctl(&["docs", "status"]));
    assert!(
        text.contains("Semantic search: ready; 6 of 6 documents embedded"),
        "{text}"
    );

    // Only filters: nothing to compare by meaning.
    let err = bus.roxyctl_refused(&["docs", "search", "--semantic", "tag:ops"]);
    assert!(err.contains("needs words"), "{err}");
}

#[test]
fn without_the_model_semantic_search_says_how_to_get_it() {
    let bus = TestBus::new();
    let (_dir, kb) = fixture_kb();
    bus.roxyctl_ok(&["docs", "folders", "--add", kb.to_str().unwrap()]);
    assert!(bus.wait_for(Duration::from_secs(20), || indexed(&bus, 6)));
    let err = bus.roxyctl_refused(&["docs", "search", "--semantic", "backups"]);
    assert!(
        err.contains("fetch-models.sh") && err.contains("models/all-minilm-l6-v2"),
        "{err}"
    );
    let status = bus.roxyctl_ok(&["docs", "status"]);
    assert_eq!(status["semantic_model"], "");
    assert_eq!(status["embedded"], 0);
    let text = stdout(&bus.roxyctl(&["docs", "status"]));
    assert!(text.contains("Semantic search: off"), "{text}");
    // Word search is unaffected.
    assert_eq!(search(&bus, &["\"off-site copy\""]), ["ops/backups.md"]);
}
