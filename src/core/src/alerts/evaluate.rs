//! Turns a stream of metric values into alert transitions: a condition that holds for the
//! rule's hold time fires once; when it stops holding the alert resolves once. A metric that
//! stays away for [`GONE_AFTER_MS`] (a removed check) resolves its alert too.

use super::Rule;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Fired {
        rule: String,
        subject: String,
        value: f64,
    },
    Resolved {
        rule: String,
        subject: String,
        value: f64,
    },
}

/// How long a firing alert's metric may be missing before the alert resolves: long enough
/// for slow checks to report after a restart of roxyd.
pub const GONE_AFTER_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Holding since this time, not long enough yet.
    Pending {
        since_ms: i64,
    },
    Firing,
}

/// Keeps, per rule and subject, whether the condition is pending or firing.
#[derive(Debug, Default)]
pub struct Evaluator {
    phases: HashMap<(String, String), Phase>,
    /// When each key's metric was last reported.
    last_seen: HashMap<(String, String), i64>,
}

impl Evaluator {
    /// Starts with alerts that were already firing (from the database), so a restart of
    /// roxyd neither repeats nor forgets them.
    pub fn with_firing(firing: impl IntoIterator<Item = (String, String)>, now_ms: i64) -> Self {
        let mut evaluator = Self::default();
        for key in firing {
            evaluator.last_seen.insert(key.clone(), now_ms);
            evaluator.phases.insert(key, Phase::Firing);
        }
        evaluator
    }

    pub fn evaluate(
        &mut self,
        rules: &[Rule],
        values: &[(String, f64)],
        now_ms: i64,
    ) -> Vec<Transition> {
        let mut transitions = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for rule in rules.iter().filter(|r| r.enabled) {
            for (metric, value) in values.iter().filter(|(m, _)| rule.condition.matches(m)) {
                let key = (rule.name.clone(), metric.clone());
                seen.insert(key.clone());
                self.last_seen.insert(key.clone(), now_ms);
                let holds = rule
                    .condition
                    .comparison
                    .holds(*value, rule.condition.threshold);
                match (self.phases.get(&key).copied(), holds) {
                    (None, true) => {
                        self.phases
                            .insert(key.clone(), Phase::Pending { since_ms: now_ms });
                        self.maybe_fire(rule, key, *value, now_ms, &mut transitions);
                    }
                    (Some(Phase::Pending { .. }), true) => {
                        self.maybe_fire(rule, key, *value, now_ms, &mut transitions)
                    }
                    (Some(Phase::Pending { .. }), false) => {
                        self.phases.remove(&key);
                    }
                    (Some(Phase::Firing), false) => {
                        self.phases.remove(&key);
                        transitions.push(Transition::Resolved {
                            rule: key.0,
                            subject: key.1,
                            value: *value,
                        });
                    }
                    (Some(Phase::Firing), true) | (None, false) => {}
                }
            }
        }
        // Rules removed or disabled at once, metrics after a while: their alerts end.
        let rule_names: std::collections::HashSet<&str> = rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| r.name.as_str())
            .collect();
        let gone: Vec<_> = self
            .phases
            .keys()
            .filter(|key| !seen.contains(*key))
            .filter(|key| {
                !rule_names.contains(key.0.as_str())
                    || now_ms - self.last_seen.get(*key).copied().unwrap_or(0) > GONE_AFTER_MS
            })
            .cloned()
            .collect();
        for key in gone {
            self.last_seen.remove(&key);
            if let Some(Phase::Firing) = self.phases.remove(&key) {
                transitions.push(Transition::Resolved {
                    rule: key.0,
                    subject: key.1,
                    value: f64::NAN,
                });
            }
        }
        transitions
    }

    fn maybe_fire(
        &mut self,
        rule: &Rule,
        key: (String, String),
        value: f64,
        now_ms: i64,
        transitions: &mut Vec<Transition>,
    ) {
        let Some(Phase::Pending { since_ms }) = self.phases.get(&key).copied() else {
            return;
        };
        if now_ms - since_ms >= rule.hold.as_millis() as i64 {
            self.phases.insert(key.clone(), Phase::Firing);
            transitions.push(Transition::Fired {
                rule: key.0,
                subject: key.1,
                value,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(condition: &str, hold: &str) -> Rule {
        Rule::parse("r", condition, hold, "critical").unwrap()
    }

    fn v(metric: &str, value: f64) -> Vec<(String, f64)> {
        vec![(metric.to_owned(), value)]
    }

    #[test]
    fn fires_after_the_hold_and_resolves_once() {
        let rules = [rule("queue > 5", "2s")];
        let mut e = Evaluator::default();
        assert!(e.evaluate(&rules, &v("queue", 9.0), 0).is_empty());
        assert!(e.evaluate(&rules, &v("queue", 9.0), 1_000).is_empty());
        let fired = e.evaluate(&rules, &v("queue", 8.0), 2_000);
        assert_eq!(
            fired,
            vec![Transition::Fired {
                rule: "r".into(),
                subject: "queue".into(),
                value: 8.0
            }]
        );
        assert!(
            e.evaluate(&rules, &v("queue", 9.0), 3_000).is_empty(),
            "no repeat"
        );
        let resolved = e.evaluate(&rules, &v("queue", 1.0), 4_000);
        assert!(matches!(&resolved[..], [Transition::Resolved { value, .. }] if *value == 1.0));
        assert!(e.evaluate(&rules, &v("queue", 1.0), 5_000).is_empty());
    }

    #[test]
    fn a_blip_shorter_than_the_hold_does_not_fire() {
        let rules = [rule("queue > 5", "2s")];
        let mut e = Evaluator::default();
        e.evaluate(&rules, &v("queue", 9.0), 0);
        e.evaluate(&rules, &v("queue", 1.0), 1_000);
        assert!(e.evaluate(&rules, &v("queue", 9.0), 2_500).is_empty());
    }

    #[test]
    fn one_alert_per_matching_subject() {
        let rules = [rule("check.*.up < 1", "0s")];
        let mut e = Evaluator::default();
        let values = vec![
            ("check.a.up".to_owned(), 0.0),
            ("check.b.up".to_owned(), 1.0),
            ("check.c.up".to_owned(), 0.0),
        ];
        assert_eq!(e.evaluate(&rules, &values, 0).len(), 2);
        // Check c was removed: its alert resolves once it has been gone a while.
        assert!(e.evaluate(&rules, &values[..2], 1_000).is_empty());
        let resolved = e.evaluate(&rules, &values[..2], 1_000 + GONE_AFTER_MS);
        assert!(
            matches!(&resolved[..], [Transition::Resolved { subject, .. }] if subject == "check.c.up")
        );
    }

    #[test]
    fn disabling_a_rule_resolves_its_alerts() {
        let mut rules = [rule("queue > 5", "0s")];
        let mut e = Evaluator::default();
        assert_eq!(e.evaluate(&rules, &v("queue", 9.0), 0).len(), 1);
        rules[0].enabled = false;
        assert_eq!(e.evaluate(&rules, &v("queue", 9.0), 1_000).len(), 1);
    }

    #[test]
    fn firing_alerts_survive_a_restart_without_repeating() {
        let rules = [rule("queue > 5", "0s")];
        let mut e = Evaluator::with_firing([("r".to_owned(), "queue".to_owned())], 0);
        assert!(
            e.evaluate(&rules, &[], 1_000).is_empty(),
            "metric not reported yet"
        );
        assert!(e.evaluate(&rules, &v("queue", 9.0), 0).is_empty());
        assert_eq!(e.evaluate(&rules, &v("queue", 0.0), 1_000).len(), 1);
    }
}
