//! One folder per panel, mirroring the daemon's service modules.

pub mod broadcast;
pub mod crm;
pub mod docs;
pub mod infrastructure;
pub mod metrics;
pub mod runbooks;
pub mod voice;
