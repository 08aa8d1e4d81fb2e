//! Host metrics: a snapshot of the kernel's counters from /proc, the rates between two
//! snapshots, and a downsampled history in SQLite.

pub mod history;
pub mod snapshot;

pub use history::{Point, Tier, TIERS};
pub use snapshot::{rates, Snapshot};
