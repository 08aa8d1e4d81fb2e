//! Rate limiting and de-duplication, applied before any notice or webhook goes out.
//!
//! Three rules, all over sliding windows: the same notice (kind, summary and body) is sent
//! once per window; one source (a runbook, a container) gets a few notices per window; and
//! all sources together get a few per minute. What fails the last two goes to the digest as
//! a count, so nothing disappears without a trace.

use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub duplicate_window_ms: i64,
    pub per_source: usize,
    pub per_source_window_ms: i64,
    pub overall: usize,
    pub overall_window_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            duplicate_window_ms: 10 * 60_000,
            per_source: 3,
            per_source_window_ms: 10 * 60_000,
            overall: 10,
            overall_window_ms: 60_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Pass,
    /// The same notice went out within the window; drop it.
    Duplicate,
    /// Too many from this source, or overall; count it in the digest.
    Limited,
}

#[derive(Debug, Default)]
pub struct Gate {
    limits: Limits,
    /// Fingerprint → when it last passed.
    seen: HashMap<String, i64>,
    /// Source → when its notices passed, oldest first.
    by_source: HashMap<String, VecDeque<i64>>,
    overall: VecDeque<i64>,
}

impl Gate {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Decides on one notice from `source` and, when it passes, counts it.
    pub fn admit(&mut self, source: &str, fingerprint: &str, now_ms: i64) -> Admission {
        let l = self.limits;
        self.seen
            .retain(|_, at| now_ms - *at < l.duplicate_window_ms);
        self.by_source.retain(|_, times| {
            prune(times, now_ms, l.per_source_window_ms);
            !times.is_empty()
        });
        prune(&mut self.overall, now_ms, l.overall_window_ms);

        if self.seen.contains_key(fingerprint) {
            return Admission::Duplicate;
        }
        let from_source = self.by_source.get(source).map_or(0, VecDeque::len);
        if from_source >= l.per_source || self.overall.len() >= l.overall {
            return Admission::Limited;
        }
        self.seen.insert(fingerprint.to_owned(), now_ms);
        self.by_source
            .entry(source.to_owned())
            .or_default()
            .push_back(now_ms);
        self.overall.push_back(now_ms);
        Admission::Pass
    }
}

fn prune(times: &mut VecDeque<i64>, now_ms: i64, window_ms: i64) {
    while times.front().is_some_and(|t| now_ms - t >= window_ms) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn the_same_notice_goes_out_once_per_window() {
        let mut gate = Gate::default();
        assert_eq!(gate.admit("backup", "failed|x", 0), Admission::Pass);
        assert_eq!(gate.admit("backup", "failed|x", MIN), Admission::Duplicate);
        assert_eq!(
            gate.admit("other", "failed|x", 2 * MIN),
            Admission::Duplicate
        );
        assert_eq!(gate.admit("backup", "failed|x", 10 * MIN), Admission::Pass);
    }

    #[test]
    fn a_flapping_source_is_limited_and_others_are_not() {
        let mut gate = Gate::default();
        let states = ["down", "up", "down", "up", "down"];
        let admitted: Vec<Admission> = states
            .iter()
            .enumerate()
            .map(|(i, s)| gate.admit("container:web", &format!("{s}{i}"), i as i64 * 1000))
            .collect();
        assert_eq!(
            admitted,
            [
                Admission::Pass,
                Admission::Pass,
                Admission::Pass,
                Admission::Limited,
                Admission::Limited
            ]
        );
        assert_eq!(gate.admit("container:db", "down", 6000), Admission::Pass);
        // Once the window has moved on, the source may speak again.
        assert_eq!(
            gate.admit("container:web", "down-later", 10 * MIN + 1000),
            Admission::Pass
        );
    }

    #[test]
    fn all_sources_together_are_limited_per_minute() {
        let mut gate = Gate::default();
        for i in 0..10 {
            let source = format!("s{i}");
            assert_eq!(gate.admit(&source, &source, i), Admission::Pass);
        }
        assert_eq!(gate.admit("s10", "s10", 20), Admission::Limited);
        assert_eq!(gate.admit("s11", "s11", MIN + 5), Admission::Pass);
    }
}
