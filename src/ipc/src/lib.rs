//! The D-Bus contract between roxyd and its clients (the GUI and roxyctl).
//!
//! Every name is derived from `data/APPLICATION_ID` at build time (see `build.rs`). Interface
//! and error names must be string literals for zbus' macros; a unit test keeps them in step
//! with the app id.

pub mod broadcast;
pub mod client;
pub mod crm;
pub mod docs;
pub mod error;
pub mod i18n;
pub mod names;
pub mod proxies;
pub mod scorecard;
pub mod types;
pub mod voice;

pub use client::Client;
pub use error::RoxyError;
pub use types::{
    AlertInfo, AlertRuleInfo, AuditEntry, CheckEventInfo, CheckInfo, CheckResult, CheckSpecInfo,
    ContainerInfo, DaemonStatus, DeferredRun, EnergyInfo, EngineStatus, JobInfo, JobState,
    MetricPoint, MetricValue, MutedSource, NoticeKind, NoticeStatus, RunInfo, RunStepInfo,
    RunbookInfo, ScheduleInfo, ScoreInfo, SecretFinding, StepInfo, UnitInfo, ValidationProblem,
    WebhookInfo,
};
