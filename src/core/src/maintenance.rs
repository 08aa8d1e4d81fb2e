//! Database maintenance that runs as daemon jobs: an online backup and an integrity check.
//!
//! Both use their own rusqlite connection because sqlx does not expose SQLite's backup API;
//! WAL mode lets them read while the daemon keeps writing. Both are blocking: run them on a
//! blocking thread. They stop early when `cancel` is set.

use rusqlite::{backup, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Pages copied per backup step (4 KiB pages: 1 MiB).
const BACKUP_STEP_PAGES: i32 = 256;

#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    #[error("Cancelled.")]
    Cancelled,
    #[error("The backup destination {0} already exists; Roxy never overwrites files. Choose a new file name.")]
    DestinationExists(PathBuf),
    #[error("The backup destination must be an absolute path, not `{0}`.")]
    DestinationNotAbsolute(PathBuf),
    #[error("The folder {0} does not exist.")]
    NoSuchFolder(PathBuf),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Result of a finished backup.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupReport {
    pub pages: i32,
    pub bytes: u64,
}

/// Result of a finished integrity check: one line per problem, empty when healthy.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub objects_checked: usize,
    pub problems: Vec<String>,
}

/// Checks a backup destination before any job starts, so bad input is an immediate error.
pub fn validate_backup_destination(dest: &Path) -> Result<(), MaintenanceError> {
    if !dest.is_absolute() {
        return Err(MaintenanceError::DestinationNotAbsolute(dest.to_owned()));
    }
    if dest.exists() {
        return Err(MaintenanceError::DestinationExists(dest.to_owned()));
    }
    match dest.parent() {
        Some(parent) if parent.is_dir() => Ok(()),
        Some(parent) => Err(MaintenanceError::NoSuchFolder(parent.to_owned())),
        None => Err(MaintenanceError::DestinationNotAbsolute(dest.to_owned())),
    }
}

/// Copies the live database at `source` to the new file `dest` with SQLite's online backup,
/// reporting the fraction done. A cancelled or failed backup removes its partial file.
pub fn backup(
    source: &Path,
    dest: &Path,
    cancel: &AtomicBool,
    mut progress: impl FnMut(f64),
) -> Result<BackupReport, MaintenanceError> {
    validate_backup_destination(dest)?;
    let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let result = (|| {
        let mut dst = Connection::open_with_flags(
            dest,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        let pages = {
            let job = backup::Backup::new(&src, &mut dst)?;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Err(MaintenanceError::Cancelled);
                }
                match job.step(BACKUP_STEP_PAGES)? {
                    backup::StepResult::Done => break job.progress().pagecount,
                    backup::StepResult::More => {
                        let p = job.progress();
                        if p.pagecount > 0 {
                            progress(f64::from(p.pagecount - p.remaining) / f64::from(p.pagecount));
                        }
                    }
                    // Another connection holds a lock: yield briefly and retry.
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        };
        dst.close().map_err(|(_, e)| e)?;
        Ok(pages)
    })();
    match result {
        Ok(pages) => {
            progress(1.0);
            let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
            Ok(BackupReport { pages, bytes })
        }
        Err(e) => {
            // Only the file this function created: validate_backup_destination proved it new.
            let _ = std::fs::remove_file(dest);
            Err(e)
        }
    }
}

/// Runs `PRAGMA integrity_check` table by table (each with its indexes) so progress can be
/// reported and a cancel takes effect inside a large table.
pub fn integrity_check(
    database: &Path,
    cancel: &Arc<AtomicBool>,
    mut progress: impl FnMut(f64, &str),
) -> Result<CheckReport, MaintenanceError> {
    let conn = Connection::open_with_flags(database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let interrupt = cancel.clone();
    conn.progress_handler(1_000, Some(move || interrupt.load(Ordering::Relaxed)));
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut problems = Vec::new();
    for (done, table) in tables.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(MaintenanceError::Cancelled);
        }
        progress(done as f64 / tables.len() as f64, table);
        let sql = format!("PRAGMA integrity_check(\"{}\")", table.replace('"', "\"\""));
        let mut stmt = conn
            .prepare(&sql)
            .map_err(|e| interrupted_as_cancel(e, cancel))?;
        let lines = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| interrupted_as_cancel(e, cancel))?;
        problems.extend(lines.into_iter().filter(|l| l != "ok"));
    }
    progress(1.0, "");
    Ok(CheckReport {
        objects_checked: tables.len(),
        problems,
    })
}

fn interrupted_as_cancel(e: rusqlite::Error, cancel: &AtomicBool) -> MaintenanceError {
    if cancel.load(Ordering::Relaxed) {
        MaintenanceError::Cancelled
    } else {
        e.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    async fn store_with_rows(rows: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query("CREATE TABLE filler (x BLOB)")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query(
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?1) \
             INSERT INTO filler SELECT randomblob(2000) FROM c",
        )
        .bind(rows as i64)
        .execute(store.pool())
        .await
        .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn backup_copies_everything_and_reports_progress() {
        let (dir, store) = store_with_rows(2000).await;
        let dest = dir.path().join("copy.db");
        let mut seen = Vec::new();
        let report = backup(store.path(), &dest, &AtomicBool::new(false), |p| {
            seen.push(p)
        })
        .unwrap();
        assert!(report.pages > BACKUP_STEP_PAGES, "{report:?}");
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "progress goes forward: {seen:?}"
        );
        assert_eq!(seen.last(), Some(&1.0));
        let copy = Connection::open(&dest).unwrap();
        let n: i64 = copy
            .query_row("SELECT count(*) FROM filler", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2000);
    }

    #[tokio::test]
    async fn backup_refuses_to_overwrite_and_cleans_up_when_cancelled() {
        let (dir, store) = store_with_rows(2000).await;
        let existing = dir.path().join("precious.db");
        std::fs::write(&existing, b"keep me").unwrap();
        let err = backup(store.path(), &existing, &AtomicBool::new(false), |_| {}).unwrap_err();
        assert!(matches!(err, MaintenanceError::DestinationExists(_)));
        assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");

        let dest = dir.path().join("partial.db");
        let cancel = AtomicBool::new(false);
        let err = backup(store.path(), &dest, &cancel, |_| {
            cancel.store(true, Ordering::Relaxed)
        })
        .unwrap_err();
        assert!(matches!(err, MaintenanceError::Cancelled));
        assert!(!dest.exists(), "partial backup must be removed");

        let err = backup(store.path(), Path::new("relative.db"), &cancel, |_| {}).unwrap_err();
        assert!(matches!(err, MaintenanceError::DestinationNotAbsolute(_)));
    }

    #[tokio::test]
    async fn integrity_check_passes_a_healthy_database_and_can_be_cancelled() {
        let (_dir, store) = store_with_rows(500).await;
        let report =
            integrity_check(store.path(), &Arc::new(AtomicBool::new(false)), |_, _| {}).unwrap();
        assert!(report.problems.is_empty(), "{report:?}");
        assert!(report.objects_checked >= 3, "{report:?}"); // jobs, filler, migrations

        let cancel = Arc::new(AtomicBool::new(true));
        let err = integrity_check(store.path(), &cancel, |_, _| {}).unwrap_err();
        assert!(matches!(err, MaintenanceError::Cancelled), "{err:?}");
    }
}
