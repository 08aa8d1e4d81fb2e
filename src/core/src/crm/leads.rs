//! Leads: saved with their BANT score, which is recomputed on every change.

use super::bant::{self, Authority, BantConfig, BantInputs, Need};
use super::contacts::refresh_contact;
use super::db::Crm;
use super::model::{Lead, LeadDraft, LeadForm, LeadStatus, TodayItem};
use super::CrmError;
use crate::time::now_ms;
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const LEAD_COLUMNS: &str = "l.id, l.contact_id, c.name AS contact_name, l.source, l.status,
    l.value_cents, l.next_action, l.next_action_due, l.budget_cents, l.authority, l.need,
    l.decision_date, l.score";

/// Today's date in the local time zone; scores and the today list count from it.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Leads to list: all, or one contact's; at least a score; best first or newest first.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub contact_id: Option<i64>,
    pub min_score: Option<i64>,
    pub max_score: Option<i64>,
    pub by_score: bool,
    pub limit: Option<i64>,
}

impl Crm {
    pub async fn create_lead(&self, form: &LeadForm) -> Result<i64, CrmError> {
        let draft = form.validate()?;
        let config = self.bant_config().await?;
        let mut tx = self.write().await?;
        ensure_contact(&mut tx, draft.contact_id).await?;
        let score = bant::score(&config, &draft.bant, today()).total as i64;
        let now = now_ms();
        let insert = sqlx::query(
            "INSERT INTO crm_leads (contact_id, source, status, value_cents, next_action,
             next_action_due, budget_cents, authority, need, decision_date, score, created_at,
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        );
        let id: i64 = bind_lead(insert, &draft, score)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        refresh_contact(&mut tx, self.dialect, draft.contact_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_lead(&self, id: i64, form: &LeadForm) -> Result<(), CrmError> {
        let draft = form.validate()?;
        let config = self.bant_config().await?;
        let mut tx = self.write().await?;
        ensure_contact(&mut tx, draft.contact_id).await?;
        let before: Option<i64> =
            sqlx::query("SELECT contact_id FROM crm_leads WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.get(0));
        let Some(before) = before else {
            return Err(CrmError::NotFound { kind: "lead", id });
        };
        write_lead(&mut tx, id, &draft, &config).await?;
        refresh_contact(&mut tx, self.dialect, before).await?;
        refresh_contact(&mut tx, self.dialect, draft.contact_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The lead with the explanation of its score.
    pub async fn lead(&self, id: i64) -> Result<Lead, CrmError> {
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM crm_leads l JOIN crm_contacts c ON c.id = l.contact_id
             WHERE l.id = $1 AND l.deleted_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(CrmError::NotFound { kind: "lead", id })?;
        let mut lead = lead_from_row(&row)?;
        let config = self.bant_config().await?;
        lead.explanation = bant::score(&config, &lead.bant, today()).components;
        Ok(lead)
    }

    pub async fn leads(&self, filter: &LeadFilter) -> Result<Vec<Lead>, CrmError> {
        let order = if filter.by_score {
            "l.score DESC, l.id DESC"
        } else {
            "l.updated_at DESC, l.id DESC"
        };
        let sql = format!(
            "SELECT {LEAD_COLUMNS} FROM crm_leads l JOIN crm_contacts c ON c.id = l.contact_id
             WHERE l.deleted_at IS NULL AND c.deleted_at IS NULL
             AND ($1 < 0 OR l.contact_id = $1) AND l.score >= $2 AND l.score <= $3
             ORDER BY {order} LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.contact_id.unwrap_or(-1))
            .bind(filter.min_score.unwrap_or(0))
            .bind(filter.max_score.unwrap_or(100))
            .bind(filter.limit.unwrap_or(1000).clamp(1, 100_000))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(lead_from_row).collect()
    }

    /// Scores every lead again (after new weights, or once a day as dates draw nearer);
    /// returns how many scores changed.
    pub async fn rescore_all(&self) -> Result<u64, CrmError> {
        let config = self.bant_config().await?;
        let rows = sqlx::query(&format!(
            "SELECT {LEAD_COLUMNS} FROM crm_leads l JOIN crm_contacts c ON c.id = l.contact_id
             WHERE l.deleted_at IS NULL"
        ))
        .fetch_all(&self.pool)
        .await?;
        let today = today();
        let mut changed = 0;
        let mut tx = self.write().await?;
        for row in &rows {
            let lead = lead_from_row(row)?;
            let score = bant::score(&config, &lead.bant, today).total as i64;
            if score != lead.score {
                sqlx::query("UPDATE crm_leads SET score = $2 WHERE id = $1")
                    .bind(lead.id)
                    .bind(score)
                    .execute(&mut *tx)
                    .await?;
                refresh_contact(&mut tx, self.dialect, lead.contact_id).await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Next actions of open leads due today or earlier, oldest first.
    pub async fn today_list(&self) -> Result<Vec<TodayItem>, CrmError> {
        let today = today().format("%Y-%m-%d").to_string();
        let rows = sqlx::query(
            "SELECT l.id, l.contact_id, c.name, l.next_action, l.next_action_due
             FROM crm_leads l JOIN crm_contacts c ON c.id = l.contact_id
             WHERE l.deleted_at IS NULL AND c.deleted_at IS NULL AND l.next_action_due <> ''
             AND l.next_action_due <= $1 AND l.status NOT IN ('disqualified', 'converted')
             ORDER BY l.next_action_due, l.id",
        )
        .bind(&today)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let due: String = r.try_get(4)?;
                Ok(TodayItem {
                    lead_id: r.try_get(0)?,
                    contact_id: r.try_get(1)?,
                    contact_name: r.try_get(2)?,
                    action: r.try_get(3)?,
                    overdue: due < today,
                    due,
                })
            })
            .collect()
    }
}

async fn ensure_contact(conn: &mut AnyConnection, id: i64) -> Result<(), CrmError> {
    let found = sqlx::query("SELECT id FROM crm_contacts WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(CrmError::NotFound {
            kind: "contact",
            id,
        }),
    }
}

async fn write_lead(
    conn: &mut AnyConnection,
    id: i64,
    draft: &LeadDraft,
    config: &BantConfig,
) -> Result<(), CrmError> {
    let score = bant::score(config, &draft.bant, today()).total as i64;
    let update = sqlx::query(
        "UPDATE crm_leads SET contact_id = $2, source = $3, status = $4, value_cents = $5,
         next_action = $6, next_action_due = $7, budget_cents = $8, authority = $9, need = $10,
         decision_date = $11, score = $12, updated_at = $13 WHERE id = $1",
    )
    .bind(id);
    bind_lead(update, draft, score)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a lead's own columns in table order, `contact_id` to `decision_date`, then `score`
/// (insert and update list them alike).
fn bind_lead<'q>(query: AnyQuery<'q>, draft: &'q LeadDraft, score: i64) -> AnyQuery<'q> {
    query
        .bind(draft.contact_id)
        .bind(&draft.source)
        .bind(draft.status.id())
        .bind(draft.value_cents)
        .bind(&draft.next_action)
        .bind(&draft.next_action_due)
        .bind(draft.bant.budget_cents)
        .bind(draft.bant.authority.id())
        .bind(draft.bant.need.id())
        .bind(&draft.bant.decision_date)
        .bind(score)
}

fn lead_from_row(row: &AnyRow) -> Result<Lead, CrmError> {
    let status: String = row.try_get("status")?;
    let authority: String = row.try_get("authority")?;
    let need: String = row.try_get("need")?;
    Ok(Lead {
        id: row.try_get("id")?,
        contact_id: row.try_get("contact_id")?,
        contact_name: row.try_get("contact_name")?,
        source: row.try_get("source")?,
        // Values were checked on the way in; anything else reads as the neutral choice.
        status: LeadStatus::parse("status", &status).unwrap_or(LeadStatus::New),
        value_cents: row.try_get("value_cents")?,
        next_action: row.try_get("next_action")?,
        next_action_due: row.try_get("next_action_due")?,
        bant: BantInputs {
            budget_cents: row.try_get("budget_cents")?,
            authority: Authority::parse("authority", &authority).unwrap_or(Authority::Unknown),
            need: Need::parse("need", &need).unwrap_or(Need::Unknown),
            decision_date: row.try_get("decision_date")?,
        },
        score: row.try_get("score")?,
        explanation: Vec::new(),
    })
}
