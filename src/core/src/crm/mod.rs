//! The CRM: companies, contacts, tags, leads with BANT scores, a pipeline of deals, and
//! interactions. One implementation serves both backends — the daemon's SQLite database by
//! default, or a shared PostgreSQL database — through sqlx's `Any` driver; the few places
//! where the SQL differs (full-text search) ask [`Dialect`].

pub mod bant;
mod contacts;
pub mod csv_export;
pub mod csv_import;
mod db;
mod deals;
mod duplicates;
pub mod fields;
mod interactions;
mod leads;
pub mod model;
mod search;
pub mod vcard;

pub use contacts::Kind;
pub use db::{redact, Crm, Dialect};
pub use duplicates::DuplicateGroup;
pub use leads::{today, LeadFilter};
pub use model::*;
pub use search::{words, ContactQuery, SortBy, TEXT_MATCH_LIMIT};

use serde::{Deserialize, Serialize};

/// A bad value in one field, said so a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: String) -> Self {
        Self {
            field: field.to_string(),
            message,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    #[error("{}", join(.0))]
    Invalid(Vec<FieldError>),
    #[error("There is no {kind} with id {id}; it may have been deleted.")]
    NotFound { kind: &'static str, id: i64 },
    #[error("The CRM database could not be opened at {target}: {detail}")]
    Connect { target: String, detail: String },
    #[error("The CRM database could not be upgraded: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("The export could not be written: {0}")]
    Export(String),
    #[error("CRM database error: {0}")]
    Sql(#[from] sqlx::Error),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<FieldError> for CrmError {
    fn from(error: FieldError) -> Self {
        CrmError::Invalid(vec![error])
    }
}

impl From<Vec<FieldError>> for CrmError {
    fn from(errors: Vec<FieldError>) -> Self {
        CrmError::Invalid(errors)
    }
}
