//! `METRIC OP NUMBER`, e.g. `disk.root_used_pct > 90` or `check.*.latency_ms >= 500`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
    Equal,
    NotEqual,
}

impl Comparison {
    const ALL: [(&'static str, Comparison); 6] = [
        (">=", Comparison::AtLeast),
        ("<=", Comparison::AtMost),
        ("==", Comparison::Equal),
        ("!=", Comparison::NotEqual),
        (">", Comparison::Above),
        ("<", Comparison::Below),
    ];

    pub fn symbol(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(s, _)| *s)
            .unwrap_or("?")
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
            Comparison::Equal => value == threshold,
            Comparison::NotEqual => value != threshold,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// A metric name; one `*` stands for any non-empty run of characters, so `check.*.up`
    /// matches `check.web.up` and `check.api.v2.up`.
    pub metric: String,
    pub comparison: Comparison,
    pub threshold: f64,
}

/// Where and why a condition cannot be read; `column` counts characters from 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {problem}")]
pub struct ConditionError {
    pub column: usize,
    pub problem: String,
}

fn error(column: usize, problem: impl Into<String>) -> ConditionError {
    ConditionError {
        column,
        problem: problem.into(),
    }
}

impl Condition {
    pub fn parse(text: &str) -> Result<Self, ConditionError> {
        let metric_end = text
            .find(|c: char| c.is_whitespace() || "<>=!".contains(c))
            .unwrap_or(text.len());
        let metric = text[..metric_end].trim();
        let leading = text.len() - text.trim_start().len();
        if metric.is_empty() {
            return Err(error(
                leading + 1,
                "expected a metric name, such as cpu or disk.root_used_pct",
            ));
        }
        if let Some(bad) = metric
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || "._-*".contains(*c)))
        {
            return Err(error(
                leading + bad.0 + 1,
                format!("“{}” cannot be part of a metric name", bad.1),
            ));
        }
        if metric.matches('*').count() > 1 {
            return Err(error(leading + 1, "a metric may contain at most one “*”"));
        }
        let rest = &text[metric_end..];
        let op_start = metric_end + (rest.len() - rest.trim_start().len());
        let rest = rest.trim_start();
        let Some((symbol, comparison)) = Comparison::ALL
            .iter()
            .find(|(symbol, _)| rest.starts_with(symbol))
        else {
            return Err(error(
                op_start + 1,
                "expected one of >, >=, <, <=, ==, != after the metric",
            ));
        };
        let number = rest[symbol.len()..].trim();
        let number_start = text.len() - rest[symbol.len()..].trim_start().len();
        let threshold: f64 = number
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| {
                error(
                    number_start + 1,
                    format!("expected a number after {symbol}, found “{number}”"),
                )
            })?;
        Ok(Self {
            metric: metric.to_owned(),
            comparison: *comparison,
            threshold,
        })
    }

    /// Whether the condition covers this metric.
    pub fn matches(&self, metric: &str) -> bool {
        match self.metric.split_once('*') {
            None => self.metric == metric,
            Some((prefix, suffix)) => {
                metric.len() > prefix.len() + suffix.len()
                    && metric.starts_with(prefix)
                    && metric.ends_with(suffix)
            }
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric,
            self.comparison.symbol(),
            self.threshold
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_spaces() {
        let c = Condition::parse("disk.root_used_pct > 90").unwrap();
        assert_eq!(c.metric, "disk.root_used_pct");
        assert_eq!(c.comparison, Comparison::Above);
        assert_eq!(c.threshold, 90.0);
        let c = Condition::parse("check.*.latency_ms>=500.5").unwrap();
        assert_eq!(c.comparison, Comparison::AtLeast);
        assert_eq!(c.threshold, 500.5);
        assert_eq!(c.to_string(), "check.*.latency_ms >= 500.5");
    }

    #[test]
    fn errors_point_at_the_column() {
        assert_eq!(Condition::parse("cpu 90").unwrap_err().column, 5);
        let e = Condition::parse("cpu > ninety").unwrap_err();
        assert_eq!(e.column, 7);
        assert!(e.problem.contains("“ninety”"), "{e}");
        assert_eq!(Condition::parse("  > 3").unwrap_err().column, 3);
        assert_eq!(Condition::parse("cp/u > 3").unwrap_err().column, 3);
        assert!(Condition::parse("a.*.*.b > 1").is_err());
    }

    #[test]
    fn wildcards_match_one_or_more_characters() {
        let c = Condition::parse("check.*.up < 1").unwrap();
        assert!(c.matches("check.web.up"));
        assert!(c.matches("check.api.v2.up"));
        assert!(!c.matches("check..up.x"));
        assert!(!c.matches("check.up"));
        assert!(!c.matches("check.web.latency_ms"));
        let exact = Condition::parse("cpu > 1").unwrap();
        assert!(exact.matches("cpu") && !exact.matches("cpu.0"));
    }
}
