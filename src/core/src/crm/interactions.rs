//! Interactions: calls, emails, meetings and notes on a contact's timeline.

use super::contacts::reindex;
use super::db::Crm;
use super::fields;
use super::model::{Interaction, InteractionKind, MAX_NOTES};
use super::CrmError;
use sqlx::Row;

impl Crm {
    /// Records an interaction at `at` (Unix ms) and returns its id.
    pub async fn add_interaction(
        &self,
        contact_id: i64,
        kind: &str,
        at: i64,
        notes: &str,
    ) -> Result<i64, CrmError> {
        let mut errors = Vec::new();
        let kind = InteractionKind::parse("type", kind)
            .map_err(|e| errors.push(e))
            .ok();
        let notes = fields::optional_text("notes", notes, MAX_NOTES)
            .map_err(|e| errors.push(e))
            .ok();
        if at <= 0 {
            errors.push(super::FieldError::new(
                "time",
                format!("{at} is not a time"),
            ));
        }
        let (Some(kind), Some(notes), true) = (kind, notes, errors.is_empty()) else {
            return Err(errors.into());
        };
        let mut tx = self.write().await?;
        let known = sqlx::query("SELECT id FROM crm_contacts WHERE id = $1 AND deleted_at IS NULL")
            .bind(contact_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(CrmError::NotFound {
                kind: "contact",
                id: contact_id,
            });
        }
        let id: i64 = sqlx::query(
            "INSERT INTO crm_interactions (contact_id, kind, at, notes) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(contact_id)
        .bind(kind.id())
        .bind(at)
        .bind(&notes)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        reindex(&mut tx, self.dialect, contact_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A contact's timeline, newest first.
    pub async fn timeline(
        &self,
        contact_id: i64,
        limit: i64,
    ) -> Result<Vec<Interaction>, CrmError> {
        let rows = sqlx::query(
            "SELECT id, contact_id, kind, at, notes FROM crm_interactions
             WHERE contact_id = $1 AND deleted_at IS NULL ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(contact_id)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Interaction {
                    id: r.try_get("id")?,
                    contact_id: r.try_get("contact_id")?,
                    kind: InteractionKind::parse("type", &kind).unwrap_or(InteractionKind::Note),
                    at: r.try_get("at")?,
                    notes: r.try_get("notes")?,
                })
            })
            .collect()
    }
}
