//! Semantic search over the fixture knowledge base with the real embedding model (fetched
//! from its registry package by `build-aux/fetch-models.sh`, which the test script runs).

use super::semantic::*;
use super::tests::kb;
use super::tests::Kb;
use super::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let dir = std::env::var_os("ROXY_EMBEDDING_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                    .join(".cache/roxy/models")
                    .join(MODEL_NAME)
            });
        Embedder::load(&dir).unwrap_or_else(|e| {
            panic!(
                "{e}\nFetch the model first: build-aux/fetch-models.sh {}",
                dir.display()
            )
        })
    })
}

impl Kb {
    /// Embeds every pending document; returns how many were stored.
    fn embed_pending(&mut self) -> usize {
        self.index
            .use_embedding_model(embedder().fingerprint())
            .unwrap();
        let mut stored = 0;
        for doc in self.reader.pending_embedding(100).unwrap() {
            let passages = embed_document(embedder(), &doc).unwrap();
            stored += usize::from(self.index.store_embedding(&doc, &passages).unwrap());
        }
        stored
    }

    fn by_meaning(&self, text: &str) -> Vec<(String, f64)> {
        let vectors = self.reader.load_vectors(embedder().dimensions()).unwrap();
        let query = embedder().embed(&[semantic_text(text)]).unwrap().remove(0);
        self.reader
            .semantic_search(
                &vectors,
                &query,
                &SearchQuery {
                    text: text.into(),
                    limit: 10,
                    ..SearchQuery::default()
                },
                std::slice::from_ref(&self.root),
            )
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.doc.rel, h.score))
            .collect()
    }

    fn top(&self, text: &str) -> String {
        self.by_meaning(text)
            .first()
            .map(|(rel, _)| rel.clone())
            .unwrap_or_default()
    }
}

#[test]
fn passages_are_cut_by_words_carry_the_title_and_are_capped() {
    let body: Vec<String> = (0..(CHUNK_WORDS * (MAX_CHUNKS + 3)))
        .map(|i| format!("w{i}"))
        .collect();
    let parts = chunks("Title", &body.join(" "));
    assert_eq!(parts.len(), MAX_CHUNKS);
    assert!(parts[0].text.starts_with("Title. w0 w1"));
    assert!(parts[1]
        .text
        .starts_with(&format!("Title. w{CHUNK_WORDS} ")));
    assert!(parts[0].excerpt.starts_with("w0 w1") && parts[0].excerpt.ends_with(" …"));
    assert_eq!(chunks("Only a title", "  ").len(), 1);
    assert!(chunks(" ", "").is_empty());
}

#[test]
fn the_nearest_document_is_the_one_with_the_nearest_passage() {
    let mut set = VectorSet::new(2);
    assert!(set.push(1, 0, &[1.0, 0.0]));
    assert!(set.push(1, 1, &[0.0, 1.0]));
    assert!(set.push(2, 0, &[0.6, 0.8]));
    assert!(!set.push(3, 0, &[1.0, 0.0, 0.0]), "wrong length is refused");
    let near = set.nearest(&[0.0, 1.0], None, 10);
    assert_eq!(
        near.iter().map(|n| (n.doc_id, n.seq)).collect::<Vec<_>>(),
        [(1, 1), (2, 0)]
    );
    let only_two = std::collections::HashSet::from([2]);
    assert_eq!(set.nearest(&[0.0, 1.0], Some(&only_two), 10)[0].doc_id, 2);
    assert_eq!(set.nearest(&[1.0, 0.0], None, 1).len(), 1);
    // A document whose rows are not together still counts once, with its best passage.
    assert!(set.push(1, 2, &[-0.6, 0.8]));
    let near = set.nearest(&[-1.0, 0.0], None, 10);
    assert_eq!(
        near.iter().map(|n| (n.doc_id, n.seq)).collect::<Vec<_>>(),
        [(1, 2), (2, 0)]
    );
    // Longer vectors than eight values (the sums run in lanes of eight plus a tail).
    let mut wide = VectorSet::new(11);
    let unit = |i: usize| -> Vec<f32> { (0..11).map(|j| f32::from(u8::from(i == j))).collect() };
    for i in 0..11 {
        wide.push(i as i64, 0, &unit(i));
    }
    for i in 0..11 {
        let near = wide.nearest(&unit(i), None, 3);
        assert_eq!((near[0].doc_id, near[0].similarity), (i as i64, 1.0));
        assert_eq!(near[1].similarity, 0.0);
    }
}

#[test]
fn query_text_for_the_model_drops_filters_and_operators() {
    assert_eq!(
        semantic_text("tag:ops \"keep copies\" in:brain back* -draft"),
        "keep copies back"
    );
}

#[test]
fn meaning_finds_documents_that_share_no_words_with_the_query() {
    let mut kb = kb();
    assert_eq!(kb.embed_pending(), 6);
    // Word search needs every word; none of these documents says it this way.
    for (query, expected) in [
        (
            "duplicate my files to another machine every night",
            "ops/backups.md",
        ),
        ("hard drive failing", "ops/disks.md"),
        ("how loud should my voice be", "studio/notes.txt"),
        ("overview of everything", "brain/index.md"),
    ] {
        assert!(kb.search(query).is_empty(), "{query}: words match");
        let found = kb.by_meaning(query);
        assert_eq!(found[0].0, expected, "{query}: {found:?}");
        assert!(found[0].1 > found[1].1, "{query}: {found:?}");
    }
}

#[test]
fn filters_apply_before_the_meaning() {
    let mut kb = kb();
    kb.embed_pending();
    let studio = kb.by_meaning("duplicate my files every night in:studio");
    assert!(!studio.is_empty());
    assert!(studio.iter().all(|(rel, _)| rel.starts_with("studio/")));
    let tagged = kb.by_meaning("tag:hardware duplicate my files every night");
    assert_eq!(
        tagged.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
        ["ops/disks.md"]
    );
}

#[test]
fn edits_and_deletes_drop_stale_passages_and_a_new_model_starts_over() {
    let mut kb = kb();
    kb.embed_pending();
    let counts = kb.reader.embedding_counts().unwrap();
    assert_eq!((counts.embedded, counts.documents), (6, 6));
    assert!(kb.reader.pending_embedding(10).unwrap().is_empty());

    // An edit makes the document pending again and takes its old passages away.
    let obs = kb.root.join("studio/obs.md");
    std::fs::write(
        &obs,
        "# OBS\n\nGuitar: standard tuning is E A D G B E, new strings monthly.\n",
    )
    .unwrap();
    let stale = kb.reader.pending_embedding(10).unwrap();
    assert!(stale.is_empty());
    kb.sync(std::slice::from_ref(&obs));
    let pending = kb.reader.pending_embedding(10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(kb.reader.embedding_counts().unwrap().embedded, 5);
    assert!(kb
        .by_meaning("streaming scenes")
        .iter()
        .all(|(r, _)| r != "studio/obs.md"));

    // Vectors made from an older version are not stored.
    let mut old = pending[0].clone();
    old.mtime_ns -= 1;
    let passages = embed_document(embedder(), &old).unwrap();
    assert!(!kb.index.store_embedding(&old, &passages).unwrap());
    assert_eq!(kb.embed_pending(), 1);
    assert_eq!(kb.top("musical instrument care"), "studio/obs.md");

    std::fs::remove_file(&obs).unwrap();
    kb.sync(std::slice::from_ref(&obs));
    let counts = kb.reader.embedding_counts().unwrap();
    assert_eq!((counts.embedded, counts.documents), (5, 5));
    let vectors = kb.reader.load_vectors(embedder().dimensions()).unwrap();
    assert_eq!(vectors.len() as u64, counts.passages);

    // Another model: every vector goes.
    assert!(kb.index.use_embedding_model("another-model/384/1").unwrap());
    assert_eq!(kb.reader.embedding_counts().unwrap().passages, 0);
    assert_eq!(kb.reader.pending_embedding(10).unwrap().len(), 5);
}

#[test]
fn a_missing_model_names_the_folder_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let Err(DocsError::Model {
        dir: named,
        message,
    }) = Embedder::load(dir.path())
    else {
        panic!("an empty folder is not a model");
    };
    assert_eq!(named, dir.path());
    assert_eq!(message, "config.json is missing");
}
