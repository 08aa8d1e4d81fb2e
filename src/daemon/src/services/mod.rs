//! One module per D-Bus interface served by roxyd.

pub mod broadcast1;
pub mod caller;
pub mod crm1;
pub mod daemon1;
pub mod docs1;
pub mod infra1;
pub mod job1;
pub mod jobs1;
pub mod metrics1;
pub mod notifications1;
pub mod runbooks1;
pub mod secrets1;
pub mod voice1;
