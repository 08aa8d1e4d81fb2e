//! Contact lists and search as you type. Filters (tag, stage, score range) and the text match
//! are one WHERE clause, so a filter narrows the candidates before any limit applies.

use super::contacts::{tag_token, SCORE_STEP};
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

/// A text search on SQLite lists at most this many matches (sorted as asked); more are
/// reported as `TEXT_MATCH_LIMIT + 1`, "more than 500". Typing another word narrows them.
/// Without words, and on PostgreSQL, lists and counts are exact.
pub const TEXT_MATCH_LIMIT: i64 = 500;

impl Crm {
    /// How many contacts match (as [`Crm::count_contacts`]) and the requested page, in one
    /// query where the words bound the candidates.
    pub async fn search(&self, query: &ContactQuery) -> Result<(i64, Vec<ContactRow>), CrmError> {
        let bounded = self.dialect == Dialect::Sqlite && !words(&query.text).is_empty();
        if !bounded {
            return Ok((
                self.count_contacts(query).await?,
                self.contacts(query).await?,
            ));
        }
        let (from, clause, args) = self.source(query, TEXT_MATCH_LIMIT + 1);
        let n = args.len();
        let sql = format!(
            "SELECT c.id, c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.score,
             COUNT(*) OVER () AS total
             FROM {from} LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
             WHERE {clause} ORDER BY {} LIMIT ${} OFFSET ${}",
            order(query.sort),
            n + 1,
            n + 2
        );
        let limit = query
            .limit
            .clamp(1, 10_000)
            .min(TEXT_MATCH_LIMIT - query.offset.max(0));
        if limit <= 0 {
            return Ok((self.count_contacts(query).await?, Vec::new()));
        }
        let rows = bind(sqlx::query(&sql), args)
            .bind(limit)
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let total = match rows.first() {
            Some(row) => row.try_get("total")?,
            None => self.count_contacts(query).await?,
        };
        Ok((
            total,
            rows.iter().map(row_to_contact).collect::<Result<_, _>>()?,
        ))
    }

    pub async fn contacts(&self, query: &ContactQuery) -> Result<Vec<ContactRow>, CrmError> {
        let (from, clause, args) = self.source(query, TEXT_MATCH_LIMIT);
        let order = order(query.sort);
        let n = args.len();
        let sql = format!(
            "SELECT c.id, c.name, c.email, c.phone, COALESCE(co.name, '') AS company, c.score
             FROM {from} LEFT JOIN crm_companies co ON co.id = c.company_id AND co.deleted_at IS NULL
             WHERE {clause} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind(sqlx::query(&sql), args)
            .bind(query.limit.clamp(1, 10_000))
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_contact).collect()
    }

    /// How many contacts the query matches (for "n contacts" and list paging); a text search
    /// on SQLite counts up to [`TEXT_MATCH_LIMIT`] + 1.
    pub async fn count_contacts(&self, query: &ContactQuery) -> Result<i64, CrmError> {
        let (from, clause, args) = self.source(query, TEXT_MATCH_LIMIT + 1);
        let sql = format!("SELECT COUNT(*) FROM {from} WHERE {clause}");
        Ok(bind(sqlx::query(&sql), args)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// The rows to list (`c`) and the conditions on them. On SQLite the filters and the words
    /// meet inside the FTS5 index (see `facets` in contacts.rs); with words, the index
    /// yields at most `cap` candidates, so a two-letter prefix costs as little as a name.
    fn source(&self, query: &ContactQuery, cap: i64) -> (String, String, Vec<Arg>) {
        let mut args = Vec::new();
        let next = |arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            format!("${}", args.len())
        };
        let mut bounds = String::new();
        if let Some(min) = query.min_score {
            let p = next(Arg::Int(min), &mut args);
            bounds.push_str(&format!(" AND c.score >= {p}"));
        }
        if let Some(max) = query.max_score {
            let p = next(Arg::Int(max), &mut args);
            bounds.push_str(&format!(" AND c.score <= {p}"));
        }
        let words = words(&query.text);
        let tag = query
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if self.dialect == Dialect::Sqlite {
            let mut parts = Vec::new();
            if !words.is_empty() {
                let phrases: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
                parts.push(format!(
                    "{{name email company tags notes}} : ({})",
                    phrases.join(" ")
                ));
            }
            if let Some(tag) = tag {
                parts.push(format!("facets : {}", tag_token(tag)));
            }
            if let Some(stage) = query.stage_id {
                parts.push(format!("facets : stage{stage}"));
            }
            if let Some(min) = query.min_score {
                let floor = min.clamp(0, 100) / SCORE_STEP * SCORE_STEP;
                parts.push(format!("facets : score{floor}"));
            }
            if parts.is_empty() {
                return (
                    "crm_contacts c".into(),
                    format!("c.deleted_at IS NULL{bounds}"),
                    args,
                );
            }
            let m = next(Arg::Text(parts.join(" AND ")), &mut args);
            if words.is_empty() {
                // Filters only: exact, whatever their number.
                return (
                    "crm_contacts c".into(),
                    format!(
                        "c.deleted_at IS NULL{bounds} AND c.id IN
                         (SELECT rowid FROM crm_contacts_fts WHERE crm_contacts_fts MATCH {m})"
                    ),
                    args,
                );
            }
            let candidates = format!(
                "(SELECT c.id AS id FROM crm_contacts_fts JOIN crm_contacts c ON c.id = crm_contacts_fts.rowid
                  WHERE crm_contacts_fts MATCH {m} AND c.deleted_at IS NULL{bounds} LIMIT {cap}) AS m
                 JOIN crm_contacts c ON c.id = m.id"
            );
            return (candidates, "1 = 1".into(), args);
        }
        let mut clause = format!("c.deleted_at IS NULL{bounds}");
        if let Some(tag) = tag {
            let p = next(Arg::Text(tag.to_lowercase()), &mut args);
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
        if !words.is_empty() {
            let expr: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
            let p = next(Arg::Text(expr.join(" & ")), &mut args);
            clause.push_str(&format!(" AND c.search_doc @@ to_tsquery('simple', {p})"));
        }
        ("crm_contacts c".into(), clause, args)
    }
}

fn order(sort: SortBy) -> &'static str {
    match sort {
        SortBy::Name => "lower(c.name), c.id",
        SortBy::Score => "c.score DESC NULLS LAST, lower(c.name), c.id",
        SortBy::Updated => "c.updated_at DESC, c.id DESC",
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for arg in args {
        q = match arg {
            Arg::Int(i) => q.bind(i),
            Arg::Text(t) => q.bind(t),
        };
    }
    q
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
