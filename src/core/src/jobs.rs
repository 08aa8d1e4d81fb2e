//! The job history table. The daemon's supervisor owns the live state; this is what survives
//! a restart, and how a run cut short by a crash is found again.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

/// One row of the `jobs` table. `state` holds the wire name of the job state.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub state: String,
    pub progress: f64,
    pub message: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

impl Store {
    /// Records a job that starts now; returns its id (unique across restarts).
    pub async fn insert_job(
        &self,
        kind: &str,
        title: &str,
        state: &str,
    ) -> Result<i64, StoreError> {
        let id = sqlx::query(
            "INSERT INTO jobs (kind, title, state, started_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(kind)
        .bind(title)
        .bind(state)
        .bind(now_ms())
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(id)
    }

    /// Stores a job's final state.
    pub async fn finish_job(
        &self,
        id: i64,
        state: &str,
        progress: f64,
        message: &str,
    ) -> Result<i64, StoreError> {
        let finished = now_ms();
        sqlx::query(
            "UPDATE jobs SET state = ?2, progress = ?3, message = ?4, finished_at = ?5 WHERE id = ?1",
        )
        .bind(id)
        .bind(state)
        .bind(progress)
        .bind(message)
        .bind(finished)
        .execute(self.pool())
        .await?;
        Ok(finished)
    }

    /// Marks every job that was still queued or running as `interrupted`: called at start-up,
    /// when no job can be running. Returns the affected records.
    pub async fn interrupt_unfinished_jobs(
        &self,
        message: &str,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let rows = sqlx::query(
            "UPDATE jobs SET state = 'interrupted', message = ?1, finished_at = ?2 \
             WHERE state IN ('queued', 'running') RETURNING *",
        )
        .bind(message)
        .bind(now_ms())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// The most recent jobs, oldest first.
    pub async fn recent_jobs(&self, limit: u32) -> Result<Vec<JobRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM (SELECT * FROM jobs ORDER BY id DESC LIMIT ?1) ORDER BY id")
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(record_from_row).collect()
    }
}

fn record_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<JobRecord, StoreError> {
    Ok(JobRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        state: row.try_get("state")?,
        progress: row.try_get("progress")?,
        message: row.try_get("message")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unfinished_jobs_become_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let done = store
            .insert_job("database-check", "Check", "running")
            .await
            .unwrap();
        store
            .finish_job(done, "succeeded", 1.0, "fine")
            .await
            .unwrap();
        let cut = store
            .insert_job("database-backup", "Backup", "running")
            .await
            .unwrap();
        assert!(cut > done);

        let hit = store
            .interrupt_unfinished_jobs("roxyd stopped")
            .await
            .unwrap();
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].id, cut);
        assert_eq!(hit[0].state, "interrupted");
        assert!(hit[0].finished_at.is_some());

        let all = store.recent_jobs(10).await.unwrap();
        assert_eq!(
            all.iter().map(|j| j.id).collect::<Vec<_>>(),
            vec![done, cut]
        );
        assert_eq!(all[0].state, "succeeded");
        assert_eq!(all[0].message, "fine");
        assert_eq!(store.recent_jobs(1).await.unwrap()[0].id, cut);
    }
}
