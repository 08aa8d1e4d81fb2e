//! One module per command group.

pub mod db;
pub mod jobs;
pub mod status;
