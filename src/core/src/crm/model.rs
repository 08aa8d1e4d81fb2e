//! The CRM records, and the forms that create or change them. Forms carry text as a person
//! typed it; `validate` turns a form into a draft or into one error per bad field.

use super::bant::{Authority, BantInputs, Component, Need};
use super::{fields, FieldError};
use serde::{Deserialize, Serialize};

pub const MAX_NAME: usize = 200;
pub const MAX_NOTES: usize = 20_000;
pub const MAX_TAGS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Company name; a company of that name is found or created.
    pub company: String,
    /// Comma-separated.
    pub tags: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactDraft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub tags: Vec<String>,
    pub notes: String,
}

impl ContactForm {
    pub fn validate(&self) -> Result<ContactDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| {
            r.unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            })
        };
        let name = take(fields::required_text("name", &self.name, MAX_NAME));
        let email = take(fields::email("email", &self.email));
        let phone = take(fields::phone("phone", &self.phone));
        let company = take(fields::optional_text("company", &self.company, MAX_NAME));
        let notes = take(fields::optional_text("notes", &self.notes, MAX_NOTES));
        let tags = parse_tags(&self.tags);
        if tags.len() > MAX_TAGS {
            errors.push(FieldError::new(
                "tags",
                format!("has {} tags; at most {MAX_TAGS} are allowed", tags.len()),
            ));
        }
        if let Some(long) = tags.iter().find(|t| t.chars().count() > 60) {
            errors.push(FieldError::new(
                "tags",
                format!("`{long}` is longer than 60 characters"),
            ));
        }
        if errors.is_empty() {
            Ok(ContactDraft {
                name,
                email,
                phone,
                company,
                tags,
                notes,
            })
        } else {
            Err(errors)
        }
    }
}

/// Tags from comma-separated text: trimmed, empty ones dropped, duplicates (any case) once.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_string());
        }
    }
    tags
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub tags: Vec<String>,
    pub notes: String,
    pub score: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Contact {
    pub fn form(&self) -> ContactForm {
        ContactForm {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            company: self.company.clone(),
            tags: self.tags.join(", "),
            notes: self.notes.clone(),
        }
    }
}

/// One line of a contact list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub score: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    New,
    Contacted,
    Qualified,
    Disqualified,
    Converted,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] = [
        LeadStatus::New,
        LeadStatus::Contacted,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
        LeadStatus::Converted,
    ];

    pub fn id(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
            LeadStatus::Converted => "converted",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(LeadStatus::New);
        }
        Self::ALL.into_iter().find(|s| s.id() == value).ok_or_else(|| {
            FieldError::new(
                field,
                format!("`{value}` is not a lead status; use new, contacted, qualified, disqualified or converted"),
            )
        })
    }

    /// Open leads count towards a contact's score and the today list.
    pub fn is_open(self) -> bool {
        !matches!(self, LeadStatus::Disqualified | LeadStatus::Converted)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadForm {
    pub contact_id: i64,
    pub source: String,
    pub status: String,
    pub value: String,
    pub next_action: String,
    pub next_action_due: String,
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub decision_date: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeadDraft {
    pub contact_id: i64,
    pub source: String,
    pub status: LeadStatus,
    pub value_cents: i64,
    pub next_action: String,
    pub next_action_due: String,
    pub bant: BantInputs,
}

impl LeadForm {
    pub fn validate(&self) -> Result<LeadDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |e: FieldError| errors.push(e);
        if self.contact_id <= 0 {
            keep(FieldError::new(
                "contact",
                "choose the contact this lead is about".into(),
            ));
        }
        let source = fields::optional_text("source", &self.source, MAX_NAME).unwrap_or_else(|e| {
            keep(e);
            String::new()
        });
        let status = LeadStatus::parse("status", &self.status).unwrap_or_else(|e| {
            keep(e);
            LeadStatus::New
        });
        let value_cents = optional_amount("value", &self.value).unwrap_or_else(|e| {
            keep(e);
            None
        });
        let next_action = fields::optional_text("next_action", &self.next_action, MAX_NAME)
            .unwrap_or_else(|e| {
                keep(e);
                String::new()
            });
        let next_action_due = fields::date("next_action_due", &self.next_action_due)
            .unwrap_or_else(|e| {
                keep(e);
                String::new()
            });
        let budget_cents = optional_amount("budget", &self.budget).unwrap_or_else(|e| {
            keep(e);
            None
        });
        let authority = if self.authority.trim().is_empty() {
            Authority::Unknown
        } else {
            Authority::parse("authority", &self.authority).unwrap_or_else(|e| {
                keep(e);
                Authority::Unknown
            })
        };
        let need = if self.need.trim().is_empty() {
            Need::Unknown
        } else {
            Need::parse("need", &self.need).unwrap_or_else(|e| {
                keep(e);
                Need::Unknown
            })
        };
        let decision_date =
            fields::date("decision_date", &self.decision_date).unwrap_or_else(|e| {
                keep(e);
                String::new()
            });
        if !next_action_due.is_empty() && next_action.is_empty() {
            keep(FieldError::new(
                "next_action",
                "say what is due on the date you set".into(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LeadDraft {
            contact_id: self.contact_id,
            source,
            status,
            value_cents: value_cents.unwrap_or(0),
            next_action,
            next_action_due,
            bant: BantInputs {
                budget_cents,
                authority,
                need,
                decision_date,
            },
        })
    }
}

fn optional_amount(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        fields::amount(field, raw).map(Some)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lead {
    pub id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub source: String,
    pub status: LeadStatus,
    pub value_cents: i64,
    pub next_action: String,
    pub next_action_due: String,
    pub bant: BantInputs,
    pub score: i64,
    /// Filled in when the lead is read on its own: why it has its score.
    pub explanation: Vec<Component>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Open,
    Won,
    Lost,
}

impl Outcome {
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Outcome::Open),
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub name: String,
    pub position: i64,
    /// Default chance of a deal in this stage, in percent.
    pub probability: i64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DealForm {
    pub lead_id: i64,
    pub title: String,
    pub stage_id: i64,
    pub value: String,
    pub close_date: String,
    /// Percent; empty takes the stage's probability.
    pub probability: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealDraft {
    pub lead_id: i64,
    pub title: String,
    pub stage_id: i64,
    pub value_cents: i64,
    pub close_date: String,
    pub probability: Option<i64>,
}

impl DealForm {
    pub fn validate(&self) -> Result<DealDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.lead_id <= 0 {
            errors.push(FieldError::new(
                "lead",
                "choose the lead this deal comes from".into(),
            ));
        }
        let title = fields::required_text("title", &self.title, MAX_NAME).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let value_cents = optional_amount("value", &self.value).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let close_date = fields::date("close_date", &self.close_date).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let probability = match self.probability.trim() {
            "" => None,
            text => match text.trim_end_matches('%').trim().parse::<i64>() {
                Ok(p) => fields::percent("probability", p)
                    .map_err(|e| errors.push(e))
                    .ok(),
                Err(_) => {
                    errors.push(FieldError::new(
                        "probability",
                        format!("`{text}` is not a percentage; use 0 to 100"),
                    ));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DealDraft {
            lead_id: self.lead_id,
            title,
            stage_id: self.stage_id,
            value_cents: value_cents.unwrap_or(0),
            close_date,
            probability,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub id: i64,
    pub lead_id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub title: String,
    pub stage_id: i64,
    pub position: i64,
    pub value_cents: i64,
    pub close_date: String,
    pub probability: i64,
    /// Why it was won or lost.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    Call,
    Email,
    Meeting,
    Note,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 4] = [
        InteractionKind::Call,
        InteractionKind::Email,
        InteractionKind::Meeting,
        InteractionKind::Note,
    ];

    pub fn id(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Email => "email",
            InteractionKind::Meeting => "meeting",
            InteractionKind::Note => "note",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{value}` is not an interaction type; use call, email, meeting or note"
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: i64,
    pub contact_id: i64,
    pub kind: InteractionKind,
    /// Unix milliseconds.
    pub at: i64,
    pub notes: String,
}

/// Open and weighted value of the deals in one stage or one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLine {
    /// Stage name, or `YYYY-MM` of the close date (empty: no close date).
    pub label: String,
    pub deals: i64,
    pub total_cents: i64,
    pub weighted_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub stages: Vec<ForecastLine>,
    pub months: Vec<ForecastLine>,
}

/// A next action that is due today or overdue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodayItem {
    pub lead_id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub action: String,
    pub due: String,
    pub overdue: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_form_reports_every_bad_field() {
        let form = ContactForm {
            name: " ".into(),
            email: "ada@".into(),
            phone: "x".into(),
            ..Default::default()
        };
        let errors = form.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "email", "phone"]);
    }

    #[test]
    fn tags_are_split_and_deduplicated() {
        assert_eq!(parse_tags(" vip, VIP ,, studio"), vec!["vip", "studio"]);
    }

    #[test]
    fn a_lead_form_checks_amounts_dates_and_enums() {
        let form = LeadForm {
            contact_id: 1,
            value: "12k".into(),
            budget: "ten".into(),
            next_action_due: "2026-02-30".into(),
            authority: "boss".into(),
            ..Default::default()
        };
        let errors = form.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["next_action_due", "budget", "authority"]);
        let ok = LeadForm {
            contact_id: 1,
            value: "12k".into(),
            authority: "decision_maker".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.value_cents, 1_200_000);
        assert_eq!(ok.bant.authority, Authority::DecisionMaker);
    }

    #[test]
    fn a_deal_form_checks_probability() {
        let form = DealForm {
            lead_id: 1,
            title: "Studio".into(),
            probability: "140".into(),
            ..Default::default()
        };
        assert_eq!(form.validate().unwrap_err()[0].field, "probability");
        let form = DealForm {
            probability: "40%".into(),
            ..form
        };
        assert_eq!(form.validate().unwrap().probability, Some(40));
    }
}
