//! Alert rules and alerts in the database.

use super::{Alert, Condition, Rule, Severity};
use crate::store::{Store, StoreError};
use sqlx::Row;
use std::time::Duration;

/// Set once the default rules were written, so a rule the person deleted stays deleted.
const SEEDED_KEY: &str = "alerts.defaults_seeded";

impl Store {
    /// Every rule, by name; the defaults are written on first use.
    pub async fn alert_rules(&self) -> Result<Vec<Rule>, StoreError> {
        if self.setting(SEEDED_KEY).await?.is_none() {
            for rule in super::default_rules() {
                self.save_alert_rule(&rule).await?;
            }
            self.set_setting(SEEDED_KEY, "1").await?;
        }
        let rows = sqlx::query(
            "SELECT name, condition, for_ms, severity, enabled FROM alert_rules ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let condition: String = row.get("condition");
                let severity: String = row.get("severity");
                Some(Rule {
                    name: row.get("name"),
                    // Rows are validated on the way in; a row that no longer parses is skipped.
                    condition: Condition::parse(&condition).ok()?,
                    hold: Duration::from_millis(row.get::<i64, _>("for_ms").max(0) as u64),
                    severity: Severity::parse(&severity)?,
                    enabled: row.get::<i64, _>("enabled") != 0,
                })
            })
            .collect())
    }

    /// Adds the rule or replaces the one with its name.
    pub async fn save_alert_rule(&self, rule: &Rule) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO alert_rules (name, condition, for_ms, severity, enabled) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name) DO UPDATE SET condition = ?2, for_ms = ?3, severity = ?4, enabled = ?5",
        )
        .bind(&rule.name)
        .bind(rule.condition.to_string())
        .bind(rule.hold.as_millis() as i64)
        .bind(rule.severity.id())
        .bind(rule.enabled)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn remove_alert_rule(&self, name: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("DELETE FROM alert_rules WHERE name = ?1")
            .bind(name)
            .execute(self.pool())
            .await?
            .rows_affected()
            > 0)
    }

    /// Records a new open alert; returns its id.
    pub async fn open_alert(
        &self,
        rule: &str,
        subject: &str,
        severity: Severity,
        message: &str,
        value: f64,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO alerts (rule, subject, severity, message, value, fired_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(rule)
        .bind(subject)
        .bind(severity.id())
        .bind(message)
        .bind(if value.is_finite() { value } else { 0.0 })
        .bind(at_ms)
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    /// Resolves the open alert of `rule` about `subject`; its id, if there was one.
    pub async fn resolve_alert(
        &self,
        rule: &str,
        subject: &str,
        at_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "UPDATE alerts SET resolved_at = ?3 WHERE resolved_at IS NULL AND rule = ?1 AND subject = ?2 RETURNING id",
        )
        .bind(rule)
        .bind(subject)
        .bind(at_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.get("id")))
    }

    /// Open alerts first (newest first), then up to `limit` resolved ones, newest first.
    pub async fn alerts(
        &self,
        include_resolved: bool,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, rule, subject, severity, message, value, fired_at, resolved_at FROM alerts
             WHERE resolved_at IS NULL OR ?1
             ORDER BY resolved_at IS NOT NULL, fired_at DESC LIMIT ?2",
        )
        .bind(include_resolved)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(alert_from_row).collect())
    }

    /// The mean time from firing to resolving, over alerts resolved since `since_ms`, and how
    /// many there were.
    pub async fn alert_mttr(&self, since_ms: i64) -> Result<(Option<Duration>, u32), StoreError> {
        let row = sqlx::query(
            "SELECT AVG(resolved_at - fired_at) AS mean, COUNT(*) AS n FROM alerts
             WHERE resolved_at IS NOT NULL AND fired_at >= ?1",
        )
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        let mean: Option<f64> = row.get("mean");
        Ok((
            mean.map(|ms| Duration::from_millis(ms.max(0.0) as u64)),
            row.get::<i64, _>("n") as u32,
        ))
    }
}

fn alert_from_row(row: &sqlx::sqlite::SqliteRow) -> Alert {
    let severity: String = row.get("severity");
    Alert {
        id: row.get("id"),
        rule: row.get("rule"),
        subject: row.get("subject"),
        severity: Severity::parse(&severity).unwrap_or(Severity::Critical),
        message: row.get("message"),
        value: row.get("value"),
        fired_at_ms: row.get("fired_at"),
        resolved_at_ms: row.get("resolved_at"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn defaults_are_seeded_once() {
        let (_dir, store) = store().await;
        let rules = store.alert_rules().await.unwrap();
        assert_eq!(rules.len(), super::super::default_rules().len());
        assert!(store.remove_alert_rule("check-down").await.unwrap());
        let rules = store.alert_rules().await.unwrap();
        assert!(
            !rules.iter().any(|r| r.name == "check-down"),
            "stays deleted"
        );
    }

    #[tokio::test]
    async fn alerts_open_resolve_and_give_mttr() {
        let (_dir, store) = store().await;
        store
            .open_alert("r", "a", Severity::Critical, "A is down", 0.0, 1_000)
            .await
            .unwrap();
        store
            .open_alert("r", "b", Severity::Warning, "B is slow", 900.0, 2_000)
            .await
            .unwrap();
        assert_eq!(store.resolve_alert("r", "a", 5_000).await.unwrap(), Some(1));
        assert_eq!(store.resolve_alert("r", "a", 6_000).await.unwrap(), None);
        let open = store.alerts(false, 10).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].subject, "b");
        let all = store.alerts(true, 10).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].resolved_at_ms, Some(5_000));
        let (mttr, n) = store.alert_mttr(0).await.unwrap();
        assert_eq!((mttr, n), (Some(Duration::from_secs(4)), 1));
    }
}
