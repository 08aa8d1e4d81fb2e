//! The digest: events whose profile is "digest", info notices held during Do Not Disturb,
//! and counts of what the gate held back, sent together as one summary.

use super::EventKind;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestEntry {
    pub kind: EventKind,
    pub summary: String,
    pub at_ms: i64,
}

/// What one digest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestReport {
    pub entries: Vec<DigestEntry>,
    /// Source → how many of its notices the rate limit held back.
    pub held_back: BTreeMap<String, u32>,
}

impl DigestReport {
    pub fn count(&self) -> u32 {
        self.entries.len() as u32 + self.held_back.values().sum::<u32>()
    }
}

/// Keeps at most this many entries; older ones become a count.
const MAX_ENTRIES: usize = 200;

#[derive(Debug, Default)]
pub struct Digest {
    entries: Vec<DigestEntry>,
    held_back: BTreeMap<String, u32>,
}

impl Digest {
    pub fn push(&mut self, entry: DigestEntry) {
        if self.entries.len() >= MAX_ENTRIES {
            let dropped = self.entries.remove(0);
            *self
                .held_back
                .entry(dropped.kind.id().to_owned())
                .or_default() += 1;
        }
        self.entries.push(entry);
    }

    pub fn hold_back(&mut self, source: &str) {
        *self.held_back.entry(source.to_owned()).or_default() += 1;
    }

    pub fn pending(&self) -> u32 {
        self.entries.len() as u32 + self.held_back.values().sum::<u32>()
    }

    /// Empties the digest; `None` when there was nothing to say.
    pub fn take(&mut self) -> Option<DigestReport> {
        if self.pending() == 0 {
            return None;
        }
        Some(DigestReport {
            entries: std::mem::take(&mut self.entries),
            held_back: std::mem::take(&mut self.held_back),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_entries_and_counts_then_empties() {
        let mut digest = Digest::default();
        assert_eq!(digest.take(), None);
        digest.push(DigestEntry {
            kind: EventKind::RunFinished,
            summary: "Backup finished".into(),
            at_ms: 1,
        });
        digest.hold_back("container:web");
        digest.hold_back("container:web");
        assert_eq!(digest.pending(), 3);
        let report = digest.take().unwrap();
        assert_eq!(report.count(), 3);
        assert_eq!(report.held_back["container:web"], 2);
        assert_eq!(report.entries[0].summary, "Backup finished");
        assert_eq!(digest.pending(), 0);
    }

    #[test]
    fn overflow_becomes_a_count() {
        let mut digest = Digest::default();
        for i in 0..(MAX_ENTRIES + 5) {
            digest.push(DigestEntry {
                kind: EventKind::RunFinished,
                summary: format!("n{i}"),
                at_ms: i as i64,
            });
        }
        assert_eq!(digest.pending() as usize, MAX_ENTRIES + 5);
        let report = digest.take().unwrap();
        assert_eq!(report.entries.len(), MAX_ENTRIES);
        assert_eq!(report.entries[0].summary, "n5");
        assert_eq!(report.held_back["run.finished"], 5);
    }
}
