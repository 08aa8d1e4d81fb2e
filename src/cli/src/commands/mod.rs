//! One module per command group.

pub mod alerts;
pub mod audit;
pub mod checks;
pub mod crm;
pub mod db;
pub mod docs;
pub mod infra;
pub mod jobs;
pub mod metrics;
pub mod models;
pub mod ndi;
pub mod notify;
pub mod obs;
pub mod runbook;
pub mod schedule;
pub mod secret;
pub mod status;
pub mod voice;
pub mod wake;
pub mod webhook;
