//! Daemon-wide settings: a small key-value table in the database.

use crate::store::{Store, StoreError};
use sqlx::Row;

/// While "true", no schedule fires; missed fire times count as missed when it ends.
pub const SCHEDULES_SUSPENDED: &str = "schedules.suspended";

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.get("value")))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn remove_setting(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn flag(&self, key: &str) -> bool {
        matches!(self.setting(key).await, Ok(Some(v)) if v == "true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_are_stored_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(store.setting("a").await.unwrap(), None);
        assert!(!store.flag("a").await);
        store.set_setting("a", "true").await.unwrap();
        assert!(store.flag("a").await);
        store.set_setting("a", "false").await.unwrap();
        assert_eq!(store.setting("a").await.unwrap().as_deref(), Some("false"));
        assert!(!store.flag("a").await);
        store.remove_setting("a").await.unwrap();
        assert_eq!(store.setting("a").await.unwrap(), None);
    }
}
