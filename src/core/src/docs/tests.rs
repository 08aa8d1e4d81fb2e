//! The index over the fixture knowledge base in `tests/fixtures/docs/kb`.

use super::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// A private copy of the fixture tree (tests edit it) and an index next to it.
pub(super) struct Kb {
    _dir: tempfile::TempDir,
    pub(super) root: PathBuf,
    pub(super) index: DocIndex,
    pub(super) reader: Reader,
}

pub(super) fn kb() -> Kb {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("kb");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/docs/kb"),
        &root,
    );
    let (mut index, rebuilt) = DocIndex::open(&dir.path().join(INDEX_FILE)).unwrap();
    assert!(!rebuilt);
    index
        .sync_all(
            std::slice::from_ref(&root),
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    let reader = index.reader().unwrap();
    Kb {
        _dir: dir,
        root,
        index,
        reader,
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Kb {
    pub(super) fn search(&self, text: &str) -> Vec<String> {
        self.hits(&SearchQuery {
            text: text.into(),
            limit: 20,
            ..SearchQuery::default()
        })
        .into_iter()
        .map(|h| h.doc.rel)
        .collect()
    }

    fn hits(&self, query: &SearchQuery) -> Vec<SearchHit> {
        self.reader
            .search(query, std::slice::from_ref(&self.root))
            .unwrap()
            .hits
    }

    pub(super) fn sync(&mut self, paths: &[PathBuf]) -> SyncReport {
        self.index
            .sync_paths(std::slice::from_ref(&self.root), paths)
            .unwrap()
    }
}

#[test]
fn every_supported_file_is_indexed_and_hidden_folders_are_not() {
    let kb = kb();
    let docs: Vec<String> = kb
        .reader
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.rel)
        .collect();
    assert_eq!(
        docs,
        [
            "brain/index.md",
            "ops/backups.md",
            "ops/disks.md",
            "runbooks/backup-now.yaml",
            "studio/notes.txt",
            "studio/obs.md"
        ]
    );
    let backups = kb.reader.document(&kb.root.join("ops/backups.md")).unwrap();
    assert_eq!(backups.title, "Backups with restic");
    assert_eq!(backups.tags, ["ops", "restic"]);
    assert!(backups.runbook && backups.front_matter);
    let stats = kb.reader.stats().unwrap();
    assert_eq!(stats.documents, 6);
    assert_eq!(stats.described, 3);
    assert_eq!(stats.coverage_pct().map(|c| c.round()), Some(50.0));
}

#[test]
fn ranking_puts_the_document_about_the_word_first() {
    let kb = kb();
    // Title and tags weigh more than a passing mention in the body.
    assert_eq!(
        kb.search("restic"),
        ["ops/backups.md", "runbooks/backup-now.yaml", "ops/disks.md"]
    );
    assert_eq!(kb.search("scenes"), ["studio/obs.md", "brain/index.md"]);
    assert_eq!(kb.search("disks"), ["ops/disks.md", "brain/index.md"]);
    assert!(kb.search("nonexistentword").is_empty());
}

#[test]
fn phrases_prefixes_and_exclusions() {
    let kb = kb();
    assert_eq!(kb.search("\"off-site copy\""), ["ops/backups.md"]);
    assert_eq!(kb.search("\"off-site recording copy\""), ["studio/obs.md"]);
    assert!(kb.search("\"copy off-site\"").is_empty());
    assert_eq!(kb.search("off-site -restic"), ["studio/obs.md"]);
    assert_eq!(kb.search("micro*"), ["studio/notes.txt", "brain/index.md"]);
    let typing = kb.hits(&SearchQuery {
        text: "resti".into(),
        prefix: true,
        limit: 20,
        ..SearchQuery::default()
    });
    assert_eq!(typing.len(), 3);
    assert_eq!(typing[0].doc.rel, "ops/backups.md");
    // Without the prefix flag "resti" is a word of its own, which no file has.
    assert!(kb.search("resti").is_empty());
    // Accents are folded: "cafe" finds "café" and the other way round.
    std::fs::write(kb.root.join("cafe.md"), "Meeting at the café.").unwrap();
    let mut kb = kb;
    let path = kb.root.join("cafe.md");
    kb.sync(&[path]);
    assert_eq!(kb.search("cafe"), ["cafe.md"]);
}

#[test]
fn folder_and_tag_filters_narrow_before_the_words() {
    let kb = kb();
    assert_eq!(kb.search("restic tag:hardware"), ["ops/disks.md"]);
    assert_eq!(
        kb.search("restic in:ops"),
        ["ops/backups.md", "ops/disks.md"]
    );
    assert_eq!(kb.search("copy in:studio"), ["studio/obs.md"]);
    let abs = format!("in:{}", kb.root.join("brain").display());
    assert_eq!(kb.search(&format!("backups {abs}")), ["brain/index.md"]);
    // Filters alone list what they allow, by title.
    assert_eq!(kb.search("tag:ops"), ["ops/backups.md", "ops/disks.md"]);
    let hits = kb.hits(&SearchQuery {
        text: "restic".into(),
        tags: vec!["OPS".into()],
        folder: Some("ops/".into()),
        limit: 20,
        ..SearchQuery::default()
    });
    assert_eq!(hits.len(), 2);
    // A filter of a folder that has nothing matches nothing.
    assert!(kb.search("restic in:nowhere").is_empty());
}

#[test]
fn snippets_show_the_match_with_highlights_and_no_markup() {
    let kb = kb();
    let hits = kb.hits(&SearchQuery {
        text: "retention".into(),
        limit: 5,
        ..SearchQuery::default()
    });
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert!(hit.snippet.contains("keep 7 daily"), "{}", hit.snippet);
    assert_eq!(hit.highlights.len(), 1);
    let (start, end) = hit.highlights[0];
    assert_eq!(&hit.snippet[start..end], "Retention");
    assert!(!hit.snippet.contains("```") && !hit.snippet.contains("---"));
    assert!(hit.score > 0.0);
}

#[test]
fn edits_renames_and_deletes_are_picked_up() {
    let mut kb = kb();
    let disks = kb.root.join("ops/disks.md");
    std::fs::write(
        &disks,
        "---\ntitle: Disks\n---\nNow about zfs scrubs only.\n",
    )
    .unwrap();
    let report = kb.sync(std::slice::from_ref(&disks));
    assert_eq!((report.added, report.updated), (0, 1));
    assert_eq!(kb.search("scrubs"), ["ops/disks.md"]);
    assert!(!kb.search("restic").contains(&"ops/disks.md".to_string()));

    let moved = kb.root.join("ops/storage.md");
    std::fs::rename(&disks, &moved).unwrap();
    kb.sync(&[disks.clone(), moved.clone()]);
    assert_eq!(kb.search("scrubs"), ["ops/storage.md"]);

    // A whole folder renamed arrives as two folder paths.
    let studio = kb.root.join("studio");
    let media = kb.root.join("media");
    std::fs::rename(&studio, &media).unwrap();
    kb.sync(&[studio, media]);
    assert_eq!(kb.search("microphone"), ["media/notes.txt"]);

    std::fs::remove_file(&moved).unwrap();
    let report = kb.sync(&[moved]);
    assert_eq!(report.removed, 1);
    assert!(kb.search("scrubs").is_empty());
    // Unchanged files are not read again.
    let report = kb.sync(&[kb.root.join("ops/backups.md")]);
    assert_eq!((report.unchanged, report.updated), (1, 0));
}

#[test]
fn huge_binary_and_non_utf8_files_are_skipped_with_a_reason() {
    let mut kb = kb();
    let bad = [
        ("huge.md", vec![b'a'; MAX_FILE_BYTES as usize + 10]),
        ("binary.md", b"# Title\0\x01\x02".to_vec()),
        ("latin1.txt", b"Gr\xfc\xdfe".to_vec()),
    ];
    let paths: Vec<PathBuf> = bad
        .iter()
        .map(|(name, bytes)| {
            let path = kb.root.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let report = kb.sync(&paths);
    assert_eq!(report.added, 0);
    let reasons: Vec<String> = report.skipped.iter().map(|s| s.reason.clone()).collect();
    assert!(reasons[0].starts_with("too large"), "{reasons:?}");
    assert!(reasons[1].starts_with("binary content"), "{reasons:?}");
    assert!(reasons[2].starts_with("not UTF-8"), "{reasons:?}");
    assert_eq!(kb.reader.skipped().unwrap().len(), 3);
    // Skipped files are remembered and not read again until they change.
    let again = kb
        .index
        .sync_all(
            std::slice::from_ref(&kb.root),
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    assert!(again.skipped.is_empty() && !again.changed());
    // Fixed, it is indexed.
    std::fs::write(&paths[2], "Größe").unwrap();
    let fixed = kb.sync(&paths[2..]);
    assert_eq!(fixed.added, 1);
    assert_eq!(kb.reader.skipped().unwrap().len(), 2);
}

#[test]
fn a_corrupt_index_is_rebuilt() {
    let kb = kb();
    let path = kb.index.path().to_owned();
    let root = kb.root.clone();
    drop(kb.reader);
    drop(kb.index);
    // Damage the middle of the file, where the FTS pages are.
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 3..len - 100] {
        *b = 0x5a;
    }
    std::fs::write(&path, bytes).unwrap();
    let (mut index, rebuilt) = DocIndex::open(&path).unwrap();
    assert!(rebuilt);
    assert_eq!(index.reader().unwrap().stats().unwrap().documents, 0);
    let report = index
        .sync_all(
            std::slice::from_ref(&root),
            &mut |_, _| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    assert_eq!(report.added, 6);

    // Not a database at all.
    drop(index);
    std::fs::write(&path, "hello").unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", path.display()));
    assert!(DocIndex::open(&path).unwrap().1);
    drop(kb._dir);
}

#[test]
fn folders_no_longer_chosen_are_dropped() {
    let mut kb = kb();
    let ops = kb.root.join("ops");
    let report = kb
        .index
        .sync_all(&[ops], &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    assert_eq!(report.removed, 4);
    let docs: Vec<String> = kb
        .reader
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.rel)
        .collect();
    assert_eq!(docs, ["backups.md", "disks.md"]);
}

#[test]
fn the_master_index_lists_the_fixture_tree() {
    let kb = kb();
    let docs = kb.reader.documents().unwrap();
    let yaml = master_index_yaml(
        std::slice::from_ref(&kb.root),
        &docs,
        &kb.reader.stats().unwrap(),
        0,
    );
    let root = marked_yaml::parse_yaml(0, &yaml).unwrap();
    let sections = root.as_mapping().unwrap().get_sequence("sections").unwrap();
    let paths: Vec<&str> = sections
        .iter()
        .map(|s| s.as_mapping().unwrap().get_scalar("path").unwrap().as_str())
        .collect();
    assert_eq!(paths, ["brain", "ops", "runbooks", "studio"]);
    assert!(yaml.contains("title: \"Backups with restic\""));
    assert!(yaml.contains("runbook: true"));
    // Exported into the knowledge base, it is not indexed itself.
    let exported = kb.root.join("INDEX.yaml");
    std::fs::write(&exported, &yaml).unwrap();
    let mut kb = kb;
    let report = kb.sync(&[exported]);
    assert_eq!(report.added, 0);
    assert_eq!(report.skipped[0].reason, "a master index generated by Roxy");
}

#[test]
fn very_broad_queries_list_title_matches_first_unranked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("kb");
    std::fs::create_dir(&root).unwrap();
    for i in 0..RANK_LIMIT {
        std::fs::write(root.join(format!("n{i}.txt")), "a common word").unwrap();
    }
    std::fs::write(root.join("special.md"), "# Common ground\n\nalso common").unwrap();
    let (mut index, _) = DocIndex::open(&dir.path().join(INDEX_FILE)).unwrap();
    let roots = [root];
    index
        .sync_all(&roots, &mut |_, _| {}, &AtomicBool::new(false))
        .unwrap();
    let query = |text: &str| {
        index
            .reader()
            .unwrap()
            .search(
                &SearchQuery {
                    text: text.into(),
                    limit: 10,
                    ..SearchQuery::default()
                },
                &roots,
            )
            .unwrap()
    };
    let broad = query("common");
    assert!(!broad.ranked);
    assert_eq!(broad.matched, RANK_LIMIT as u64 + 1);
    assert_eq!(broad.hits.len(), 10);
    assert_eq!(broad.hits[0].doc.rel, "special.md");
    // Narrowed by a second word, it is ranked again.
    let narrow = query("common ground");
    assert!(narrow.ranked);
    assert_eq!(narrow.matched, 1);
}
