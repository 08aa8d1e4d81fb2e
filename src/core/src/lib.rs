//! Roxy's domain model and storage. No GTK, no D-Bus server, no audio: everything here can be
//! tested with plain `cargo test`.

pub mod alerts;
pub mod audit;
pub mod broadcast;
pub mod crm;
pub mod docs;
pub mod infra;
pub mod jobs;
pub mod maintenance;
pub mod metrics;
pub mod notify;
pub mod paths;
pub mod placed;
pub mod runbook;
pub mod runs;
pub mod schedule;
pub mod scorecard;
pub mod secret_scan;
pub mod settings;
pub mod store;
pub mod time;
pub mod voice;

pub use store::{Store, StoreError};
