//! Self-healing: when a container that opted in turns unhealthy or exits non-zero, restart it
//! after an exponential backoff; after too many restarts in a window, stop trying and say so
//! once. What is restarted and when is decided here; roxyd only carries it out.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Labels a container carries to opt in and tune the policy.
pub const LABEL_ENABLED: &str = "roxy.heal";
pub const LABEL_MAX_RESTARTS: &str = "roxy.heal.max-restarts";
pub const LABEL_WINDOW: &str = "roxy.heal.window";
pub const LABEL_BACKOFF: &str = "roxy.heal.backoff";

const DEFAULT_MAX_RESTARTS: u32 = 5;
const DEFAULT_WINDOW: Duration = Duration::from_secs(10 * 60);
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);
/// No wait between restarts grows past this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
const MAX_RESTARTS_LIMIT: u32 = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct HealPolicy {
    pub enabled: bool,
    /// Restarts allowed inside `window` before Roxy gives up.
    pub max_restarts: u32,
    pub window: Duration,
    /// The first wait; each further restart in the window doubles it.
    pub backoff: Duration,
}

impl Default for HealPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            max_restarts: DEFAULT_MAX_RESTARTS,
            window: DEFAULT_WINDOW,
            backoff: DEFAULT_BACKOFF,
        }
    }
}

/// A label whose value Roxy cannot use; the policy keeps its default for that field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("label {label}: “{value}” is not allowed; {allowed}")]
pub struct LabelError {
    pub label: &'static str,
    pub value: String,
    pub allowed: &'static str,
}

impl HealPolicy {
    /// The policy from a container's labels; `enabled_by_setting` is the person's choice in
    /// Roxy (a setting wins over the label). Bad labels are reported, not fatal.
    pub fn from_labels(
        labels: &HashMap<String, String>,
        enabled_by_setting: Option<bool>,
    ) -> (Self, Vec<LabelError>) {
        let mut policy = Self::default();
        let mut errors = Vec::new();
        if let Some(value) = labels.get(LABEL_ENABLED) {
            match parse_switch(value) {
                Some(on) => policy.enabled = on,
                None => errors.push(LabelError {
                    label: LABEL_ENABLED,
                    value: value.clone(),
                    allowed: "use true or false",
                }),
            }
        }
        if let Some(on) = enabled_by_setting {
            policy.enabled = on;
        }
        if let Some(value) = labels.get(LABEL_MAX_RESTARTS) {
            match value.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_RESTARTS_LIMIT).contains(&n) => policy.max_restarts = n,
                _ => errors.push(LabelError {
                    label: LABEL_MAX_RESTARTS,
                    value: value.clone(),
                    allowed: "use a whole number from 1 to 100",
                }),
            }
        }
        for (label, field, range) in [
            (
                LABEL_WINDOW,
                &mut policy.window,
                (Duration::from_secs(10), Duration::from_secs(24 * 3600)),
            ),
            (
                LABEL_BACKOFF,
                &mut policy.backoff,
                (Duration::from_millis(100), MAX_BACKOFF),
            ),
        ] {
            let Some(value) = labels.get(label) else {
                continue;
            };
            match humantime::parse_duration(value.trim()) {
                Ok(d) if d >= range.0 && d <= range.1 => *field = d,
                _ => errors.push(LabelError {
                    label,
                    value: value.clone(),
                    allowed: if label == LABEL_WINDOW {
                        "use a duration from 10s to 24h, such as 10m"
                    } else {
                        "use a duration from 100ms to 5m, such as 2s"
                    },
                }),
            }
        }
        (policy, errors)
    }
}

fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Why a container needs help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Unhealthy,
    /// Exited on its own with this non-zero code.
    Exited(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Restart after this wait (unless the container recovers or is stopped meanwhile).
    RestartAfter(Duration),
    /// The flap limit is reached: tell the person, once, and stop trying.
    GiveUp { restarts: u32 },
    /// Roxy already gave up on this container; nothing more to do.
    AlreadyGaveUp,
    /// A restart is already waiting.
    AlreadyPending,
}

/// What Roxy remembers about one container between events.
#[derive(Debug, Clone, Default)]
pub struct HealState {
    /// When Roxy restarted it (Unix ms), oldest first, only inside the window.
    restarts: VecDeque<i64>,
    pending: bool,
    gave_up: bool,
    /// A restart happened or Roxy gave up, and recovery has not been reported yet.
    awaiting_recovery: bool,
}

impl HealState {
    pub fn gave_up(&self) -> bool {
        self.gave_up
    }

    pub fn pending(&self) -> bool {
        self.pending
    }

    /// Restarts Roxy made inside the window ending at `now_ms`.
    pub fn recent_restarts(&mut self, policy: &HealPolicy, now_ms: i64) -> u32 {
        let since = now_ms - policy.window.as_millis() as i64;
        while self.restarts.front().is_some_and(|&at| at < since) {
            self.restarts.pop_front();
        }
        self.restarts.len() as u32
    }

    pub fn on_trigger(&mut self, policy: &HealPolicy, now_ms: i64) -> Decision {
        if self.gave_up {
            return Decision::AlreadyGaveUp;
        }
        if self.pending {
            return Decision::AlreadyPending;
        }
        let recent = self.recent_restarts(policy, now_ms);
        if recent >= policy.max_restarts {
            self.gave_up = true;
            self.awaiting_recovery = true;
            return Decision::GiveUp { restarts: recent };
        }
        self.pending = true;
        Decision::RestartAfter(backoff(policy.backoff, recent))
    }

    /// The restart was made (or attempted) at `now_ms`.
    pub fn restarted(&mut self, now_ms: i64) {
        self.pending = false;
        self.restarts.push_back(now_ms);
        self.awaiting_recovery = true;
    }

    /// The waiting restart is no longer wanted (the container came back or was stopped).
    pub fn cancel_pending(&mut self) {
        self.pending = false;
    }

    /// The person stopped or started the container by hand: forget the flapping history.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The container is healthy (or running steadily) again. True once per incident: the
    /// moment to tell the person it recovered.
    pub fn recovered(&mut self) -> bool {
        let report = self.awaiting_recovery;
        self.awaiting_recovery = false;
        self.gave_up = false;
        self.pending = false;
        report
    }
}

/// `base` doubled for each restart already made in the window, at most [`MAX_BACKOFF`].
pub fn backoff(base: Duration, restarts_in_window: u32) -> Duration {
    let factor = 1u32 << restarts_in_window.min(16);
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_opt_in_and_tune() {
        let (policy, errors) = HealPolicy::from_labels(
            &labels(&[
                ("roxy.heal", "true"),
                ("roxy.heal.max-restarts", "3"),
                ("roxy.heal.window", "2m"),
                ("roxy.heal.backoff", "500ms"),
            ]),
            None,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            policy,
            HealPolicy {
                enabled: true,
                max_restarts: 3,
                window: Duration::from_secs(120),
                backoff: Duration::from_millis(500),
            }
        );
    }

    #[test]
    fn bad_labels_name_the_label_and_keep_defaults() {
        let (policy, errors) = HealPolicy::from_labels(
            &labels(&[
                ("roxy.heal", "maybe"),
                ("roxy.heal.max-restarts", "0"),
                ("roxy.heal.window", "forever"),
            ]),
            None,
        );
        assert_eq!(policy, HealPolicy::default());
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("roxy.heal: “maybe”"), "{}", text[0]);
        assert!(text[1].contains("1 to 100"), "{}", text[1]);
        assert!(text[2].contains("roxy.heal.window"), "{}", text[2]);
    }

    #[test]
    fn the_setting_wins_over_the_label() {
        let on = labels(&[("roxy.heal", "true")]);
        assert!(!HealPolicy::from_labels(&on, Some(false)).0.enabled);
        assert!(
            HealPolicy::from_labels(&HashMap::new(), Some(true))
                .0
                .enabled
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(1);
        assert_eq!(backoff(base, 0), Duration::from_secs(1));
        assert_eq!(backoff(base, 3), Duration::from_secs(8));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }

    #[test]
    fn gives_up_once_after_the_flap_limit() {
        let policy = HealPolicy {
            enabled: true,
            max_restarts: 2,
            window: Duration::from_secs(60),
            backoff: Duration::from_secs(1),
        };
        let mut state = HealState::default();
        let mut now = 0;
        assert_eq!(
            state.on_trigger(&policy, now),
            Decision::RestartAfter(Duration::from_secs(1))
        );
        assert_eq!(state.on_trigger(&policy, now), Decision::AlreadyPending);
        state.restarted(now);
        now += 1_000;
        assert_eq!(
            state.on_trigger(&policy, now),
            Decision::RestartAfter(Duration::from_secs(2))
        );
        state.restarted(now);
        now += 2_000;
        assert_eq!(
            state.on_trigger(&policy, now),
            Decision::GiveUp { restarts: 2 }
        );
        assert_eq!(state.on_trigger(&policy, now), Decision::AlreadyGaveUp);
        assert!(state.gave_up());
        assert!(state.recovered(), "recovery after giving up is reported");
        assert!(!state.recovered(), "and only once");
    }

    #[test]
    fn restarts_outside_the_window_are_forgotten() {
        let policy = HealPolicy {
            enabled: true,
            max_restarts: 1,
            window: Duration::from_secs(10),
            backoff: Duration::from_secs(1),
        };
        let mut state = HealState::default();
        assert!(matches!(
            state.on_trigger(&policy, 0),
            Decision::RestartAfter(_)
        ));
        state.restarted(0);
        assert_eq!(
            state.on_trigger(&policy, 5_000),
            Decision::GiveUp { restarts: 1 }
        );
        state.reset();
        assert_eq!(
            state.on_trigger(&policy, 20_000),
            Decision::RestartAfter(Duration::from_secs(1))
        );
    }
}
