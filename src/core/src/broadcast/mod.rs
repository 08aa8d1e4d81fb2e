//! Broadcast: the OBS instances roxyd links to, the stream and recording sessions it logs,
//! and the stream-health rules it applies to OBS' statistics.

pub mod health;
pub mod instances;
pub mod meters;
pub mod sessions;
pub mod thresholds;

pub use health::{HealthChange, HealthIssue, HealthSample, HealthWatch};
pub use instances::{secret_name, InstanceError, ObsInstance};
pub use meters::{Meter, Meters};
pub use sessions::{Session, SessionKind};
pub use thresholds::{ThresholdError, Thresholds};
