//! BANT scoring: budget, authority, need and timeline give a 0–100 score, and every component
//! says why it earned its points. The words are formed by roxy-ipc (translated); here the
//! reasons are data.

use super::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who the contact is in the buying decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    Unknown,
    None,
    Influencer,
    DecisionMaker,
}

/// How badly the contact needs what is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Unknown,
    None,
    Low,
    Medium,
    High,
}

impl Authority {
    pub const ALL: [Authority; 4] = [
        Authority::Unknown,
        Authority::None,
        Authority::Influencer,
        Authority::DecisionMaker,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Authority::Unknown => "unknown",
            Authority::None => "none",
            Authority::Influencer => "influencer",
            Authority::DecisionMaker => "decision_maker",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|a| a.id() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("`{value}` is not an authority; use unknown, none, influencer or decision_maker"),
                )
            })
    }

    /// Share of the authority weight this earns, in percent.
    fn percent(self) -> u32 {
        match self {
            Authority::Unknown | Authority::None => 0,
            Authority::Influencer => 50,
            Authority::DecisionMaker => 100,
        }
    }
}

impl Need {
    pub const ALL: [Need; 5] = [
        Need::Unknown,
        Need::None,
        Need::Low,
        Need::Medium,
        Need::High,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Need::Unknown => "unknown",
            Need::None => "none",
            Need::Low => "low",
            Need::Medium => "medium",
            Need::High => "high",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|n| n.id() == value.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("`{value}` is not a need; use unknown, none, low, medium or high"),
                )
            })
    }

    fn percent(self) -> u32 {
        match self {
            Need::Unknown | Need::None => 0,
            Need::Low => 33,
            Need::Medium => 67,
            Need::High => 100,
        }
    }
}

/// Weights (adding up to 100) and thresholds of the score; kept in the CRM database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BantConfig {
    pub budget_weight: u32,
    pub authority_weight: u32,
    pub need_weight: u32,
    pub timeline_weight: u32,
    /// A stated budget at or above this earns the whole budget weight.
    pub budget_threshold_cents: i64,
    /// A decision within this many days earns the whole timeline weight…
    pub timeline_full_days: u32,
    /// …within this many, half of it.
    pub timeline_half_days: u32,
}

impl Default for BantConfig {
    fn default() -> Self {
        Self {
            budget_weight: 25,
            authority_weight: 25,
            need_weight: 25,
            timeline_weight: 25,
            budget_threshold_cents: 1_000_000,
            timeline_full_days: 90,
            timeline_half_days: 180,
        }
    }
}

impl BantConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        let sum =
            self.budget_weight + self.authority_weight + self.need_weight + self.timeline_weight;
        if sum != 100 {
            return Err(FieldError::new(
                "weights",
                format!("add up to {sum}; the four weights must add up to 100"),
            ));
        }
        if self.budget_threshold_cents <= 0 {
            return Err(FieldError::new(
                "budget_threshold",
                "must be more than 0".to_string(),
            ));
        }
        if self.timeline_full_days == 0 || self.timeline_half_days < self.timeline_full_days {
            return Err(FieldError::new(
                "timeline_days",
                format!(
                    "full ({}) must be at least 1 and half ({}) at least as many",
                    self.timeline_full_days, self.timeline_half_days
                ),
            ));
        }
        Ok(())
    }
}

/// What a lead states about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BantInputs {
    pub budget_cents: Option<i64>,
    pub authority: Authority,
    pub need: Need,
    /// Expected decision date, `YYYY-MM-DD` or empty.
    pub decision_date: String,
}

/// Why a component earned what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    BudgetNotStated,
    BudgetMet {
        stated_cents: i64,
        threshold_cents: i64,
    },
    BudgetBelow {
        stated_cents: i64,
        threshold_cents: i64,
    },
    Authority {
        authority: Authority,
    },
    Need {
        need: Need,
    },
    TimelineNotSet,
    TimelinePassed {
        date: String,
    },
    TimelineWithin {
        date: String,
        days: i64,
        limit_days: u32,
    },
    TimelineBeyond {
        date: String,
        days: i64,
        limit_days: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// `budget`, `authority`, `need` or `timeline`.
    pub name: &'static str,
    pub points: u32,
    pub max: u32,
    pub reason: Reason,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub total: u32,
    pub components: Vec<Component>,
}

/// Scores `inputs` as of `today`.
pub fn score(config: &BantConfig, inputs: &BantInputs, today: NaiveDate) -> Score {
    let components = vec![
        budget(config, inputs.budget_cents),
        Component {
            name: "authority",
            points: config.authority_weight * inputs.authority.percent() / 100,
            max: config.authority_weight,
            reason: Reason::Authority {
                authority: inputs.authority,
            },
        },
        Component {
            name: "need",
            points: (config.need_weight * inputs.need.percent() + 50) / 100,
            max: config.need_weight,
            reason: Reason::Need { need: inputs.need },
        },
        timeline(config, &inputs.decision_date, today),
    ];
    let total = components.iter().map(|c| c.points).sum::<u32>().min(100);
    Score { total, components }
}

fn budget(config: &BantConfig, stated: Option<i64>) -> Component {
    let max = config.budget_weight;
    let threshold_cents = config.budget_threshold_cents;
    let (points, reason) = match stated {
        None => (0, Reason::BudgetNotStated),
        Some(stated_cents) if stated_cents >= threshold_cents => (
            max,
            Reason::BudgetMet {
                stated_cents,
                threshold_cents,
            },
        ),
        Some(stated_cents) => (
            (max as i64 * stated_cents.max(0) / threshold_cents) as u32,
            Reason::BudgetBelow {
                stated_cents,
                threshold_cents,
            },
        ),
    };
    Component {
        name: "budget",
        points,
        max,
        reason,
    }
}

fn timeline(config: &BantConfig, decision_date: &str, today: NaiveDate) -> Component {
    let max = config.timeline_weight;
    let date = NaiveDate::parse_from_str(decision_date, "%Y-%m-%d").ok();
    let (points, reason) = match date {
        None => (0, Reason::TimelineNotSet),
        Some(d) if d < today => (
            0,
            Reason::TimelinePassed {
                date: decision_date.to_string(),
            },
        ),
        Some(d) => {
            let days = (d - today).num_days();
            let date = decision_date.to_string();
            if days <= config.timeline_full_days as i64 {
                let limit_days = config.timeline_full_days;
                (
                    max,
                    Reason::TimelineWithin {
                        date,
                        days,
                        limit_days,
                    },
                )
            } else if days <= config.timeline_half_days as i64 {
                let limit_days = config.timeline_half_days;
                (
                    max / 2,
                    Reason::TimelineWithin {
                        date,
                        days,
                        limit_days,
                    },
                )
            } else {
                let limit_days = config.timeline_half_days;
                (
                    0,
                    Reason::TimelineBeyond {
                        date,
                        days,
                        limit_days,
                    },
                )
            }
        }
    };
    Component {
        name: "timeline",
        points,
        max,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    fn inputs() -> BantInputs {
        BantInputs {
            budget_cents: Some(1_200_000),
            authority: Authority::DecisionMaker,
            need: Need::High,
            decision_date: "2026-12-10".into(),
        }
    }

    #[test]
    fn a_qualified_lead_scores_100_with_reasons() {
        let score = score(&BantConfig::default(), &inputs(), today());
        assert_eq!(score.total, 100);
        assert_eq!(
            score.components[0].reason,
            Reason::BudgetMet {
                stated_cents: 1_200_000,
                threshold_cents: 1_000_000
            }
        );
        assert_eq!(
            score.components[3].reason,
            Reason::TimelineWithin {
                date: "2026-12-10".into(),
                days: 19,
                limit_days: 90
            }
        );
    }

    #[test]
    fn partial_inputs_earn_partial_points() {
        let lead = BantInputs {
            budget_cents: Some(500_000),
            authority: Authority::Influencer,
            need: Need::Low,
            decision_date: "2027-04-01".into(),
        };
        let score = score(&BantConfig::default(), &lead, today());
        let points: Vec<u32> = score.components.iter().map(|c| c.points).collect();
        // 5k of 10k → 12; influencer → 12; low need → 8; 131 days → half of 25.
        assert_eq!(points, vec![12, 12, 8, 12]);
        assert_eq!(score.total, 44);
    }

    #[test]
    fn weights_and_thresholds_change_the_score() {
        let config = BantConfig {
            budget_weight: 40,
            authority_weight: 20,
            need_weight: 20,
            timeline_weight: 20,
            budget_threshold_cents: 2_000_000,
            timeline_full_days: 10,
            timeline_half_days: 30,
        };
        config.validate().unwrap();
        let score = score(&config, &inputs(), today());
        // 12k of 20k → 24 of 40; 19 days is within 30 → 10 of 20.
        assert_eq!(score.components[0].points, 24);
        assert_eq!(score.components[3].points, 10);
        assert_eq!(score.total, 24 + 20 + 20 + 10);
    }

    #[test]
    fn nothing_known_scores_zero_and_past_dates_earn_nothing() {
        let lead = BantInputs {
            budget_cents: None,
            authority: Authority::Unknown,
            need: Need::Unknown,
            decision_date: "2026-01-01".into(),
        };
        let score = score(&BantConfig::default(), &lead, today());
        assert_eq!(score.total, 0);
        assert_eq!(score.components[0].reason, Reason::BudgetNotStated);
        assert!(matches!(
            score.components[3].reason,
            Reason::TimelinePassed { .. }
        ));
    }

    #[test]
    fn bad_configs_are_refused() {
        let mut config = BantConfig {
            budget_weight: 30,
            ..BantConfig::default()
        };
        assert!(config.validate().unwrap_err().message.contains("105"));
        config.budget_weight = 25;
        config.timeline_half_days = 10;
        assert_eq!(config.validate().unwrap_err().field, "timeline_days");
        assert!(Authority::parse("authority", "boss").is_err());
        assert_eq!(Need::parse("need", "high").unwrap(), Need::High);
    }
}
