//! Runbook runs and their steps, as stored. Each change is written when it happens, so a run
//! cut short by a crash can be found, marked `interrupted` and resumed.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

/// Run states: awaiting_approval, running, succeeded, failed, cancelled, interrupted,
/// rolled_back.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub id: i64,
    pub runbook_id: String,
    pub runbook_name: String,
    pub state: String,
    pub actor: String,
    pub job_id: Option<i64>,
    /// `name=value` lines.
    pub vars: String,
    /// Step ids to skip, comma separated.
    pub skip: String,
    pub approved_by: Option<String>,
    pub message: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

/// Step states: pending, running, waiting_approval, ok, failed, skipped, cancelled,
/// interrupted, rolled_back.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub run_id: i64,
    pub idx: i64,
    pub step_id: String,
    pub name: String,
    pub state: String,
    pub attempts: i64,
    pub exit_code: Option<i64>,
    pub output: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// What a new run starts with.
#[derive(Debug, Clone, Copy)]
pub struct NewRun<'a> {
    pub runbook_id: &'a str,
    pub runbook_name: &'a str,
    pub state: &'a str,
    pub actor: &'a str,
    pub vars: &'a str,
    pub skip: &'a str,
    /// (step id, step name) in order.
    pub steps: &'a [(String, String)],
}

impl Store {
    /// Records a new run and its steps (all pending).
    pub async fn create_run(&self, run: NewRun<'_>) -> Result<i64, StoreError> {
        let NewRun {
            runbook_id,
            runbook_name,
            state,
            actor,
            vars,
            skip,
            steps,
        } = run;
        let mut tx = self.pool().begin().await?;
        let id = sqlx::query(
            "INSERT INTO runbook_runs (runbook_id, runbook_name, state, actor, vars, skip, started_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(runbook_id)
        .bind(runbook_name)
        .bind(state)
        .bind(actor)
        .bind(vars)
        .bind(skip)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        for (idx, (step_id, name)) in steps.iter().enumerate() {
            sqlx::query(
                "INSERT INTO runbook_run_steps (run_id, idx, step_id, name, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
            )
            .bind(id)
            .bind(idx as i64)
            .bind(step_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_run_job(&self, run_id: i64, job_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE runbook_runs SET job_id = ?2 WHERE id = ?1")
            .bind(run_id)
            .bind(job_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_run_state(
        &self,
        run_id: i64,
        state: &str,
        message: &str,
        finished: bool,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runbook_runs SET state = ?2, message = ?3, \
             finished_at = CASE WHEN ?4 THEN ?5 ELSE NULL END WHERE id = ?1",
        )
        .bind(run_id)
        .bind(state)
        .bind(message)
        .bind(finished)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_run_approved(&self, run_id: i64, by: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE runbook_runs SET approved_by = ?2 WHERE id = ?1")
            .bind(run_id)
            .bind(by)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_run_skip(&self, run_id: i64, skip: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE runbook_runs SET skip = ?2 WHERE id = ?1")
            .bind(run_id)
            .bind(skip)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Writes one step's state and returns the row as stored; `started` stamps the start
    /// time, `finished` the end.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_step(
        &self,
        run_id: i64,
        idx: i64,
        state: &str,
        attempts: i64,
        exit_code: Option<i64>,
        output: &str,
        started: bool,
        finished: bool,
    ) -> Result<Option<StepRecord>, StoreError> {
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE runbook_run_steps SET state = ?3, attempts = ?4, exit_code = ?5, output = ?6, \
             started_at = CASE WHEN ?7 THEN ?9 ELSE started_at END, \
             finished_at = CASE WHEN ?8 THEN ?9 ELSE NULL END \
             WHERE run_id = ?1 AND idx = ?2 RETURNING *",
        )
        .bind(run_id)
        .bind(idx)
        .bind(state)
        .bind(attempts)
        .bind(exit_code)
        .bind(output)
        .bind(started)
        .bind(finished)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(step_from_row).transpose()
    }

    pub async fn run(&self, run_id: i64) -> Result<Option<RunRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM runbook_runs WHERE id = ?1")
            .bind(run_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Newest first; all runbooks when `runbook_id` is empty.
    pub async fn runs(&self, runbook_id: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM runbook_runs WHERE ?1 = '' OR runbook_id = ?1 ORDER BY id DESC LIMIT ?2",
        )
        .bind(runbook_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    pub async fn run_steps(&self, run_id: i64) -> Result<Vec<StepRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM runbook_run_steps WHERE run_id = ?1 ORDER BY idx")
            .bind(run_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(step_from_row).collect()
    }

    /// At start-up: runs (and their running steps) that a stop cut short become `interrupted`.
    pub async fn interrupt_unfinished_runs(&self, message: &str) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE runbook_runs SET state = 'interrupted', message = ?1, finished_at = ?2 \
             WHERE state = 'running' RETURNING id",
        )
        .bind(message)
        .bind(now_ms())
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE runbook_run_steps SET state = 'interrupted' \
             WHERE state IN ('running', 'waiting_approval') \
             AND run_id IN (SELECT id FROM runbook_runs WHERE state = 'interrupted')",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ids)
    }
}

fn step_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<StepRecord, StoreError> {
    Ok(StepRecord {
        run_id: r.try_get("run_id")?,
        idx: r.try_get("idx")?,
        step_id: r.try_get("step_id")?,
        name: r.try_get("name")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        exit_code: r.try_get("exit_code")?,
        output: r.try_get("output")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

fn run_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<RunRecord, StoreError> {
    Ok(RunRecord {
        id: r.try_get("id")?,
        runbook_id: r.try_get("runbook_id")?,
        runbook_name: r.try_get("runbook_name")?,
        state: r.try_get("state")?,
        actor: r.try_get("actor")?,
        job_id: r.try_get("job_id")?,
        vars: r.try_get("vars")?,
        skip: r.try_get("skip")?,
        approved_by: r.try_get("approved_by")?,
        message: r.try_get("message")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_cut_short_is_interrupted_with_its_running_step() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let steps = vec![
            ("a".to_string(), "A".to_string()),
            ("b".to_string(), "B".to_string()),
        ];
        let new = |state| NewRun {
            runbook_id: "rb",
            runbook_name: "Runbook",
            state,
            actor: "cli",
            vars: "",
            skip: "",
            steps: &steps,
        };
        let run = store.create_run(new("running")).await.unwrap();
        store
            .update_step(run, 0, "ok", 1, Some(0), "fine", true, true)
            .await
            .unwrap();
        store
            .update_step(run, 1, "running", 1, None, "", true, false)
            .await
            .unwrap();
        let done = store.create_run(new("succeeded")).await.unwrap();

        assert_eq!(
            store
                .interrupt_unfinished_runs("roxyd stopped")
                .await
                .unwrap(),
            vec![run]
        );
        let record = store.run(run).await.unwrap().unwrap();
        assert_eq!(record.state, "interrupted");
        let rows = store.run_steps(run).await.unwrap();
        assert_eq!(rows[0].state, "ok");
        assert_eq!(rows[0].output, "fine");
        assert!(rows[0].finished_at.is_some());
        assert_eq!(rows[1].state, "interrupted");
        assert_eq!(store.run(done).await.unwrap().unwrap().state, "succeeded");
        assert_eq!(store.runs("rb", 10).await.unwrap().len(), 2);
        assert_eq!(store.runs("other", 10).await.unwrap().len(), 0);
    }
}
