//! Host metrics: a snapshot of the kernel's counters from /proc, the rates between two
//! snapshots, sensors, power and GPU from sysfs, and a downsampled history in SQLite.

pub mod history;
pub mod sensors;
pub mod snapshot;

pub use history::{Point, Tier, TIERS};
pub use snapshot::{rates, Snapshot};

/// Name prefixes that belong to roxyd's own metrics; pushed metrics must use other names.
pub const RESERVED_PREFIXES: [&str; 10] = [
    "cpu", "load", "mem.", "swap.", "net.", "disk.", "check.", "temp.", "power.", "gpu.",
];

/// A name a script may push a value under: 1–100 of `a-z A-Z 0-9 . _ -`, starting with a
/// letter, and not one of roxyd's own.
pub fn is_pushable_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn pushable_names() {
        assert!(super::is_pushable_name("backup.age_hours"));
        assert!(super::is_pushable_name("queue-depth"));
        assert!(!super::is_pushable_name("cpu.0"));
        assert!(!super::is_pushable_name("check.web.up"));
        assert!(!super::is_pushable_name("9lives"));
        assert!(!super::is_pushable_name("a b"));
        assert!(!super::is_pushable_name(""));
    }
}
