//! Contacts and their companies and tags; soft delete and undo for every kind of record.

use super::db::{Crm, Dialect};
use super::fields::{email_key, phone_key};
use super::model::{Contact, ContactDraft, ContactForm};
use super::CrmError;
use crate::time::now_ms;
use sqlx::{AnyConnection, Row};

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
        let mut tx = self.pool.begin().await?;
        let id = insert_contact(&mut tx, self.dialect, &draft, "").await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_contact(&self, id: i64, form: &ContactForm) -> Result<(), CrmError> {
        let draft = form.validate()?;
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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
            Kind::Company | Kind::Deal => None,
        };
        if let Some(contact) = contact {
            update_contact_score(&mut tx, contact).await?;
            reindex(&mut tx, self.dialect, contact).await?;
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

/// Inserts a contact inside a running transaction; `vcard` keeps the properties of an
/// imported card that have no field here.
pub(super) async fn insert_contact(
    conn: &mut AnyConnection,
    dialect: Dialect,
    draft: &ContactDraft,
    vcard: &str,
) -> Result<i64, CrmError> {
    let company_id = company_id(conn, &draft.company).await?;
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
    set_tags(conn, id, &draft.tags).await?;
    reindex(conn, dialect, id).await?;
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
    let existing = sqlx::query("SELECT id FROM crm_tags WHERE lower(name) = lower($1) LIMIT 1")
        .bind(tag)
        .fetch_optional(&mut *conn)
        .await?;
    let tag_id: i64 = match existing {
        Some(row) => row.try_get(0)?,
        None => sqlx::query("INSERT INTO crm_tags (name) VALUES ($1) RETURNING id")
            .bind(tag)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    };
    sqlx::query(
        "INSERT INTO crm_contact_tags (contact_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(contact)
    .bind(tag_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
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

/// A contact's score is the best score of its open leads.
pub(super) async fn update_contact_score(
    conn: &mut AnyConnection,
    contact: i64,
) -> Result<(), CrmError> {
    sqlx::query(
        "UPDATE crm_contacts SET score = (SELECT MAX(score) FROM crm_leads WHERE contact_id = $1
         AND deleted_at IS NULL AND status NOT IN ('disqualified', 'converted')) WHERE id = $1",
    )
    .bind(contact)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites the contact's entry in the search index from its name, email, phone, company,
/// tags, notes and the notes of its interactions.
pub(super) async fn reindex(
    conn: &mut AnyConnection,
    dialect: Dialect,
    id: i64,
) -> Result<(), CrmError> {
    let row = sqlx::query(
        "SELECT c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.notes, c.deleted_at
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
    let tags = contact_tags(conn, id).await?.join(" ");
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
    // Addresses are indexed whole and in parts, so "example" finds ada@example.org everywhere.
    let email = format!("{email} {} {phone}", email.replace(['@', '.'], " "));
    match dialect {
        Dialect::Sqlite => {
            sqlx::query("DELETE FROM crm_contacts_fts WHERE rowid = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            if deleted.is_none() {
                sqlx::query(
                    "INSERT INTO crm_contacts_fts (rowid, name, email, company, tags, notes)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(&name)
                .bind(&email)
                .bind(&company)
                .bind(&tags)
                .bind(&notes)
                .execute(&mut *conn)
                .await?;
            }
        }
        Dialect::Postgres => {
            let document = format!("{name} {email} {company} {tags} {notes}");
            sqlx::query(
                "UPDATE crm_contacts SET search_doc = to_tsvector('simple', $2) WHERE id = $1",
            )
            .bind(id)
            .bind(document)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
