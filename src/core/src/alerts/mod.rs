//! Alert rules and the alerts they raise. A rule is a condition on a metric (`disk.root_used_pct
//! > 90`) held for a while; a `*` in the metric makes one alert per matching subject
//! (`check.*.up < 1` → one per check). Some alerts are raised by events instead of values
//! (a container Roxy gave up on): those use [`EVENT_RULES`].

pub mod condition;
pub mod evaluate;
pub mod store;

pub use condition::{Comparison, Condition, ConditionError};
pub use evaluate::{Evaluator, Transition};

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Critical,
    Warning,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "critical" => Some(Severity::Critical),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// 1–64 letters, digits, `-`, `_`, `.`.
    pub name: String,
    pub condition: Condition,
    /// The condition must hold this long before the alert fires.
    pub hold: Duration,
    pub severity: Severity,
    pub enabled: bool,
}

/// A rule that cannot be saved, naming the field and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("alert rule field `{field}`: {problem}")]
pub struct RuleError {
    pub field: &'static str,
    pub problem: String,
}

/// The longest hold a rule may ask for.
const MAX_HOLD: Duration = Duration::from_secs(24 * 3600);

impl Rule {
    /// Builds a rule from what a person typed, checking every field.
    pub fn parse(
        name: &str,
        condition: &str,
        hold: &str,
        severity: &str,
    ) -> Result<Self, RuleError> {
        if !crate::runbook::is_secret_name(name) {
            return Err(RuleError {
                field: "name",
                problem: format!("“{name}” must be 1–64 letters, digits, “-”, “_” or “.”"),
            });
        }
        let condition = Condition::parse(condition).map_err(|e| RuleError {
            field: "condition",
            problem: e.to_string(),
        })?;
        let hold = if hold.trim().is_empty() {
            Duration::ZERO
        } else {
            match humantime::parse_duration(hold.trim()) {
                Ok(d) if d <= MAX_HOLD => d,
                _ => {
                    return Err(RuleError {
                        field: "for",
                        problem: format!(
                            "“{hold}” is not a duration up to 24h, such as 0s, 30s or 5m"
                        ),
                    })
                }
            }
        };
        let severity = Severity::parse(severity).ok_or_else(|| RuleError {
            field: "severity",
            problem: format!("“{severity}” is not one of: critical, warning"),
        })?;
        Ok(Self {
            name: name.to_owned(),
            condition,
            hold,
            severity,
            enabled: true,
        })
    }
}

/// Rules every installation starts with; people may change or disable them.
pub fn default_rules() -> Vec<Rule> {
    let rule = |name: &str, condition: &str, hold: &str, severity: &str| {
        Rule::parse(name, condition, hold, severity).expect("built-in rules are valid")
    };
    vec![
        rule(
            "disk-almost-full",
            "disk.root_used_pct > 90",
            "5m",
            "critical",
        ),
        rule("check-down", "check.*.up < 1", "0s", "critical"),
        rule(
            "certificate-expiring",
            "check.*.cert_days < 14",
            "0s",
            "warning",
        ),
        rule("memory-exhausted", "mem.used_pct > 95", "2m", "warning"),
    ]
}

/// Alerts raised by events rather than by values: (rule name, severity).
/// The OBS ones are "obs-" and the stream-health issue (see [`obs_rule`]); their subject is
/// the OBS instance and their limits are the broadcast health thresholds.
pub const EVENT_RULES: [(&str, Severity); 7] = [
    (CONTAINER_GAVE_UP, Severity::Critical),
    ("obs-dropped-frames", Severity::Critical),
    ("obs-render-lag", Severity::Warning),
    ("obs-disk-low", Severity::Critical),
    ("obs-stream-disconnected", Severity::Critical),
    ("obs-stream-ended", Severity::Critical),
    ("obs-link-lost", Severity::Critical),
];
pub const CONTAINER_GAVE_UP: &str = "container-gave-up";

/// The event rule of an OBS stream-health issue ("dropped-frames" → "obs-dropped-frames").
pub fn obs_rule(issue: &str) -> String {
    format!("obs-{issue}")
}

/// One alert, open or resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: i64,
    pub rule: String,
    /// What it is about: the metric that matched (`check.web.up`) or the container's name.
    pub subject: String,
    pub severity: Severity,
    pub message: String,
    pub value: f64,
    pub fired_at_ms: i64,
    pub resolved_at_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_the_bad_field() {
        let e = Rule::parse("a b", "cpu > 1", "", "critical").unwrap_err();
        assert_eq!(e.field, "name");
        let e = Rule::parse("hot", "cpu >", "", "critical").unwrap_err();
        assert_eq!(e.field, "condition");
        let e = Rule::parse("hot", "cpu > 90", "soon", "critical").unwrap_err();
        assert_eq!(e.field, "for");
        assert!(e.to_string().contains("“soon”"), "{e}");
        let e = Rule::parse("hot", "cpu > 90", "1m", "loud").unwrap_err();
        assert_eq!(e.field, "severity");
    }

    #[test]
    fn default_rules_parse() {
        let rules = default_rules();
        assert!(rules.iter().any(|r| r.name == "check-down"));
        assert_eq!(rules[0].hold, Duration::from_secs(300));
    }
}
