//! CSV import in two steps: a plan (dry run) that maps columns, checks every row and finds
//! duplicates, then the import of the good rows in one transaction. A file that is not
//! readable as a whole (encoding, quoting, ragged rows) is refused with the line, and nothing
//! of it is imported.

use super::contacts::{absorb, company_id, insert_contact, Absorbed, Lookup};
use super::db::Crm;
use super::fields::{email_key, phone_key};
use super::model::{ContactDraft, ContactForm};
use super::{CrmError, FieldError};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;

/// Files bigger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

/// A contact field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Company,
    Tags,
    Notes,
    Ignore,
}

impl Target {
    const ALL: [(Target, &'static str); 9] = [
        (Target::Name, "name"),
        (Target::FirstName, "first_name"),
        (Target::LastName, "last_name"),
        (Target::Email, "email"),
        (Target::Phone, "phone"),
        (Target::Company, "company"),
        (Target::Tags, "tags"),
        (Target::Notes, "notes"),
        (Target::Ignore, "ignore"),
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, id)| *id == value.trim())
            .map(|(t, _)| *t)
    }

    /// What a header usually means, for columns the person did not map.
    fn guess(header: &str) -> Target {
        let h: String = header
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        match h.as_str() {
            "name" | "fullname" | "fn" | "displayname" | "contact" => Target::Name,
            "firstname" | "givenname" | "first" | "vorname" => Target::FirstName,
            "lastname" | "surname" | "familyname" | "last" | "nachname" => Target::LastName,
            "email" | "mail" | "emailaddress" | "email1" => Target::Email,
            "phone" | "telephone" | "tel" | "mobile" | "phonenumber" | "telefon" => Target::Phone,
            "company" | "organization" | "organisation" | "org" | "firma" => Target::Company,
            "tags" | "categories" | "labels" => Target::Tags,
            "notes" | "note" | "comment" | "comments" | "notizen" => Target::Notes,
            _ => Target::Ignore,
        }
    }
}

/// Why a file cannot be read at all; nothing of it is imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error("line {line}: {reason}")]
    Line { line: u64, reason: String },
    #[error("{0}")]
    Whole(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    pub line: u64,
    pub draft: ContactDraft,
    /// The existing contact (or earlier row's line, as a negative number) with the same
    /// email or phone.
    pub duplicate_of: Option<i64>,
    /// The vCard the row came from, kept whole so export gives back what was imported.
    pub vcard: String,
}

/// The dry run: what the import would do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub headers: Vec<String>,
    /// `header → field` as used.
    pub mapping: Vec<(String, Target)>,
    pub rows: Vec<PlannedRow>,
    pub bad: Vec<BadRow>,
}

impl Plan {
    pub fn duplicates(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.duplicate_of.is_some())
            .count()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub created: u64,
    pub merged: u64,
    pub skipped: u64,
}

/// Reads and checks a CSV file. `mapping` holds `header=field` pairs that override the guess
/// from the header names.
pub fn read(bytes: &[u8], mapping: &[(String, String)]) -> Result<Plan, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::Whole(format!(
            "the file has {} MiB; at most {} MiB can be imported at once",
            bytes.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = utf8_text(bytes)?.as_bytes();
    check_quotes(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(&e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(FileError::Line {
            line: 1,
            reason: "the first line must name the columns, e.g. name,email,phone,company".into(),
        });
    }
    let mapping = resolve_mapping(&headers, mapping)?;
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| file_error(&e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match form_from(&record, &mapping).validate() {
            Ok(draft) => {
                let earlier = [email_key(&draft.email), phone_key(&draft.phone)]
                    .into_iter()
                    .filter(|k| !k.is_empty())
                    .find_map(|k| seen.get(&k).copied());
                for key in [email_key(&draft.email), phone_key(&draft.phone)] {
                    if !key.is_empty() {
                        seen.entry(key).or_insert(line);
                    }
                }
                rows.push(PlannedRow {
                    line,
                    draft,
                    duplicate_of: earlier.map(|l| -(l as i64)),
                    vcard: String::new(),
                });
            }
            Err(errors) => bad.push(BadRow {
                line,
                reason: errors
                    .iter()
                    .map(FieldError::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        }
    }
    Ok(Plan {
        headers,
        mapping,
        rows,
        bad,
    })
}

/// The file as text without a byte-order mark; a file that is not UTF-8 is refused with the
/// line of the first bad byte.
pub fn utf8_text(bytes: &[u8]) -> Result<&str, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| FileError::Line {
        line: 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64,
        reason: "is not UTF-8 text; save the file as UTF-8 (e.g. \"CSV UTF-8\" in a spreadsheet) and import it again".into(),
    })
}

fn file_error(error: &csv::Error) -> FileError {
    let line = error.position().map(|p| p.line()).unwrap_or(0);
    let reason = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "has {len} fields but the header has {expected_len}; check for a missing comma or an unquoted comma in a value"
        ),
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text; save the file as UTF-8".into(),
        other => format!("{other:?}"),
    };
    FileError::Line { line, reason }
}

/// A quote that opens a field and never closes would swallow the rest of the file into one
/// value; refuse it, naming the line where it opened.
fn check_quotes(bytes: &[u8]) -> Result<(), FileError> {
    let mut line = 1u64;
    let mut opened_at = None;
    let mut at_field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match opened_at {
            Some(_) if b == b'"' => {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    opened_at = None;
                }
            }
            Some(_) => {}
            None if b == b'"' && at_field_start => opened_at = Some(line),
            None => {}
        }
        if b == b'\n' {
            line += 1;
        }
        at_field_start = opened_at.is_none() && matches!(b, b',' | b'\n' | b'\r');
        i += 1;
    }
    match opened_at {
        Some(line) => Err(FileError::Line {
            line,
            reason: "a quoted value starts here and is never closed; add the closing quote".into(),
        }),
        None => Ok(()),
    }
}

fn resolve_mapping(
    headers: &[String],
    overrides: &[(String, String)],
) -> Result<Vec<(String, Target)>, FileError> {
    let mut mapping: Vec<(String, Target)> = headers
        .iter()
        .map(|h| (h.clone(), Target::guess(h)))
        .collect();
    for (header, field) in overrides {
        let target = Target::parse(field).ok_or_else(|| {
            FileError::Whole(format!(
                "mapping `{header}={field}`: `{field}` is not a field; use name, first_name, last_name, email, phone, company, tags, notes or ignore"
            ))
        })?;
        let slot = mapping
            .iter_mut()
            .find(|(h, _)| h.eq_ignore_ascii_case(header.trim()))
            .ok_or_else(|| {
                FileError::Whole(format!(
                    "mapping `{header}={field}`: the file has no column `{header}`; its columns are {}",
                    headers.join(", ")
                ))
            })?;
        slot.1 = target;
    }
    let has = |t: Target| mapping.iter().any(|(_, m)| *m == t);
    if !has(Target::Name) && !has(Target::FirstName) && !has(Target::LastName) {
        return Err(FileError::Whole(format!(
            "no column holds the name; map one, e.g. --map \"{}=name\" (columns: {})",
            headers.first().cloned().unwrap_or_default(),
            headers.join(", ")
        )));
    }
    Ok(mapping)
}

fn form_from(record: &csv::StringRecord, mapping: &[(String, Target)]) -> ContactForm {
    let mut form = ContactForm::default();
    let (mut first, mut last) = (String::new(), String::new());
    for (value, (_, target)) in record.iter().zip(mapping) {
        let value = value.trim();
        let append = |slot: &mut String, sep: &str| {
            if !value.is_empty() {
                if !slot.is_empty() {
                    slot.push_str(sep);
                }
                slot.push_str(value);
            }
        };
        match target {
            Target::Name => append(&mut form.name, " "),
            Target::FirstName => append(&mut first, " "),
            Target::LastName => append(&mut last, " "),
            Target::Email => append(&mut form.email, ""),
            Target::Phone => append(&mut form.phone, ""),
            Target::Company => append(&mut form.company, " "),
            Target::Tags => append(&mut form.tags, ","),
            Target::Notes => append(&mut form.notes, "\n"),
            Target::Ignore => {}
        }
    }
    if form.name.is_empty() {
        form.name = format!("{first} {last}").trim().to_string();
    }
    form
}

impl Crm {
    /// Marks rows whose email or phone belongs to a contact already in the CRM.
    pub async fn find_existing(&self, plan: &mut Plan) -> Result<(), CrmError> {
        let mut known: HashMap<String, i64> = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, email_norm, phone_norm FROM crm_contacts WHERE deleted_at IS NULL ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let id: i64 = r.try_get(0)?;
            for key in [r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?] {
                if !key.is_empty() {
                    known.insert(key, id);
                }
            }
        }
        for row in &mut plan.rows {
            let existing = [email_key(&row.draft.email), phone_key(&row.draft.phone)]
                .iter()
                .find_map(|k| known.get(k).copied());
            if let Some(id) = existing {
                row.duplicate_of = Some(id);
            }
        }
        Ok(())
    }

    /// Imports the good rows of a plan in one transaction. Duplicates are merged into the
    /// contact they match (empty fields filled, tags added, notes appended) or skipped.
    pub async fn import(
        &self,
        plan: &Plan,
        merge_duplicates: bool,
    ) -> Result<ImportOutcome, CrmError> {
        self.import_with_progress(plan, merge_duplicates, |_, _| {})
            .await
    }

    /// [`Crm::import`], telling `progress(done, total)` every 500 rows.
    pub async fn import_with_progress(
        &self,
        plan: &Plan,
        merge_duplicates: bool,
        progress: impl Fn(usize, usize) + Send + Sync,
    ) -> Result<ImportOutcome, CrmError> {
        let mut outcome = ImportOutcome::default();
        let mut tx = self.write().await?;
        // Rows that repeat an earlier row of the file go to the contact that row became.
        let mut by_line: HashMap<u64, i64> = HashMap::new();
        let mut lookup = Lookup::default();
        for (done, row) in plan.rows.iter().enumerate() {
            if done % 500 == 0 {
                progress(done, plan.rows.len());
            }
            let target = match row.duplicate_of {
                Some(id) if id > 0 => Some(id),
                Some(line) => by_line.get(&(-line as u64)).copied(),
                None => None,
            };
            match target {
                None => {
                    let id =
                        insert_contact(&mut tx, self.dialect, &row.draft, &row.vcard, &mut lookup)
                            .await?;
                    by_line.insert(row.line, id);
                    outcome.created += 1;
                }
                Some(_) if !merge_duplicates => outcome.skipped += 1,
                Some(id) => {
                    let d = &row.draft;
                    let from = Absorbed {
                        email: &d.email,
                        phone: &d.phone,
                        company_id: company_id(&mut tx, &d.company).await?,
                        notes: &d.notes,
                        tags: &d.tags,
                    };
                    absorb(&mut tx, self.dialect, id, from).await?;
                    by_line.insert(row.line, id);
                    outcome.merged += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_guessed_and_rows_checked_with_line_numbers() {
        let csv = "Full Name,E-Mail,Phone,Organization\n\
                   Ada Lovelace,ada@example.org,+44 20 1234,Analytical\n\
                   Bad Mail,not-an-email,,\n\
                   \"Grace, Admiral\",grace@example.org,,Navy\n";
        let plan = read(csv.as_bytes(), &[]).unwrap();
        assert_eq!(plan.rows.len(), 2);
        assert_eq!(plan.rows[1].draft.name, "Grace, Admiral");
        assert_eq!(plan.bad.len(), 1);
        assert_eq!(plan.bad[0].line, 3);
        assert!(
            plan.bad[0].reason.starts_with("email:"),
            "{}",
            plan.bad[0].reason
        );
    }

    #[test]
    fn explicit_mapping_and_first_last_names() {
        let csv = "given,family,x\nAda,Lovelace,ada@example.org\n";
        let mapping = vec![
            ("given".to_string(), "first_name".to_string()),
            ("family".to_string(), "last_name".to_string()),
            ("x".to_string(), "email".to_string()),
        ];
        let plan = read(csv.as_bytes(), &mapping).unwrap();
        assert_eq!(plan.rows[0].draft.name, "Ada Lovelace");
        assert_eq!(plan.rows[0].draft.email, "ada@example.org");
        let err = read(csv.as_bytes(), &[("y".into(), "email".into())]).unwrap_err();
        assert!(err.to_string().contains("no column `y`"), "{err}");
        let err = read(csv.as_bytes(), &[("x".into(), "mail".into())]).unwrap_err();
        assert!(err.to_string().contains("not a field"), "{err}");
    }

    #[test]
    fn broken_files_are_refused_with_the_line() {
        let unclosed =
            "name,email\nAda,ada@example.org\n\"Grace,grace@example.org\nLinus,l@example.org\n";
        let err = read(unclosed.as_bytes(), &[]).unwrap_err();
        assert_eq!(
            err,
            FileError::Line {
                line: 3,
                reason: err_reason(&err)
            }
        );
        assert!(err.to_string().contains("never closed"));

        let ragged = "name,email\nAda,ada@example.org\nGrace,grace@example.org,extra\n";
        let err = read(ragged.as_bytes(), &[]).unwrap_err();
        assert!(err.to_string().starts_with("line 3: has 3 fields"), "{err}");

        let latin1 = b"name,email\nAda,ada@example.org\nJos\xe9,jose@example.org\n";
        let err = read(latin1, &[]).unwrap_err();
        assert!(err.to_string().starts_with("line 3: is not UTF-8"), "{err}");
    }

    fn err_reason(err: &FileError) -> String {
        match err {
            FileError::Line { reason, .. } => reason.clone(),
            FileError::Whole(r) => r.clone(),
        }
    }

    #[test]
    fn duplicates_within_the_file_point_at_the_earlier_line() {
        let csv = "name,email\nAda,ada@example.org\nAda L.,ADA@example.org\n";
        let plan = read(csv.as_bytes(), &[]).unwrap();
        assert_eq!(plan.rows[1].duplicate_of, Some(-2));
        assert_eq!(plan.duplicates(), 1);
    }
}
