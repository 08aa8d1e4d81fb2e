//! What the CRM sends over the bus, and the translated words for it (score explanations,
//! money, kinds), shared by the GUI and roxyctl.

use crate::i18n::{fill, gettext};
use serde::{Deserialize, Serialize};
use zbus::zvariant::Type;

/// A search with words on the embedded database lists at most this many matches and reports
/// more as this plus one (roxy-core's `TEXT_MATCH_LIMIT`).
pub const TEXT_MATCH_LIMIT: i64 = 500;

/// Which contacts to list: filters first, then the words, then the order and the page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ContactQueryInfo {
    pub text: String,
    /// Empty: any tag.
    pub tag: String,
    /// 0: any stage.
    pub stage_id: i64,
    /// -1: no bound.
    pub min_score: i64,
    pub max_score: i64,
    /// `name`, `score` or `updated`.
    pub sort: String,
    pub offset: i64,
    pub limit: i64,
}

/// One line of the contact list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ContactRowInfo {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    /// -1: no open lead.
    pub score: i64,
}

/// The fields of a contact as a person types them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ContactFormInfo {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    /// Comma-separated.
    pub tags: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ContactInfo {
    pub id: i64,
    pub form: ContactFormInfo,
    pub score: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A bad value in one field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct FieldErrorInfo {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct LeadFormInfo {
    pub contact_id: i64,
    pub source: String,
    /// new, contacted, qualified, disqualified or converted.
    pub status: String,
    pub value: String,
    pub next_action: String,
    /// `YYYY-MM-DD` or empty.
    pub next_action_due: String,
    pub budget: String,
    /// unknown, none, influencer or decision_maker.
    pub authority: String,
    /// unknown, none, low, medium or high.
    pub need: String,
    pub decision_date: String,
}

/// One component of a BANT score and why it earned its points.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ScorePartInfo {
    /// budget, authority, need or timeline.
    pub component: String,
    pub points: u32,
    pub max: u32,
    /// budget_not_stated, budget_met, budget_below, authority, need, timeline_not_set,
    /// timeline_passed, timeline_within or timeline_beyond.
    pub reason: String,
    pub stated_cents: i64,
    pub threshold_cents: i64,
    /// The authority or need level.
    pub level: String,
    pub date: String,
    pub days: i64,
    pub limit_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct LeadInfo {
    pub id: i64,
    pub contact_name: String,
    pub form: LeadFormInfo,
    pub value_cents: i64,
    pub score: i64,
    /// Filled when one lead is asked for.
    pub explanation: Vec<ScorePartInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct StageInfo {
    /// 0 for a new stage.
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub probability: i64,
    /// open, won or lost.
    pub outcome: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DealFormInfo {
    pub lead_id: i64,
    pub title: String,
    /// 0: the first open stage.
    pub stage_id: i64,
    pub value: String,
    pub close_date: String,
    /// Empty: the stage's probability.
    pub probability: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DealInfo {
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
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ForecastLineInfo {
    /// Stage name or `YYYY-MM`; empty for deals without a close date.
    pub label: String,
    pub deals: i64,
    pub total_cents: i64,
    pub weighted_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ForecastInfo {
    pub stages: Vec<ForecastLineInfo>,
    pub months: Vec<ForecastLineInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct InteractionInfo {
    pub id: i64,
    pub contact_id: i64,
    /// call, email, meeting or note.
    pub kind: String,
    pub at: i64,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TodayInfo {
    pub lead_id: i64,
    pub contact_id: i64,
    pub contact_name: String,
    pub action: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DuplicateInfo {
    /// email or phone.
    pub key: String,
    pub value: String,
    pub contact_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct BadRowInfo {
    pub line: u64,
    pub reason: String,
}

/// What an import would do (the dry run) or did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ImportReportInfo {
    /// `column → field` as used (CSV).
    pub mapping: Vec<(String, String)>,
    /// Rows that can be imported.
    pub good: u64,
    pub bad: Vec<BadRowInfo>,
    /// (line, existing contact id or 0 for an earlier line, name) of rows that match a contact.
    pub duplicates: Vec<(u64, i64, String)>,
    /// Filled after the import.
    pub created: u64,
    pub merged: u64,
    pub skipped: u64,
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct BantConfigInfo {
    pub budget_weight: u32,
    pub authority_weight: u32,
    pub need_weight: u32,
    pub timeline_weight: u32,
    pub budget_threshold_cents: i64,
    pub timeline_full_days: u32,
    pub timeline_half_days: u32,
}

/// Cents as a figure with two decimals and thousands separators: `12,000.50`.
pub fn money(cents: i64) -> String {
    let whole = (cents / 100).abs().to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped}.{:02}", (cents % 100).abs())
}

/// Cents as a short figure for explanations: `12k`, `1.5m`, `950`.
pub fn short_money(cents: i64) -> String {
    let units = cents as f64 / 100.0;
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    };
    if units >= 1_000_000.0 {
        format!("{}m", trim(format!("{:.1}", units / 1_000_000.0)))
    } else if units >= 1_000.0 {
        format!("{}k", trim(format!("{:.1}", units / 1_000.0)))
    } else {
        trim(format!("{units:.2}"))
    }
}

pub fn component_label(component: &str) -> String {
    match component {
        "budget" => gettext("Budget"),
        "authority" => gettext("Authority"),
        "need" => gettext("Need"),
        "timeline" => gettext("Timeline"),
        other => other.to_owned(),
    }
}

pub fn level_label(level: &str) -> String {
    match level {
        "unknown" => gettext("unknown"),
        "none" => gettext("none"),
        "influencer" => gettext("influencer"),
        "decision_maker" => gettext("decision maker"),
        "low" => gettext("low"),
        "medium" => gettext("medium"),
        "high" => gettext("high"),
        other => other.to_owned(),
    }
}

pub fn status_label(status: &str) -> String {
    match status {
        "new" => gettext("New"),
        "contacted" => gettext("Contacted"),
        "qualified" => gettext("Qualified"),
        "disqualified" => gettext("Disqualified"),
        "converted" => gettext("Converted"),
        other => other.to_owned(),
    }
}

pub fn interaction_label(kind: &str) -> String {
    match kind {
        "call" => gettext("Call"),
        "email" => gettext("Email"),
        "meeting" => gettext("Meeting"),
        "note" => gettext("Note"),
        other => other.to_owned(),
    }
}

/// "Budget 25/25: stated 12k ≥ 10k threshold".
pub fn explain(part: &ScorePartInfo) -> String {
    let stated = short_money(part.stated_cents);
    let threshold = short_money(part.threshold_cents);
    let level = level_label(&part.level);
    let why = match part.reason.as_str() {
        "budget_not_stated" => gettext("no budget stated"),
        "budget_met" => fill(&gettext("stated {} ≥ {} threshold"), &[&stated, &threshold]),
        "budget_below" => fill(
            &gettext("stated {} is below the {} threshold"),
            &[&stated, &threshold],
        ),
        "authority" => fill(&gettext("contact is {}"), &[&level]),
        "need" => fill(&gettext("need is {}"), &[&level]),
        "timeline_not_set" => gettext("no decision date"),
        "timeline_passed" => fill(&gettext("decision date {} has passed"), &[&part.date]),
        "timeline_within" => fill(
            &gettext("decision on {}, in {} days (within {})"),
            &[&part.date, &part.days, &part.limit_days],
        ),
        "timeline_beyond" => fill(
            &gettext("decision on {}, in {} days (beyond {})"),
            &[&part.date, &part.days, &part.limit_days],
        ),
        other => other.to_owned(),
    };
    format!(
        "{} {}/{}: {why}",
        component_label(&part.component),
        part.points,
        part.max
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_read_as_sentences() {
        let part = ScorePartInfo {
            component: "budget".into(),
            points: 25,
            max: 25,
            reason: "budget_met".into(),
            stated_cents: 1_200_000,
            threshold_cents: 1_000_000,
            ..Default::default()
        };
        assert_eq!(explain(&part), "Budget 25/25: stated 12k ≥ 10k threshold");
        let part = ScorePartInfo {
            component: "authority".into(),
            points: 12,
            max: 25,
            reason: "authority".into(),
            level: "influencer".into(),
            ..Default::default()
        };
        assert_eq!(explain(&part), "Authority 12/25: contact is influencer");
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(money(1_200_050), "12,000.50");
        assert_eq!(money(95), "0.95");
        assert_eq!(money(12_345_678_900), "123,456,789.00");
        assert_eq!(short_money(150_000_000), "1.5m");
        assert_eq!(short_money(1_200_000), "12k");
        assert_eq!(short_money(1_250_000), "12.5k");
        assert_eq!(short_money(95_000), "950");
    }
}
