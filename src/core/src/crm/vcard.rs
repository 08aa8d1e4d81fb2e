//! vCard 3.0 and 4.0 (RFC 2426, RFC 6350). An imported card is kept whole; export writes it
//! back byte for byte unless a field Roxy knows was changed, and then only that property is
//! rewritten. Cards that never were vCards are written fresh as 4.0.

use super::contacts::read_contact;
use super::csv_import::{BadRow, FileError, Plan, PlannedRow, Target};
use super::db::Crm;
use super::model::{Contact, ContactForm};
use super::{CrmError, FieldError};
use sqlx::Row;

/// One property as it stood in the file.
#[derive(Debug, Clone, PartialEq)]
struct Property {
    /// The physical lines, folding and line ends included.
    raw: String,
    /// Upper-case name without group, e.g. `EMAIL`.
    name: String,
    /// Everything after the first unquoted `:`, unfolded.
    value: String,
    /// Line of the file where the property starts.
    line: u64,
}

/// Splits a file into cards, each a list of properties (BEGIN and END included).
fn cards(text: &str) -> Result<Vec<Vec<Property>>, FileError> {
    let mut cards = Vec::new();
    let mut current: Option<Vec<Property>> = None;
    let mut line_no = 0u64;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(first) = lines.next() {
        line_no += 1;
        let start = line_no;
        let mut raw = first.to_string();
        let mut logical = strip_eol(first).to_string();
        while let Some(next) = lines.peek() {
            if next.starts_with(' ') || next.starts_with('\t') {
                raw.push_str(next);
                logical.push_str(&strip_eol(next)[1..]);
                lines.next();
                line_no += 1;
            } else {
                break;
            }
        }
        if logical.trim().is_empty() {
            if let Some(card) = current.as_mut() {
                // Blank lines inside a card are kept so the card comes back unchanged.
                card.push(Property {
                    raw,
                    name: String::new(),
                    value: String::new(),
                    line: start,
                });
            }
            continue;
        }
        let (head, value) = split_head(&logical).ok_or_else(|| FileError::Line {
            line: start,
            reason: "is not a vCard property (NAME:value)".into(),
        })?;
        let name = head
            .split(';')
            .next()
            .unwrap_or("")
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let property = Property {
            raw,
            name: name.clone(),
            value: value.to_string(),
            line: start,
        };
        match (name.as_str(), current.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VCARD") => {
                current = Some(vec![property])
            }
            ("BEGIN", Some(_)) if value.eq_ignore_ascii_case("VCARD") => {
                return Err(FileError::Line {
                    line: start,
                    reason: "a new card begins before the previous one has END:VCARD".into(),
                })
            }
            ("END", Some(card)) if value.eq_ignore_ascii_case("VCARD") => {
                card.push(property);
                cards.push(current.take().unwrap_or_default());
            }
            (_, Some(card)) => card.push(property),
            (_, None) => {
                return Err(FileError::Line {
                    line: start,
                    reason: "is outside a card; cards start with BEGIN:VCARD".into(),
                })
            }
        }
    }
    if let Some(card) = current {
        return Err(FileError::Line {
            line: card.first().map(|p| p.line).unwrap_or(0),
            reason: "this card has no END:VCARD".into(),
        });
    }
    if cards.is_empty() {
        return Err(FileError::Whole(
            "the file holds no vCard (BEGIN:VCARD … END:VCARD)".into(),
        ));
    }
    Ok(cards)
}

fn strip_eol(line: &str) -> &str {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
}

/// `NAME;PARAM="a:b":value` → (`NAME;PARAM="a:b"`, `value`).
fn split_head(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Splits on `sep` where it is not escaped.
fn split_unescaped(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            parts.last_mut().expect("one part").push('\\');
            parts.last_mut().expect("one part").push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
    }
    parts.into_iter().map(|p| unescape(&p)).collect()
}

/// The fields Roxy keeps, as a card states them.
fn fields_of(card: &[Property]) -> ContactForm {
    let first = |name: &str| {
        card.iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    };
    let mut name = first("FN").map(unescape).unwrap_or_default();
    if name.trim().is_empty() {
        // N is family;given;additional;prefix;suffix.
        if let Some(n) = first("N") {
            let parts = split_unescaped(n, ';');
            let given = parts.get(1).cloned().unwrap_or_default();
            let family = parts.first().cloned().unwrap_or_default();
            name = format!("{given} {family}").trim().to_string();
        }
    }
    ContactForm {
        name,
        email: first("EMAIL").map(unescape).unwrap_or_default(),
        phone: first("TEL")
            .map(|v| unescape(v).trim_start_matches("tel:").to_string())
            .unwrap_or_default(),
        company: first("ORG")
            .map(|v| {
                split_unescaped(v, ';')
                    .into_iter()
                    .next()
                    .unwrap_or_default()
            })
            .unwrap_or_default(),
        tags: first("CATEGORIES")
            .map(|v| split_unescaped(v, ',').join(", "))
            .unwrap_or_default(),
        notes: first("NOTE").map(unescape).unwrap_or_default(),
    }
}

/// Reads a vCard file into an import plan: one row per card, bad cards listed by line.
pub fn read(text: &str) -> Result<Plan, FileError> {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for card in cards(text)? {
        let line = card.first().map(|p| p.line).unwrap_or(0);
        let version = card
            .iter()
            .find(|p| p.name == "VERSION")
            .map(|p| p.value.trim().to_string());
        match version.as_deref() {
            Some("3.0" | "4.0") => {}
            other => {
                bad.push(BadRow {
                    line,
                    reason: format!(
                        "VERSION {} is not supported; Roxy reads vCard 3.0 and 4.0",
                        other.unwrap_or("(missing)")
                    ),
                });
                continue;
            }
        }
        match fields_of(&card).validate() {
            Ok(draft) => rows.push(PlannedRow {
                line,
                draft,
                duplicate_of: None,
                vcard: card.iter().map(|p| p.raw.as_str()).collect(),
            }),
            Err(errors) => bad.push(BadRow {
                line: field_line(&card, &errors[0]).unwrap_or(line),
                reason: errors
                    .iter()
                    .map(FieldError::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        }
    }
    Ok(Plan {
        headers: Vec::new(),
        mapping: vec![("vCard".into(), Target::Name)],
        rows,
        bad,
    })
}

fn field_line(card: &[Property], error: &FieldError) -> Option<u64> {
    let name = match error.field.as_str() {
        "name" => "FN",
        "email" => "EMAIL",
        "phone" => "TEL",
        "company" => "ORG",
        "tags" => "CATEGORIES",
        "notes" => "NOTE",
        _ => return None,
    };
    card.iter().find(|p| p.name == name).map(|p| p.line)
}

/// The card for `contact`: its imported card with changed fields rewritten, or a new 4.0 card.
pub fn render(contact: &Contact, imported: &str) -> String {
    let mut card = cards(imported)
        .ok()
        .and_then(|mut c| c.pop())
        .unwrap_or_default();
    let eol = if card.first().is_some_and(|p| p.raw.ends_with("\r\n")) || card.is_empty() {
        "\r\n"
    } else {
        "\n"
    };
    if card.is_empty() {
        let fresh = format!(
            "BEGIN:VCARD{eol}VERSION:4.0{eol}UID:urn:roxy:contact:{}{eol}END:VCARD{eol}",
            contact.id
        );
        card = cards(&fresh)
            .ok()
            .and_then(|mut c| c.pop())
            .unwrap_or_default();
    }
    // Compared after the same checks import applies, so an unchanged contact matches its card.
    let stated = fields_of(&card).validate().ok();
    let sorted = |tags: &[String]| {
        let mut t: Vec<String> = tags.iter().map(|t| t.to_lowercase()).collect();
        t.sort();
        t.join(",")
    };
    let was = |f: fn(&super::model::ContactDraft) -> String| stated.as_ref().map(f);
    let wanted: [(&str, Option<String>, String, String); 6] = [
        (
            "FN",
            was(|d| d.name.clone()),
            contact.name.clone(),
            escape(&contact.name),
        ),
        (
            "EMAIL",
            was(|d| d.email.clone()),
            contact.email.clone(),
            escape(&contact.email),
        ),
        (
            "TEL",
            was(|d| d.phone.clone()),
            contact.phone.clone(),
            escape(&contact.phone),
        ),
        (
            "ORG",
            was(|d| d.company.clone()),
            contact.company.clone(),
            escape(&contact.company),
        ),
        (
            "CATEGORIES",
            stated.as_ref().map(|d| sorted(&d.tags)),
            sorted(&contact.tags),
            contact
                .tags
                .iter()
                .map(|t| escape(t))
                .collect::<Vec<_>>()
                .join(","),
        ),
        (
            "NOTE",
            was(|d| d.notes.clone()),
            contact.notes.clone(),
            escape(&contact.notes),
        ),
    ];
    for (name, before, after, encoded) in wanted {
        if before.as_deref() == Some(after.as_str()) {
            continue;
        }
        let at = card.iter().position(|p| p.name == name);
        match (at, after.is_empty()) {
            (Some(i), true) => {
                card.remove(i);
            }
            (Some(i), false) => {
                let head = head_of(&card[i]);
                card[i].raw = fold(&format!("{head}:{encoded}"), eol);
            }
            (None, true) => {}
            (None, false) => {
                let end = card.len().saturating_sub(1);
                card.insert(
                    end,
                    Property {
                        raw: fold(&format!("{name}:{encoded}"), eol),
                        name: name.to_string(),
                        value: encoded,
                        line: 0,
                    },
                );
            }
        }
    }
    card.iter().map(|p| p.raw.as_str()).collect()
}

/// The property's name and parameters as written, e.g. `item1.EMAIL;TYPE=work`.
fn head_of(property: &Property) -> String {
    let mut logical = String::new();
    for (i, line) in property.raw.split_inclusive('\n').enumerate() {
        let line = strip_eol(line);
        logical.push_str(if i == 0 { line } else { &line[1..] });
    }
    split_head(&logical)
        .map(|(h, _)| h.to_string())
        .unwrap_or_else(|| property.name.clone())
}

/// Folds a content line at 75 octets without splitting a character (RFC 6350 §3.2).
fn fold(line: &str, eol: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str(eol);
            out.push(' ');
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str(eol);
    out
}

impl Crm {
    /// Cards for the given contacts (all when empty), oldest first.
    pub async fn export_vcards(&self, ids: &[i64]) -> Result<String, CrmError> {
        let ids = if ids.is_empty() {
            self.all_contact_ids().await?
        } else {
            ids.to_vec()
        };
        let mut conn = self.pool.acquire().await?;
        let mut out = String::new();
        for id in ids {
            let contact = read_contact(&mut conn, id).await?;
            let imported: String = sqlx::query("SELECT vcard FROM crm_contacts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            out.push_str(&render(&contact, &imported));
        }
        Ok(out)
    }

    pub(super) async fn all_contact_ids(&self) -> Result<Vec<i64>, CrmError> {
        Ok(
            sqlx::query("SELECT id FROM crm_contacts WHERE deleted_at IS NULL ORDER BY id")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
        EMAIL;TYPE=work:ada@example.org\r\nEMAIL;TYPE=home:ada@home.example\r\n\
        ORG:Analytical Engines;Research\r\nCATEGORIES:vip,math\r\n\
        NOTE:Line one\\nLine two\\, with comma and a very long tail that needs fold\r\n ing at seventy-five\r\n\
        X-CUSTOM;FOO=\"a:b\":kept\r\nEND:VCARD\r\n";

    #[test]
    fn a_card_is_read_into_fields() {
        let plan = read(CARD).unwrap();
        assert!(plan.bad.is_empty(), "{:?}", plan.bad);
        let draft = &plan.rows[0].draft;
        assert_eq!(draft.name, "Ada Lovelace");
        assert_eq!(draft.email, "ada@example.org");
        assert_eq!(draft.company, "Analytical Engines");
        assert_eq!(draft.tags, vec!["vip", "math"]);
        assert!(
            draft.notes.starts_with("Line one\nLine two, with comma"),
            "{}",
            draft.notes
        );
        assert!(
            draft.notes.ends_with("folding at seventy-five"),
            "{}",
            draft.notes
        );
        assert_eq!(plan.rows[0].vcard, CARD);
    }

    fn contact_from(form: &ContactForm) -> Contact {
        let draft = form.validate().unwrap();
        Contact {
            id: 7,
            name: draft.name,
            email: draft.email,
            phone: draft.phone,
            company: draft.company,
            tags: draft.tags,
            notes: draft.notes,
            score: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn an_unchanged_contact_exports_the_same_bytes() {
        let plan = read(CARD).unwrap();
        let contact = contact_from(&fields_of(&cards(CARD).unwrap()[0]));
        assert_eq!(render(&contact, &plan.rows[0].vcard), CARD);
    }

    #[test]
    fn a_changed_field_rewrites_only_its_property() {
        let mut contact = contact_from(&fields_of(&cards(CARD).unwrap()[0]));
        contact.email = "ada@analytical.example".into();
        contact.phone = "+44 20 1234".into();
        let out = render(&contact, CARD);
        assert!(
            out.contains("EMAIL;TYPE=work:ada@analytical.example\r\n"),
            "{out}"
        );
        assert!(out.contains("EMAIL;TYPE=home:ada@home.example\r\n"));
        assert!(out.contains("TEL:+44 20 1234\r\nEND:VCARD\r\n"), "{out}");
        assert!(out.contains("X-CUSTOM;FOO=\"a:b\":kept\r\n"));
    }

    #[test]
    fn a_new_contact_gets_a_folded_4_0_card() {
        let contact = contact_from(&ContactForm {
            name: "Grace Hopper".into(),
            notes: "x".repeat(100),
            ..Default::default()
        });
        let out = render(&contact, "");
        assert!(
            out.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:roxy:contact:7\r\n"),
            "{out}"
        );
        assert!(out.contains("FN:Grace Hopper\r\n"));
        assert!(out.lines().all(|l| l.len() <= 76), "{out}");
        let back = read(&out).unwrap();
        assert_eq!(back.rows[0].draft.notes, "x".repeat(100));
    }

    #[test]
    fn bad_cards_name_their_line() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Old\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad\r\nEMAIL:nope\r\nEND:VCARD\r\n";
        let plan = read(text).unwrap();
        assert_eq!(plan.bad.len(), 2);
        assert_eq!(plan.bad[0].line, 1);
        assert!(plan.bad[0].reason.contains("2.1"));
        assert_eq!(plan.bad[1].line, 8);
        let err = read("BEGIN:VCARD\r\nFN:x\r\n").unwrap_err();
        assert!(err.to_string().contains("no END:VCARD"), "{err}");
    }
}
