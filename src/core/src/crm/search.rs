//! Contact lists and search as you type. Filters (tag, stage, score range) and the text match
//! are one WHERE clause, so a filter narrows the candidates before any limit applies.

use super::db::{Crm, Dialect};
use super::model::ContactRow;
use super::CrmError;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Name,
    /// Best score first; contacts without a lead last.
    Score,
    /// Most recently changed first.
    Updated,
}

impl SortBy {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "" | "name" => Some(SortBy::Name),
            "score" => Some(SortBy::Score),
            "updated" => Some(SortBy::Updated),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Words to find (each a prefix) in names, emails, phones, companies, tags and notes.
    pub text: String,
    pub tag: Option<String>,
    /// Contacts with a deal in this stage.
    pub stage_id: Option<i64>,
    pub min_score: Option<i64>,
    pub max_score: Option<i64>,
    pub sort: SortBy,
    pub offset: i64,
    pub limit: i64,
}

/// At most this many words of a query are used.
const MAX_WORDS: usize = 8;

enum Arg {
    Int(i64),
    Text(String),
}

impl Crm {
    pub async fn contacts(&self, query: &ContactQuery) -> Result<Vec<ContactRow>, CrmError> {
        let (clause, args) = self.where_clause(query);
        let order = match query.sort {
            SortBy::Name => "lower(c.name), c.id",
            SortBy::Score => "c.score DESC NULLS LAST, lower(c.name), c.id",
            SortBy::Updated => "c.updated_at DESC, c.id DESC",
        };
        let n = args.len();
        let sql = format!(
            "SELECT c.id, c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.score
             FROM crm_contacts c LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
             WHERE {clause} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(&sql);
        for arg in args {
            q = match arg {
                Arg::Int(i) => q.bind(i),
                Arg::Text(t) => q.bind(t),
            };
        }
        let rows = q
            .bind(query.limit.clamp(1, 10_000))
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_contact).collect()
    }

    /// How many contacts the query matches in all (for "n contacts" and list paging).
    pub async fn count_contacts(&self, query: &ContactQuery) -> Result<i64, CrmError> {
        let (clause, args) = self.where_clause(query);
        let sql = format!("SELECT COUNT(*) FROM crm_contacts c WHERE {clause}");
        let mut q = sqlx::query(&sql);
        for arg in args {
            q = match arg {
                Arg::Int(i) => q.bind(i),
                Arg::Text(t) => q.bind(t),
            };
        }
        Ok(q.fetch_one(&self.pool).await?.try_get(0)?)
    }

    fn where_clause(&self, query: &ContactQuery) -> (String, Vec<Arg>) {
        let mut clause = String::from("c.deleted_at IS NULL");
        let mut args = Vec::new();
        let next = |arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            format!("${}", args.len())
        };
        if let Some(tag) = query.tag.as_deref().filter(|t| !t.trim().is_empty()) {
            let p = next(Arg::Text(tag.trim().to_lowercase()), &mut args);
            clause.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM crm_contact_tags ct JOIN crm_tags t ON t.id = ct.tag_id
                  WHERE ct.contact_id = c.id AND lower(t.name) = {p})"
            ));
        }
        if let Some(stage) = query.stage_id {
            let p = next(Arg::Int(stage), &mut args);
            clause.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM crm_leads l JOIN crm_deals d ON d.lead_id = l.id
                  WHERE l.contact_id = c.id AND d.stage_id = {p} AND d.deleted_at IS NULL
                  AND l.deleted_at IS NULL)"
            ));
        }
        if let Some(min) = query.min_score {
            let p = next(Arg::Int(min), &mut args);
            clause.push_str(&format!(" AND c.score >= {p}"));
        }
        if let Some(max) = query.max_score {
            let p = next(Arg::Int(max), &mut args);
            clause.push_str(&format!(" AND c.score <= {p}"));
        }
        let words = words(&query.text);
        if !words.is_empty() {
            match self.dialect {
                Dialect::Sqlite => {
                    let expr = words
                        .iter()
                        .map(|w| format!("\"{w}\"*"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let p = next(Arg::Text(expr), &mut args);
                    clause.push_str(&format!(
                        " AND c.id IN (SELECT rowid FROM crm_contacts_fts WHERE crm_contacts_fts MATCH {p})"
                    ));
                }
                Dialect::Postgres => {
                    let expr = words
                        .iter()
                        .map(|w| format!("{w}:*"))
                        .collect::<Vec<_>>()
                        .join(" & ");
                    let p = next(Arg::Text(expr), &mut args);
                    clause.push_str(&format!(" AND c.search_doc @@ to_tsquery('simple', {p})"));
                }
            }
        }
        (clause, args)
    }
}

/// The words of a query: runs of letters and digits, lower-cased. Everything else (quotes,
/// operators) separates words, so no text can change the meaning of the match expression.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect()
}

fn row_to_contact(r: &AnyRow) -> Result<ContactRow, CrmError> {
    Ok(ContactRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        company: r.try_get("company")?,
        score: r.try_get("score")?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_text_is_reduced_to_words() {
        assert_eq!(
            super::words("Ada \"OR\" lov* NEAR(x)"),
            vec!["ada", "or", "lov", "near", "x"]
        );
        assert!(super::words(" -*\" ").is_empty());
    }
}
