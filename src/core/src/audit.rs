//! The append-only audit log: who did what to what, with what result.

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// `cli`, `gui`, `schedule`, `trigger`, `voice`, `daemon` — with detail such as the pid.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
}

impl Store {
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        result: &str,
        detail: &str,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(now_ms())
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(result)
        .bind(detail)
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    /// The newest `limit` entries whose fields contain `text` (all when empty), oldest first.
    pub async fn audit_search(
        &self,
        text: &str,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM audit_log \
             WHERE ?1 = '' OR actor LIKE ?2 ESCAPE '\\' OR action LIKE ?2 ESCAPE '\\' \
                OR target LIKE ?2 ESCAPE '\\' OR result LIKE ?2 ESCAPE '\\' OR detail LIKE ?2 ESCAPE '\\' \
             ORDER BY id DESC LIMIT ?3) ORDER BY id",
        )
        .bind(text)
        .bind(pattern)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    result: r.try_get("result")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_appended_searched_and_never_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store
            .audit("cli (pid 7)", "runbook.run", "startup", "started", "run 1")
            .await
            .unwrap();
        store
            .audit("schedule", "runbook.run", "backup", "failed", "100%_done")
            .await
            .unwrap();
        assert_eq!(store.audit_search("", 10).await.unwrap().len(), 2);
        let hits = store.audit_search("schedule", 10).await.unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].target, "backup");
        // LIKE wildcards in the search text are literal.
        assert_eq!(store.audit_search("%_d", 10).await.unwrap().len(), 1);
        assert_eq!(store.audit_search("0%_", 10).await.unwrap().len(), 1);

        let update = sqlx::query("UPDATE audit_log SET result = 'ok'")
            .execute(store.pool())
            .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM audit_log")
            .execute(store.pool())
            .await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(store.audit_search("", 10).await.unwrap().len(), 2);
    }
}
