//! The pipeline: editable stages, deals moved between them, won/lost with a reason, and the
//! weighted forecast.

use super::contacts::{deal_contact, refresh_contact};
use super::db::Crm;
use super::fields;
use super::model::{Deal, DealForm, Forecast, ForecastLine, Outcome, Stage};
use super::{CrmError, FieldError};
use crate::time::now_ms;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const DEAL_COLUMNS: &str = "d.id, d.lead_id, l.contact_id, c.name AS contact_name, d.title,
    d.stage_id, d.position, d.value_cents, d.close_date, d.probability, d.reason";
const DEAL_JOINS: &str = "crm_deals d JOIN crm_leads l ON l.id = d.lead_id
    JOIN crm_contacts c ON c.id = l.contact_id";

impl Crm {
    pub async fn stages(&self) -> Result<Vec<Stage>, CrmError> {
        let rows = sqlx::query(
            "SELECT id, name, position, probability, outcome FROM crm_stages ORDER BY position, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let outcome: String = r.try_get("outcome")?;
                Ok(Stage {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    position: r.try_get("position")?,
                    probability: r.try_get("probability")?,
                    outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Open),
                })
            })
            .collect()
    }

    /// Adds a stage at the end (`id` 0) or renames and re-weights one; `position` moves it.
    pub async fn save_stage(
        &self,
        id: i64,
        name: &str,
        probability: i64,
        outcome: Outcome,
        position: Option<i64>,
    ) -> Result<i64, CrmError> {
        let name = fields::required_text("name", name, 60)?;
        let probability = fields::percent("probability", probability)?;
        let mut tx = self.write().await?;
        let id = if id == 0 {
            let end: i64 = sqlx::query("SELECT COALESCE(MAX(position) + 1, 0) FROM crm_stages")
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            sqlx::query(
                "INSERT INTO crm_stages (name, position, probability, outcome) VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )
            .bind(&name)
            .bind(end)
            .bind(probability)
            .bind(outcome.id())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?
        } else {
            let changed = sqlx::query(
                "UPDATE crm_stages SET name = $2, probability = $3, outcome = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(&name)
            .bind(probability)
            .bind(outcome.id())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(CrmError::NotFound { kind: "stage", id });
            }
            id
        };
        if let Some(position) = position {
            reorder(&mut tx, "crm_stages", "1 = 1", id, position).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Removes an empty stage; a stage that still holds deals is refused.
    pub async fn remove_stage(&self, id: i64) -> Result<(), CrmError> {
        let deals: i64 = sqlx::query(
            "SELECT COUNT(*) FROM crm_deals WHERE stage_id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        if deals > 0 {
            return Err(FieldError::new(
                "stage",
                format!("still holds {deals} deals; move them to another stage first"),
            )
            .into());
        }
        // Deleted deals may still point here; they go with it.
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM crm_deals WHERE stage_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query("DELETE FROM crm_stages WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(CrmError::NotFound { kind: "stage", id });
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_deal(&self, form: &DealForm) -> Result<i64, CrmError> {
        let draft = form.validate()?;
        let mut tx = self.write().await?;
        let lead_ok = sqlx::query("SELECT id FROM crm_leads WHERE id = $1 AND deleted_at IS NULL")
            .bind(draft.lead_id)
            .fetch_optional(&mut *tx)
            .await?;
        if lead_ok.is_none() {
            return Err(CrmError::NotFound {
                kind: "lead",
                id: draft.lead_id,
            });
        }
        let stage = if draft.stage_id > 0 {
            stage(&mut tx, draft.stage_id).await?
        } else {
            first_stage(&mut tx).await?
        };
        let end: i64 =
            sqlx::query("SELECT COALESCE(MAX(position) + 1, 0) FROM crm_deals WHERE stage_id = $1")
                .bind(stage.id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO crm_deals (lead_id, title, stage_id, position, value_cents, close_date,
             probability, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             RETURNING id",
        )
        .bind(draft.lead_id)
        .bind(&draft.title)
        .bind(stage.id)
        .bind(end)
        .bind(draft.value_cents)
        .bind(&draft.close_date)
        .bind(draft.probability.unwrap_or(stage.probability))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if let Some(contact) = deal_contact(&mut tx, id).await? {
            refresh_contact(&mut tx, self.dialect, contact).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Changes title, value, close date and probability (the stage changes by moving).
    pub async fn update_deal(&self, id: i64, form: &DealForm) -> Result<(), CrmError> {
        let draft = form.validate()?;
        let deal = self.deal(id).await?;
        let changed = sqlx::query(
            "UPDATE crm_deals SET title = $2, value_cents = $3, close_date = $4, probability = $5,
             updated_at = $6 WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(&draft.title)
        .bind(draft.value_cents)
        .bind(&draft.close_date)
        .bind(draft.probability.unwrap_or(deal.probability))
        .bind(now_ms())
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(CrmError::NotFound { kind: "deal", id });
        }
        Ok(())
    }

    pub async fn deal(&self, id: i64) -> Result<Deal, CrmError> {
        let sql = format!(
            "SELECT {DEAL_COLUMNS} FROM {DEAL_JOINS} WHERE d.id = $1 AND d.deleted_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(CrmError::NotFound { kind: "deal", id })?;
        deal_from_row(&row)
    }

    /// Every deal that is not deleted, by stage and position: the board.
    pub async fn deals(&self) -> Result<Vec<Deal>, CrmError> {
        let sql = format!(
            "SELECT {DEAL_COLUMNS} FROM {DEAL_JOINS} JOIN crm_stages s ON s.id = d.stage_id
             WHERE d.deleted_at IS NULL AND +l.deleted_at IS NULL AND +c.deleted_at IS NULL
             ORDER BY s.position, d.position, d.id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(deal_from_row).collect()
    }

    /// Moves a deal to `position` (0 = top) in `stage_id`. Entering a stage takes its
    /// probability; entering a won or lost stage records `reason`.
    pub async fn move_deal(
        &self,
        id: i64,
        stage_id: i64,
        position: i64,
        reason: &str,
    ) -> Result<(), CrmError> {
        let reason = fields::optional_text("reason", reason, 500)?;
        let mut tx = self.write().await?;
        let target = stage(&mut tx, stage_id).await?;
        let current: Option<i64> =
            sqlx::query("SELECT stage_id FROM crm_deals WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        let Some(current) = current else {
            return Err(CrmError::NotFound { kind: "deal", id });
        };
        if current != stage_id {
            let reason = if target.outcome == Outcome::Open {
                ""
            } else {
                &reason
            };
            sqlx::query(
                "UPDATE crm_deals SET stage_id = $2, probability = $3, reason = $4, position = -1,
                 updated_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(stage_id)
            .bind(target.probability)
            .bind(reason)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            // Close the gap the deal left behind.
            renumber(
                &mut tx,
                "crm_deals",
                &format!("stage_id = {current} AND deleted_at IS NULL"),
                None,
            )
            .await?;
            if let Some(contact) = deal_contact(&mut tx, id).await? {
                refresh_contact(&mut tx, self.dialect, contact).await?;
            }
        } else if !reason.is_empty() {
            sqlx::query("UPDATE crm_deals SET reason = $2 WHERE id = $1")
                .bind(id)
                .bind(&reason)
                .execute(&mut *tx)
                .await?;
        }
        reorder(
            &mut tx,
            "crm_deals",
            &format!("stage_id = {stage_id} AND deleted_at IS NULL"),
            id,
            position,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a deal as won or lost, with the reason, in the first stage of that outcome.
    pub async fn close_deal(&self, id: i64, won: bool, reason: &str) -> Result<(), CrmError> {
        let outcome = if won { Outcome::Won } else { Outcome::Lost };
        if reason.trim().is_empty() {
            return Err(FieldError::new(
                "reason",
                format!("say why the deal was {}", outcome.id()),
            )
            .into());
        }
        let stage = self
            .stages()
            .await?
            .into_iter()
            .find(|s| s.outcome == outcome)
            .ok_or_else(|| {
                FieldError::new(
                    "stage",
                    format!(
                        "there is no {} stage; add one to the pipeline",
                        outcome.id()
                    ),
                )
            })?;
        self.move_deal(id, stage.id, 0, reason).await
    }

    /// Open deals' value and weighted value (value × probability) per stage and per month of
    /// the close date. Won and lost deals are left out.
    pub async fn forecast(&self) -> Result<Forecast, CrmError> {
        // Unary + keeps the planner from starting at the (many) contacts.
        let open = "d.deleted_at IS NULL AND +l.deleted_at IS NULL AND +c.deleted_at IS NULL
                    AND s.outcome = 'open'";
        let stages = sqlx::query(&format!(
            "SELECT s.name, COUNT(d.id),
             CAST(COALESCE(SUM(d.value_cents), 0) AS BIGINT),
             CAST(COALESCE(SUM(d.value_cents * d.probability / 100), 0) AS BIGINT)
             FROM crm_stages s LEFT JOIN ({DEAL_JOINS}) ON d.stage_id = s.id AND d.deleted_at IS NULL
             AND +l.deleted_at IS NULL AND +c.deleted_at IS NULL
             WHERE s.outcome = 'open' GROUP BY s.id, s.name, s.position ORDER BY s.position"
        ))
        .fetch_all(&self.pool)
        .await?;
        let months = sqlx::query(&format!(
            "SELECT substr(d.close_date, 1, 7) AS month, COUNT(d.id),
             CAST(SUM(d.value_cents) AS BIGINT),
             CAST(SUM(d.value_cents * d.probability / 100) AS BIGINT)
             FROM {DEAL_JOINS} JOIN crm_stages s ON s.id = d.stage_id WHERE {open}
             GROUP BY substr(d.close_date, 1, 7) ORDER BY month"
        ))
        .fetch_all(&self.pool)
        .await?;
        let line = |r: &AnyRow| -> Result<ForecastLine, CrmError> {
            Ok(ForecastLine {
                label: r.try_get(0)?,
                deals: r.try_get(1)?,
                total_cents: r.try_get(2)?,
                weighted_cents: r.try_get(3)?,
            })
        };
        Ok(Forecast {
            stages: stages.iter().map(line).collect::<Result<_, _>>()?,
            months: months.iter().map(line).collect::<Result<_, _>>()?,
        })
    }
}

async fn stage(conn: &mut AnyConnection, id: i64) -> Result<Stage, CrmError> {
    let row = sqlx::query(
        "SELECT id, name, position, probability, outcome FROM crm_stages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CrmError::NotFound { kind: "stage", id })?;
    stage_from_row(&row)
}

async fn first_stage(conn: &mut AnyConnection) -> Result<Stage, CrmError> {
    let row = sqlx::query(
        "SELECT id, name, position, probability, outcome FROM crm_stages WHERE outcome = 'open'
         ORDER BY position, id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| FieldError::new("stage", "the pipeline has no open stage; add one".into()))?;
    stage_from_row(&row)
}

fn stage_from_row(row: &AnyRow) -> Result<Stage, CrmError> {
    let outcome: String = row.try_get("outcome")?;
    Ok(Stage {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        position: row.try_get("position")?,
        probability: row.try_get("probability")?,
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Open),
    })
}

fn deal_from_row(row: &AnyRow) -> Result<Deal, CrmError> {
    Ok(Deal {
        id: row.try_get("id")?,
        lead_id: row.try_get("lead_id")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        title: row.try_get("title")?,
        stage_id: row.try_get("stage_id")?,
        position: row.try_get("position")?,
        value_cents: row.try_get("value_cents")?,
        close_date: row.try_get("close_date")?,
        probability: row.try_get("probability")?,
        reason: row.try_get("reason")?,
    })
}

/// Puts row `id` at `position` among the rows of `table` matching `scope` and numbers them
/// 0, 1, 2… again. `scope` is built from ids only, never from caller text.
async fn reorder(
    conn: &mut AnyConnection,
    table: &str,
    scope: &str,
    id: i64,
    position: i64,
) -> Result<(), CrmError> {
    renumber(conn, table, scope, Some((id, position))).await
}

async fn renumber(
    conn: &mut AnyConnection,
    table: &str,
    scope: &str,
    place: Option<(i64, i64)>,
) -> Result<(), CrmError> {
    let mut ids: Vec<i64> = sqlx::query(&format!(
        "SELECT id FROM {table} WHERE {scope} ORDER BY position, id"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    if let Some((id, position)) = place {
        ids.retain(|other| *other != id);
        let at = (position.max(0) as usize).min(ids.len());
        ids.insert(at, id);
    }
    for (position, id) in ids.iter().enumerate() {
        sqlx::query(&format!("UPDATE {table} SET position = $2 WHERE id = $1"))
            .bind(*id)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
