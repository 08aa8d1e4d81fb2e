//! Duplicate contacts — the same email address or phone number — and merging them.

use super::contacts::{absorb, read_contact, reindex, Absorbed};
use super::db::Crm;
use super::CrmError;
use crate::time::now_ms;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Contacts that look like one person, and what they share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// `email` or `phone`.
    pub key: String,
    pub value: String,
    /// Oldest first: the one to keep by default.
    pub contact_ids: Vec<i64>,
}

impl Crm {
    pub async fn duplicates(&self, limit: i64) -> Result<Vec<DuplicateGroup>, CrmError> {
        let mut groups = Vec::new();
        for (key, column) in [("email", "email_norm"), ("phone", "phone_norm")] {
            let rows = sqlx::query(&format!(
                "SELECT {column} FROM crm_contacts WHERE deleted_at IS NULL AND {column} <> ''
                 GROUP BY {column} HAVING COUNT(*) > 1 ORDER BY {column} LIMIT $1"
            ))
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let value: String = row.try_get(0)?;
                let contact_ids = sqlx::query(&format!(
                    "SELECT id FROM crm_contacts WHERE deleted_at IS NULL AND {column} = $1 ORDER BY id"
                ))
                .bind(&value)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
                groups.push(DuplicateGroup {
                    key: key.to_string(),
                    value,
                    contact_ids,
                });
            }
        }
        Ok(groups)
    }

    /// Folds `other` into `keep`: its interactions, leads and tags move over, empty fields of
    /// `keep` take its values, notes are joined, and `other` is deleted (undoable, marked as
    /// merged).
    pub async fn merge_contacts(&self, keep: i64, other: i64) -> Result<(), CrmError> {
        if keep == other {
            return Err(
                super::FieldError::new("contact", "cannot be merged into itself".into()).into(),
            );
        }
        let mut tx = self.write().await?;
        read_contact(&mut tx, keep).await?;
        let gone = read_contact(&mut tx, other).await?;
        for table in ["crm_interactions", "crm_leads"] {
            sqlx::query(&format!(
                "UPDATE {table} SET contact_id = $1 WHERE contact_id = $2"
            ))
            .bind(keep)
            .bind(other)
            .execute(&mut *tx)
            .await?;
        }
        let company_id: Option<i64> =
            sqlx::query("SELECT company_id FROM crm_contacts WHERE id = $1")
                .bind(other)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        let from = Absorbed {
            email: &gone.email,
            phone: &gone.phone,
            company_id,
            notes: &gone.notes,
            tags: &gone.tags,
        };
        absorb(&mut tx, self.dialect, keep, from).await?;
        sqlx::query("UPDATE crm_contacts SET deleted_at = $2, merged_into = $3 WHERE id = $1")
            .bind(other)
            .bind(now_ms())
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        reindex(&mut tx, self.dialect, other).await?;
        tx.commit().await?;
        Ok(())
    }
}
