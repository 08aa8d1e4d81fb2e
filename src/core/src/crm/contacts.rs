//! Contacts and their companies and tags; soft delete and undo for every kind of record.

use super::db::{Crm, Dialect};
use super::fields::{email_key, phone_key};
use super::model::{Contact, ContactDraft, ContactForm};
use super::CrmError;
use crate::time::now_ms;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The kinds of record that can be deleted and brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contact,
    Company,
    Lead,
    Deal,
    Interaction,
}

impl Kind {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "contact" => Kind::Contact,
            "company" => Kind::Company,
            "lead" => Kind::Lead,
            "deal" => Kind::Deal,
            "interaction" => Kind::Interaction,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Kind::Contact => "contact",
            Kind::Company => "company",
            Kind::Lead => "lead",
            Kind::Deal => "deal",
            Kind::Interaction => "interaction",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Kind::Contact => "crm_contacts",
            Kind::Company => "crm_companies",
            Kind::Lead => "crm_leads",
            Kind::Deal => "crm_deals",
            Kind::Interaction => "crm_interactions",
        }
    }
}

impl Crm {
    pub async fn create_contact(&self, form: &ContactForm) -> Result<i64, CrmError> {
        let draft = form.validate()?;
        let mut tx = self.write().await?;
        let id = insert_contact(&mut tx, self.dialect, &draft, "", &mut Lookup::default()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_contact(&self, id: i64, form: &ContactForm) -> Result<(), CrmError> {
        let draft = form.validate()?;
        let mut tx = self.write().await?;
        let company_id = company_id(&mut tx, &draft.company).await?;
        let changed = sqlx::query(
            "UPDATE crm_contacts SET name = $2, email = $3, email_norm = $4, phone = $5,
             phone_norm = $6, company_id = $7, notes = $8, updated_at = $9
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(&draft.name)
        .bind(&draft.email)
        .bind(email_key(&draft.email))
        .bind(&draft.phone)
        .bind(phone_key(&draft.phone))
        .bind(company_id)
        .bind(&draft.notes)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(CrmError::NotFound {
                kind: "contact",
                id,
            });
        }
        set_tags(&mut tx, id, &draft.tags).await?;
        reindex(&mut tx, self.dialect, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn contact(&self, id: i64) -> Result<Contact, CrmError> {
        let mut conn = self.pool.acquire().await?;
        read_contact(&mut conn, id).await
    }

    /// Marks the record deleted; [`Crm::restore`] undoes it.
    pub async fn delete(&self, kind: Kind, id: i64) -> Result<(), CrmError> {
        self.set_deleted(kind, id, Some(now_ms())).await
    }

    pub async fn restore(&self, kind: Kind, id: i64) -> Result<(), CrmError> {
        self.set_deleted(kind, id, None).await
    }

    async fn set_deleted(&self, kind: Kind, id: i64, at: Option<i64>) -> Result<(), CrmError> {
        let mut tx = self.write().await?;
        let sql = format!("UPDATE {} SET deleted_at = $2 WHERE id = $1", kind.table());
        let changed = sqlx::query(&sql)
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(CrmError::NotFound {
                kind: kind.id(),
                id,
            });
        }
        // What a contact's score and search text are made of may have changed.
        let contact = match kind {
            Kind::Contact => Some(id),
            Kind::Lead => contact_of("crm_leads", &mut tx, id).await?,
            Kind::Interaction => contact_of("crm_interactions", &mut tx, id).await?,
            Kind::Deal => deal_contact(&mut tx, id).await?,
            Kind::Company => None,
        };
        if let Some(contact) = contact {
            refresh_contact(&mut tx, self.dialect, contact).await?;
        }
        if kind == Kind::Company {
            let contacts: Vec<i64> =
                sqlx::query("SELECT id FROM crm_contacts WHERE company_id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
            for contact in contacts {
                reindex(&mut tx, self.dialect, contact).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rebuilds every contact's search entry (after bulk writes); returns how many.
    pub async fn reindex_all(&self) -> Result<u64, CrmError> {
        let mut tx = self.write().await?;
        if self.dialect == Dialect::Postgres {
            let ids = self.all_contact_ids().await?;
            for id in &ids {
                reindex(&mut tx, self.dialect, *id).await?;
            }
            tx.commit().await?;
            return Ok(ids.len() as u64);
        }
        // One statement instead of a round trip per contact; the same document as `reindex`.
        sqlx::query("DELETE FROM crm_contacts_fts")
            .execute(&mut *tx)
            .await?;
        let written = sqlx::query(
            "INSERT INTO crm_contacts_fts (rowid, name, email, company, tags, notes, facets)
             SELECT c.id, c.name,
               c.email || ' ' || replace(replace(c.email, '@', ' '), '.', ' ') || ' ' || c.phone,
               COALESCE(co.name, ''),
               COALESCE((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM crm_contact_tags ct
                 JOIN crm_tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id ORDER BY t.name)), ''),
               c.notes || COALESCE((SELECT group_concat(char(10) || notes, '') FROM (SELECT i.notes
                 FROM crm_interactions i WHERE i.contact_id = c.id AND i.deleted_at IS NULL
                 ORDER BY i.at)), ''),
               trim(
                 COALESCE((SELECT group_concat('score' || column1, ' ') FROM (VALUES (0), (5), (10),
                   (15), (20), (25), (30), (35), (40), (45), (50), (55), (60), (65), (70), (75),
                   (80), (85), (90), (95), (100)) WHERE c.score >= column1), '') || ' ' ||
                 COALESCE((SELECT group_concat('stage' || stage_id, ' ') FROM (SELECT DISTINCT
                   d.stage_id FROM crm_deals d JOIN crm_leads l ON l.id = d.lead_id
                   WHERE l.contact_id = c.id AND d.deleted_at IS NULL AND l.deleted_at IS NULL)), '')
                 || ' ' ||
                 COALESCE((SELECT group_concat('tag' || lower(hex(lower(t.name))), ' ')
                   FROM crm_contact_tags ct JOIN crm_tags t ON t.id = ct.tag_id
                   WHERE ct.contact_id = c.id), ''))
             FROM crm_contacts c
             LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
             WHERE c.deleted_at IS NULL",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(written)
    }

    /// Every tag in use, by name.
    pub async fn tags(&self) -> Result<Vec<String>, CrmError> {
        Ok(sqlx::query(
            "SELECT DISTINCT t.name FROM crm_tags t JOIN crm_contact_tags ct ON ct.tag_id = t.id
             JOIN crm_contacts c ON c.id = ct.contact_id AND c.deleted_at IS NULL ORDER BY t.name",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }
}

/// The contact whose lead a deal belongs to.
pub(super) async fn deal_contact(
    conn: &mut AnyConnection,
    deal: i64,
) -> Result<Option<i64>, CrmError> {
    Ok(sqlx::query(
        "SELECT l.contact_id FROM crm_deals d JOIN crm_leads l ON l.id = d.lead_id WHERE d.id = $1",
    )
    .bind(deal)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.get(0)))
}

async fn contact_of(
    table: &str,
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<i64>, CrmError> {
    let sql = format!("SELECT contact_id FROM {table} WHERE id = $1");
    Ok(sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.get(0)))
}

/// Company and tag ids already looked up in one transaction, so a bulk import asks once.
#[derive(Default)]
pub(super) struct Lookup {
    companies: HashMap<String, Option<i64>>,
    tags: HashMap<String, i64>,
}

/// Inserts a contact inside a running transaction; `vcard` keeps the properties of an
/// imported card that have no field here.
pub(super) async fn insert_contact(
    conn: &mut AnyConnection,
    dialect: Dialect,
    draft: &ContactDraft,
    vcard: &str,
    lookup: &mut Lookup,
) -> Result<i64, CrmError> {
    let key = draft.company.trim().to_lowercase();
    let company_id = match lookup.companies.get(&key) {
        Some(id) => *id,
        None => {
            let id = company_id(conn, &draft.company).await?;
            lookup.companies.insert(key, id);
            id
        }
    };
    let now = now_ms();
    let id: i64 = sqlx::query(
        "INSERT INTO crm_contacts (name, email, email_norm, phone, phone_norm, company_id, notes,
         vcard, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&draft.name)
    .bind(&draft.email)
    .bind(email_key(&draft.email))
    .bind(&draft.phone)
    .bind(phone_key(&draft.phone))
    .bind(company_id)
    .bind(&draft.notes)
    .bind(vcard)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    for tag in &draft.tags {
        let tag_id = match lookup.tags.get(&tag.to_lowercase()) {
            Some(id) => *id,
            None => {
                let id = tag_id(conn, tag).await?;
                lookup.tags.insert(tag.to_lowercase(), id);
                id
            }
        };
        link_tag(conn, id, tag_id).await?;
    }
    // A new contact has no interactions yet: its entry comes straight from the draft.
    let document = Document {
        name: draft.name.clone(),
        email: index_email(&draft.email, &draft.phone),
        company: draft.company.trim().to_string(),
        tags: draft.tags.join(" "),
        notes: draft.notes.clone(),
        facets: facets(None, &[], &draft.tags),
    };
    write_index(conn, dialect, id, Some(&document), false).await?;
    Ok(id)
}

/// The id of the company called `name` (any case), created if there is none; `None` for "".
pub(super) async fn company_id(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<i64>, CrmError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let norm = name.to_lowercase();
    let found = sqlx::query(
        "SELECT id FROM crm_companies WHERE name_norm = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(&norm)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = found {
        return Ok(Some(row.try_get(0)?));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO crm_companies (name, name_norm, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(&norm)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(Some(id))
}

pub(super) async fn set_tags(
    conn: &mut AnyConnection,
    contact: i64,
    tags: &[String],
) -> Result<(), CrmError> {
    sqlx::query("DELETE FROM crm_contact_tags WHERE contact_id = $1")
        .bind(contact)
        .execute(&mut *conn)
        .await?;
    for tag in tags {
        add_tag(conn, contact, tag).await?;
    }
    Ok(())
}

pub(super) async fn add_tag(
    conn: &mut AnyConnection,
    contact: i64,
    tag: &str,
) -> Result<(), CrmError> {
    let tag_id = tag_id(conn, tag).await?;
    link_tag(conn, contact, tag_id).await
}

/// The id of the tag called `tag` (any case), created if there is none.
async fn tag_id(conn: &mut AnyConnection, tag: &str) -> Result<i64, CrmError> {
    let existing = sqlx::query("SELECT id FROM crm_tags WHERE lower(name) = lower($1) LIMIT 1")
        .bind(tag)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match existing {
        Some(row) => row.try_get(0)?,
        None => sqlx::query("INSERT INTO crm_tags (name) VALUES ($1) RETURNING id")
            .bind(tag)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    })
}

async fn link_tag(conn: &mut AnyConnection, contact: i64, tag_id: i64) -> Result<(), CrmError> {
    sqlx::query(
        "INSERT INTO crm_contact_tags (contact_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(contact)
    .bind(tag_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What another record brings into a contact it is folded into (a merge, an imported row).
pub(super) struct Absorbed<'a> {
    pub email: &'a str,
    pub phone: &'a str,
    pub company_id: Option<i64>,
    pub notes: &'a str,
    pub tags: &'a [String],
}

/// Folds `from` into contact `keep`: an empty email, phone or company takes its value, its
/// notes are appended unless already there, its tags are added; then score and index.
pub(super) async fn absorb(
    conn: &mut AnyConnection,
    dialect: Dialect,
    keep: i64,
    from: Absorbed<'_>,
) -> Result<(), CrmError> {
    let kept: String = sqlx::query("SELECT notes FROM crm_contacts WHERE id = $1")
        .bind(keep)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CrmError::NotFound {
            kind: "contact",
            id: keep,
        })?
        .try_get(0)?;
    let notes = if from.notes.is_empty() || kept.contains(from.notes) {
        kept
    } else if kept.is_empty() {
        from.notes.to_string()
    } else {
        format!("{kept}\n\n{}", from.notes)
    };
    sqlx::query(
        "UPDATE crm_contacts SET
         email = CASE WHEN email = '' THEN $2 ELSE email END,
         email_norm = CASE WHEN email_norm = '' THEN $3 ELSE email_norm END,
         phone = CASE WHEN phone = '' THEN $4 ELSE phone END,
         phone_norm = CASE WHEN phone_norm = '' THEN $5 ELSE phone_norm END,
         company_id = COALESCE(company_id, $6),
         notes = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(keep)
    .bind(from.email)
    .bind(email_key(from.email))
    .bind(from.phone)
    .bind(phone_key(from.phone))
    .bind(from.company_id)
    .bind(&notes)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    for tag in from.tags {
        add_tag(conn, keep, tag).await?;
    }
    refresh_contact(conn, dialect, keep).await
}

pub(super) async fn read_contact(conn: &mut AnyConnection, id: i64) -> Result<Contact, CrmError> {
    let row = sqlx::query(
        "SELECT c.id, c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.notes,
         c.score, c.created_at, c.updated_at
         FROM crm_contacts c LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
         WHERE c.id = $1 AND c.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CrmError::NotFound { kind: "contact", id })?;
    let tags = contact_tags(conn, id).await?;
    Ok(Contact {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        company: row.try_get("company")?,
        tags,
        notes: row.try_get("notes")?,
        score: row.try_get("score")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn contact_tags(conn: &mut AnyConnection, id: i64) -> Result<Vec<String>, CrmError> {
    Ok(sqlx::query(
        "SELECT t.name FROM crm_contact_tags ct JOIN crm_tags t ON t.id = ct.tag_id
         WHERE ct.contact_id = $1 ORDER BY t.name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

/// After a lead or deal changed: the contact's score (the best of its open leads) and its
/// search entry (which carries the score and stages as filter facets).
pub(super) async fn refresh_contact(
    conn: &mut AnyConnection,
    dialect: Dialect,
    contact: i64,
) -> Result<(), CrmError> {
    sqlx::query(
        "UPDATE crm_contacts SET score = (SELECT MAX(score) FROM crm_leads WHERE contact_id = $1
         AND deleted_at IS NULL AND status NOT IN ('disqualified', 'converted')) WHERE id = $1",
    )
    .bind(contact)
    .execute(&mut *conn)
    .await?;
    reindex(conn, dialect, contact).await
}

/// Rewrites the contact's entry in the search index from its name, email, phone, company,
/// tags, notes and the notes of its interactions.
pub(super) async fn reindex(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: i64,
) -> Result<(), CrmError> {
    let row = sqlx::query(
        "SELECT c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.notes, c.deleted_at,
         c.score
         FROM crm_contacts c LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let deleted: Option<i64> = row.try_get("deleted_at")?;
    let name: String = row.try_get("name")?;
    let email: String = row.try_get("email")?;
    let phone: String = row.try_get("phone")?;
    let company: String = row.try_get("company")?;
    let mut notes: String = row.try_get("notes")?;
    let score: Option<i64> = row.try_get("score")?;
    let tag_list = contact_tags(conn, id).await?;
    let tags = tag_list.join(" ");
    let stages: Vec<i64> = sqlx::query(
        "SELECT DISTINCT d.stage_id FROM crm_deals d JOIN crm_leads l ON l.id = d.lead_id
         WHERE l.contact_id = $1 AND d.deleted_at IS NULL AND l.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let interactions = sqlx::query(
        "SELECT notes FROM crm_interactions WHERE contact_id = $1 AND deleted_at IS NULL ORDER BY at",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &interactions {
        notes.push('\n');
        notes.push_str(&r.try_get::<String, _>(0)?);
    }
    let document = Document {
        email: index_email(&email, &phone),
        name,
        company,
        tags,
        notes,
        facets: facets(score, &stages, &tag_list),
    };
    let document = deleted.is_none().then_some(&document);
    write_index(conn, dialect, id, document, true).await
}

/// What the search index holds for one contact.
struct Document {
    name: String,
    email: String,
    company: String,
    tags: String,
    notes: String,
    facets: String,
}

/// Score floors in steps of this many points are indexed as facets.
pub(super) const SCORE_STEP: i64 = 5;

/// Filters as index tokens, so a filter and the words meet inside the index instead of
/// after it: `score40` for every floor at or below the score, `stage7` for each stage the
/// contact has a deal in, `tag` + hex of each lower-cased tag (one token, matched exactly).
fn facets(score: Option<i64>, stages: &[i64], tags: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    if let Some(score) = score {
        out.extend(
            (0..=score.clamp(0, 100) / SCORE_STEP).map(|i| format!("score{}", i * SCORE_STEP)),
        );
    }
    out.extend(stages.iter().map(|s| format!("stage{s}")));
    out.extend(tags.iter().map(|t| tag_token(t)));
    out.join(" ")
}

pub(super) fn tag_token(tag: &str) -> String {
    let hex: String = tag
        .trim()
        .to_lowercase()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("tag{hex}")
}

/// Addresses are indexed whole and in parts, so "example" finds ada@example.org everywhere.
fn index_email(email: &str, phone: &str) -> String {
    format!("{email} {} {phone}", email.replace(['@', '.'], " "))
}

/// Writes (or with `None` removes) a contact's entry; `replace` clears an older one first.
async fn write_index(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: i64,
    document: Option<&Document>,
    replace: bool,
) -> Result<(), CrmError> {
    match dialect {
        Dialect::Sqlite => {
            if replace {
                sqlx::query("DELETE FROM crm_contacts_fts WHERE rowid = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(d) = document {
                sqlx::query(
                    "INSERT INTO crm_contacts_fts (rowid, name, email, company, tags, notes, facets)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(&d.name)
                .bind(&d.email)
                .bind(&d.company)
                .bind(&d.tags)
                .bind(&d.notes)
                .bind(&d.facets)
                .execute(&mut *conn)
                .await?;
            }
        }
        Dialect::Postgres => {
            let text = document
                .map(|d| {
                    format!(
                        "{} {} {} {} {}",
                        d.name, d.email, d.company, d.tags, d.notes
                    )
                })
                .unwrap_or_default();
            sqlx::query(
                "UPDATE crm_contacts SET search_doc = to_tsvector('simple', $2) WHERE id = $1",
            )
            .bind(id)
            .bind(text)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
