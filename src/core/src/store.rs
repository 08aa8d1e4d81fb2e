//! The daemon's one SQLite database: `<data dir>/roxy.db`, WAL mode, migrations embedded.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DATABASE_FILE: &str = "roxy.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The data folder {path} cannot be used: {source}. Choose another folder with --data-dir or fix its permissions.")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The database {path} is damaged or is not a Roxy database ({detail}). Roxy will not touch it: move it away or restore a backup, then start roxyd again.")]
    Corrupt { path: PathBuf, detail: String },
    #[error("The database {path} could not be upgraded: {source}")]
    Migration {
        path: PathBuf,
        source: sqlx::migrate::MigrateError,
    },
    #[error("Database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Handle to the open database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`. A file that is not a healthy
    /// SQLite database is refused and left exactly as it was.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        ensure_writable_dir(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        if path.exists() {
            check_header(&path)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| classify_open_error(&path, e))?;
        let verdict: String = sqlx::query("PRAGMA quick_check")
            .fetch_one(&pool)
            .await
            .map_err(|e| classify_open_error(&path, e))?
            .try_get(0)?;
        if verdict != "ok" {
            pool.close().await;
            return Err(StoreError::Corrupt {
                path,
                detail: verdict,
            });
        }
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migration {
                path: path.clone(),
                source,
            })?;
        Ok(Self { pool, path })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size of the database file plus its WAL, in bytes.
    pub fn size_bytes(&self) -> u64 {
        let wal = self.path.with_extension("db-wal");
        [&self.path, &wal]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Folds the WAL back into the database file, then closes every connection, so a clean
    /// stop leaves one self-contained file.
    pub async fn close(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!("could not checkpoint the database: {e}");
        }
        self.pool.close().await;
    }
}

fn ensure_writable_dir(dir: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::DataDir {
        path: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    // Creating a file is the only reliable test (read-only mounts, ACLs, root-owned folders).
    let probe = dir.join(".roxy-write-probe");
    std::fs::write(&probe, b"").map_err(err)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// SQLite files start with a fixed 16-byte magic string. Checking it before SQLite opens the
/// file means a foreign file is reported, not "repaired".
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::DataDir {
        path: path.to_owned(),
        source,
    })?;
    let read = file.read(&mut header).unwrap_or(0);
    if read == 0 {
        return Ok(()); // An empty file is what a crash during creation leaves; SQLite initialises it.
    }
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            detail: "the file does not start with the SQLite header".into(),
        });
    }
    Ok(())
}

fn classify_open_error(path: &Path, e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26).
        if matches!(db.code().as_deref(), Some("11") | Some("26")) {
            return StoreError::Corrupt {
                path: path.to_owned(),
                detail: db.message().to_owned(),
            };
        }
    }
    StoreError::Sql(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_database_in_wal_mode_with_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let tables: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'jobs'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(tables, 1);
        store.close().await;
        // Opening again is a no-op migration.
        Store::open(dir.path()).await.unwrap().close().await;
    }

    #[tokio::test]
    async fn refuses_a_foreign_file_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DATABASE_FILE);
        let garbage = b"this is my thesis, not a database\n".repeat(200);
        std::fs::write(&db, &garbage).unwrap();
        let err = Store::open(dir.path()).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("will not touch it"));
        assert_eq!(std::fs::read(&db).unwrap(), garbage);
        assert!(!dir.path().join("roxy.db-wal").exists());
    }

    #[tokio::test]
    async fn refuses_a_damaged_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query("CREATE TABLE filler (x BLOB)")
            .execute(store.pool())
            .await
            .unwrap();
        for _ in 0..50 {
            sqlx::query("INSERT INTO filler VALUES (randomblob(3000))")
                .execute(store.pool())
                .await
                .unwrap();
        }
        store.close().await;
        let db = dir.path().join(DATABASE_FILE);
        let mut bytes = std::fs::read(&db).unwrap();
        assert!(
            bytes.len() > 4096 * 3,
            "close() checkpointed the WAL into the file"
        );
        // Overwrite page 2 onwards (the schema's b-tree pages) but keep the header intact.
        for b in &mut bytes[4096..4096 * 3] {
            *b = 0xA5;
        }
        std::fs::write(&db, &bytes).unwrap();
        let err = Store::open(dir.path()).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "file must not change");
    }

    #[tokio::test]
    async fn reports_an_unwritable_data_dir() {
        let err = Store::open(Path::new("/proc/roxy-cannot-exist"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::DataDir { .. }), "{err:?}");
        assert!(err.to_string().contains("/proc/roxy-cannot-exist"));
    }
}
