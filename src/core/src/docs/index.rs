//! The index file: documents and their FTS5 rows. [`DocIndex`] writes (one per daemon),
//! [`Reader`]s search while it writes (WAL).

use super::parse::{parse_document, Parsed};
use super::reader::Reader;
use super::scan::{classify, read_text, skipped_dir, Format, Skip};
use super::{folder_token, tag_token, DocsError, SkippedFile};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, UNIX_EPOCH};

pub const INDEX_FILE: &str = "docs-index.db";
/// Bump when the schema or what is indexed changes: older files are rebuilt.
const SCHEMA_VERSION: i32 = 2;
/// Documents written per transaction during a full sync (readers see progress).
const BATCH: usize = 256;

const SCHEMA: &str = "
CREATE TABLE docs (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    root TEXT NOT NULL,
    rel TEXT NOT NULL,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    titled INTEGER NOT NULL,
    runbook INTEGER NOT NULL,
    -- Its passages are embedded for semantic search (reset by every change).
    embedded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE chunks (
    doc_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    excerpt TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE skipped (
    path TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
CREATE VIRTUAL TABLE docs_fts USING fts5(
    title, tags, body, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO docs_fts(docs_fts, rank) VALUES('rank', 'bm25(10.0, 5.0, 1.0, 0.0)');
";

/// What a sync changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files left out in this sync (new or changed since they were last seen).
    pub skipped: Vec<SkippedFile>,
}

impl SyncReport {
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

pub struct DocIndex {
    pub(super) conn: Connection,
    path: PathBuf,
}

/// A file found on disk: where, which chosen folder, how big, when changed.
struct Candidate {
    path: PathBuf,
    root: PathBuf,
    format: Format,
    size: u64,
    mtime_ns: i64,
}

/// A candidate after reading.
struct Item {
    candidate: Candidate,
    parsed: Result<Parsed, Skip>,
}

impl DocIndex {
    /// Opens the index at `path`, creating it if needed. A damaged file, or one written by
    /// another version, is deleted and replaced by an empty index: the second value is then
    /// true and the caller should run a full sync.
    pub fn open(path: &Path) -> Result<(Self, bool), DocsError> {
        let mut rebuilt = false;
        if path.exists() {
            if let Err(reason) = check(path) {
                tracing::warn!(index = %path.display(), "docs index is unusable ({reason}); rebuilding it");
                remove_files(path)?;
                rebuilt = true;
            }
        }
        let conn = Connection::open(path)?;
        configure(&conn)?;
        let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        Ok((
            Self {
                conn,
                path: path.to_owned(),
            },
            rebuilt,
        ))
    }

    /// Throws the index away and starts an empty one (after corruption was found in use).
    pub fn reset(self) -> Result<Self, DocsError> {
        let path = self.path.clone();
        drop(self.conn);
        remove_files(&path)?;
        Ok(Self::open(&path)?.0)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second connection for searching while this one writes.
    pub fn reader(&self) -> Result<Reader, DocsError> {
        Reader::open(&self.path)
    }

    /// Brings the index in line with the files under `roots`: new and changed files are read,
    /// missing ones removed, documents of folders no longer chosen dropped. `progress` gets
    /// (done, total) for the files that need reading.
    pub fn sync_all(
        &mut self,
        roots: &[PathBuf],
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<SyncReport, DocsError> {
        let known = self.known()?;
        let mut seen: HashMap<PathBuf, ()> = HashMap::new();
        let mut todo = Vec::new();
        let mut report = SyncReport::default();
        for root in roots {
            for candidate in walk(root, root) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(DocsError::Cancelled);
                }
                seen.insert(candidate.path.clone(), ());
                match known.get(&candidate.path) {
                    Some(k) if k.same(&candidate) => report.unchanged += 1,
                    _ => todo.push(candidate),
                }
            }
        }
        let gone: Vec<&PathBuf> = known.keys().filter(|p| !seen.contains_key(*p)).collect();
        let tx = self.conn.transaction()?;
        for path in gone {
            report.removed += delete_path(&tx, path)?;
        }
        tx.commit()?;
        self.write(todo, &known, &mut report, progress, cancel)?;
        Ok(report)
    }

    /// Re-reads what changed at `paths` (files or folders, existing or gone), as reported
    /// by a file watcher.
    pub fn sync_paths(
        &mut self,
        roots: &[PathBuf],
        paths: &[PathBuf],
    ) -> Result<SyncReport, DocsError> {
        let known = self.known_at(paths)?;
        let mut report = SyncReport::default();
        let mut todo = Vec::new();
        let tx = self.conn.transaction()?;
        for path in paths {
            let Some(root) = root_of(roots, path) else {
                continue;
            };
            let meta = std::fs::symlink_metadata(path);
            if meta.as_ref().is_ok_and(|m| m.is_dir()) {
                // A folder moved in or renamed: read what is in it, forget what is not.
                let found: Vec<Candidate> = walk(root, path).collect();
                let prefix = format!("{}/", path.display());
                for old in known
                    .keys()
                    .filter(|k| k.to_string_lossy().starts_with(&prefix))
                {
                    if !found.iter().any(|c| &c.path == old) {
                        report.removed += delete_path(&tx, old)?;
                    }
                }
                todo.extend(found);
            } else if meta.as_ref().is_ok_and(|m| m.is_file()) {
                match candidate(root, path, meta.as_ref().ok()) {
                    Some(c) => todo.push(c),
                    None => continue,
                }
            } else {
                report.removed += delete_path(&tx, path)?;
                report.removed += delete_under(&tx, path)?;
            }
        }
        tx.commit()?;
        todo.retain(|c| {
            let same = known.get(&c.path).is_some_and(|k| k.same(c));
            report.unchanged += usize::from(same);
            !same
        });
        self.write(
            todo,
            &known,
            &mut report,
            &mut |_, _| {},
            &AtomicBool::new(false),
        )?;
        Ok(report)
    }

    /// Reads the candidates on a second thread while this one writes, in batches.
    fn write(
        &mut self,
        todo: Vec<Candidate>,
        known: &HashMap<PathBuf, Known>,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(usize, usize),
        cancel: &AtomicBool,
    ) -> Result<(), DocsError> {
        let total = todo.len();
        if total == 0 {
            return Ok(());
        }
        progress(0, total);
        let (send, receive) = std::sync::mpsc::sync_channel::<Item>(BATCH);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for candidate in todo {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let parsed = read_text(&candidate.path)
                        .map(|text| parse_document(&candidate.path, candidate.format, &text));
                    if send.send(Item { candidate, parsed }).is_err() {
                        break;
                    }
                }
            });
            let mut done = 0;
            let mut items = receive.iter().peekable();
            while items.peek().is_some() {
                let tx = self.conn.transaction()?;
                for item in items.by_ref().take(BATCH) {
                    let was_known = known.get(&item.candidate.path);
                    match item.parsed {
                        Ok(parsed) => {
                            let existed = was_known.is_some_and(|k| k.indexed);
                            upsert(&tx, &item.candidate, &parsed, existed)?;
                            if existed {
                                report.updated += 1;
                            } else {
                                report.added += 1;
                            }
                        }
                        Err(skip) => {
                            if was_known.is_some_and(|k| k.indexed) {
                                report.removed += delete_path(&tx, &item.candidate.path)?;
                            }
                            record_skip(&tx, &item.candidate, &skip)?;
                            report.skipped.push(SkippedFile {
                                path: item.candidate.path.clone(),
                                reason: skip.to_string(),
                            });
                        }
                    }
                    done += 1;
                }
                tx.commit()?;
                progress(done, total);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(DocsError::Cancelled);
            }
            Ok(())
        })
    }

    /// Every path the index knows, indexed or skipped, with what it looked like.
    fn known(&self) -> Result<HashMap<PathBuf, Known>, DocsError> {
        let mut known = HashMap::new();
        self.read_known("", [], &mut known)?;
        Ok(known)
    }

    /// What the index knows at `paths` and below them (a live update touches a few paths:
    /// reading all 10 000 rows for each would be most of its cost).
    fn known_at(&self, paths: &[PathBuf]) -> Result<HashMap<PathBuf, Known>, DocsError> {
        let mut known = HashMap::new();
        for path in paths {
            let path = path.to_string_lossy();
            // Everything below `dir/` sorts between `dir/` and `dir0` ('0' follows '/').
            let (below, after) = (format!("{path}/"), format!("{path}0"));
            self.read_known(
                "WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
                [path.as_ref(), below.as_str(), after.as_str()],
                &mut known,
            )?;
        }
        Ok(known)
    }

    fn read_known<P: rusqlite::Params + Clone>(
        &self,
        filter: &str,
        params: P,
        known: &mut HashMap<PathBuf, Known>,
    ) -> Result<(), DocsError> {
        for (columns, table, indexed) in [
            ("path, size, mtime_ns, root", "docs", true),
            ("path, size, mtime_ns, ''", "skipped", false),
        ] {
            let sql = format!("SELECT {columns} FROM {table} {filter}");
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params.clone(), |r| {
                Ok((
                    PathBuf::from(r.get::<_, String>(0)?),
                    Known {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        root: r.get(3)?,
                        indexed,
                    },
                ))
            })?;
            for row in rows {
                let (path, k) = row?;
                known.insert(path, k);
            }
        }
        Ok(())
    }
}

struct Known {
    size: u64,
    mtime_ns: i64,
    /// The chosen folder it was indexed under (empty for skipped files).
    root: String,
    indexed: bool,
}

impl Known {
    /// Nothing to read again: same size and time, and (when indexed) under the same
    /// chosen folder, since folders may be added inside or around each other.
    fn same(&self, c: &Candidate) -> bool {
        self.size == c.size
            && self.mtime_ns == c.mtime_ns
            && (!self.indexed || Path::new(&self.root) == c.root)
    }
}

fn configure(conn: &Connection) -> Result<(), DocsError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Derived data: after a crash the worst case is a damaged index, which is rebuilt.
    conn.pragma_update(None, "synchronous", "OFF")?;
    Ok(())
}

/// Why the file at `path` cannot be used as the index, if so.
fn check(path: &Path) -> Result<(), String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| e.to_string())?;
    let version: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if version != SCHEMA_VERSION {
        return Err(format!(
            "schema version {version}, expected {SCHEMA_VERSION}"
        ));
    }
    let verdict: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if verdict != "ok" {
        return Err(verdict);
    }
    conn.execute(
        "INSERT INTO docs_fts(docs_fts) VALUES('integrity-check')",
        [],
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

fn remove_files(path: &Path) -> Result<(), DocsError> {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(DocsError::Io { path: file, source }),
        }
    }
    Ok(())
}

/// True when `path` is not in any chosen folder, or lies in a hidden or build folder
/// there: file-watcher events for it are ignored.
pub fn ignored(roots: &[PathBuf], path: &Path) -> bool {
    let Some(root) = root_of(roots, path) else {
        return true;
    };
    path.strip_prefix(root).map_or(true, |rel| {
        rel.components()
            .any(|c| skipped_dir(&c.as_os_str().to_string_lossy()))
    })
}

/// The chosen folder `path` lives in (the deepest, when folders nest).
pub(super) fn root_of<'a>(roots: &'a [PathBuf], path: &Path) -> Option<&'a PathBuf> {
    roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.as_os_str().len())
}

/// Indexable files under `dir` (inside `root`), skipping hidden and build folders.
fn walk<'a>(root: &'a Path, dir: &Path) -> impl Iterator<Item = Candidate> + 'a {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !skipped_dir(&e.file_name().to_string_lossy())
        })
        .filter_map(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    tracing::debug!("docs walk: {e}");
                    return None;
                }
            };
            if !entry.file_type().is_file() {
                return None;
            }
            candidate(root, entry.path(), entry.metadata().ok().as_ref())
        })
}

fn candidate(root: &Path, path: &Path, meta: Option<&std::fs::Metadata>) -> Option<Candidate> {
    let format = classify(path)?;
    if path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    {
        return None;
    }
    let meta = meta?;
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    Some(Candidate {
        path: path.to_owned(),
        root: root.to_owned(),
        format,
        size: meta.len(),
        mtime_ns,
    })
}

fn upsert(tx: &Connection, c: &Candidate, parsed: &Parsed, existed: bool) -> Result<(), DocsError> {
    let path = c.path.to_string_lossy();
    let rel = c
        .path
        .strip_prefix(&c.root)
        .unwrap_or(&c.path)
        .to_string_lossy()
        .into_owned();
    let id: i64 = tx.query_row(
        "INSERT INTO docs (path, root, rel, title, tags, size, mtime_ns, titled, runbook)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (path) DO UPDATE SET root = excluded.root, rel = excluded.rel,
           title = excluded.title, tags = excluded.tags, size = excluded.size,
           mtime_ns = excluded.mtime_ns, titled = excluded.titled, runbook = excluded.runbook,
           embedded = 0
         RETURNING id",
        params![
            path,
            c.root.to_string_lossy(),
            rel,
            parsed.title,
            parsed.tags.join("\n"),
            c.size as i64,
            c.mtime_ns,
            parsed.titled,
            parsed.runbook
        ],
        |r| r.get(0),
    )?;
    if existed {
        tx.execute("DELETE FROM docs_fts WHERE rowid = ?1", [id])?;
        tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [id])?;
    }
    tx.execute(
        "INSERT INTO docs_fts (rowid, title, tags, body, facets) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            parsed.title,
            parsed.tags.join(" "),
            parsed.text,
            facets(&c.root, &c.path, &parsed.tags)
        ],
    )?;
    tx.execute("DELETE FROM skipped WHERE path = ?1", [path])?;
    Ok(())
}

/// Folder and tag filters as tokens: one per folder from the chosen folder down to the
/// file's own, one per tag.
fn facets(root: &Path, path: &Path, tags: &[String]) -> String {
    let mut tokens: Vec<String> = path
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(root))
        .map(folder_token)
        .collect();
    tokens.extend(tags.iter().map(|t| tag_token(t)));
    tokens.join(" ")
}

fn record_skip(tx: &Connection, c: &Candidate, skip: &Skip) -> Result<(), DocsError> {
    tracing::warn!(file = %c.path.display(), "docs: not indexed: {skip}");
    tx.execute(
        "INSERT INTO skipped (path, reason, size, mtime_ns) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, size = excluded.size,
           mtime_ns = excluded.mtime_ns",
        params![
            c.path.to_string_lossy(),
            skip.to_string(),
            c.size as i64,
            c.mtime_ns
        ],
    )?;
    Ok(())
}

/// Forgets one path; returns 1 when it was an indexed document.
fn delete_path(tx: &Connection, path: &Path) -> Result<usize, DocsError> {
    let path = path.to_string_lossy();
    tx.execute("DELETE FROM skipped WHERE path = ?1", [&path])?;
    let id: Option<i64> = tx
        .query_row(
            "DELETE FROM docs WHERE path = ?1 RETURNING id",
            [&path],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        tx.execute("DELETE FROM docs_fts WHERE rowid = ?1", [id])?;
        tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [id])?;
    }
    Ok(usize::from(id.is_some()))
}

/// Forgets everything below folder `dir`.
fn delete_under(tx: &Connection, dir: &Path) -> Result<usize, DocsError> {
    let pattern = format!("{}/%", like_escape(&dir.to_string_lossy()));
    tx.execute(
        "DELETE FROM skipped WHERE path LIKE ?1 ESCAPE '\\'",
        [&pattern],
    )?;
    for table in ["docs_fts WHERE rowid", "chunks WHERE doc_id"] {
        tx.execute(
            &format!("DELETE FROM {table} IN (SELECT id FROM docs WHERE path LIKE ?1 ESCAPE '\\')"),
            [&pattern],
        )?;
    }
    Ok(tx.execute(
        "DELETE FROM docs WHERE path LIKE ?1 ESCAPE '\\'",
        [&pattern],
    )?)
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
