//! Client-side proxies of roxyd's interfaces. No default destination is set because the bus
//! name depends on the build profile; use [`crate::Client`] to build them.

use crate::{DaemonStatus, JobInfo, JobState, RoxyError};
use zbus::{proxy, zvariant::OwnedObjectPath};

/// Version, status and health of the daemon, plus database maintenance jobs.
#[proxy(interface = "io.github.skybeam.Roxy.Daemon1", gen_blocking = false)]
pub trait Daemon1 {
    /// Echoes `payload`; used by `roxyctl ping` and the round-trip benchmark.
    fn ping(&self, payload: &str) -> Result<String, RoxyError>;
    fn get_status(&self) -> Result<DaemonStatus, RoxyError>;
    /// Starts a job that checks the database file's integrity.
    fn check_database(&self) -> Result<OwnedObjectPath, RoxyError>;
    /// Starts a job that copies the live database to `destination` (an absolute path to a
    /// file that does not exist yet).
    fn backup_database(&self, destination: &str) -> Result<OwnedObjectPath, RoxyError>;

    #[zbus(property)]
    fn version(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn status(&self) -> zbus::Result<String>;
}

/// The job list.
#[proxy(interface = "io.github.skybeam.Roxy.Jobs1", gen_blocking = false)]
pub trait Jobs1 {
    /// Running jobs and the most recently finished ones, oldest first.
    fn list(&self) -> Result<Vec<JobInfo>, RoxyError>;
    fn get(&self, id: u64) -> Result<JobInfo, RoxyError>;
    fn cancel(&self, id: u64) -> Result<(), RoxyError>;

    #[zbus(signal)]
    fn job_added(&self, job: JobInfo) -> zbus::Result<()>;
    /// A job's state, progress or message changed (rate-limited by the daemon).
    #[zbus(signal)]
    fn job_changed(&self, job: JobInfo) -> zbus::Result<()>;
}

/// One job object.
#[proxy(interface = "io.github.skybeam.Roxy.Job1", gen_blocking = false)]
pub trait Job1 {
    fn cancel(&self) -> Result<(), RoxyError>;

    #[zbus(property)]
    fn id(&self) -> zbus::Result<u64>;
    #[zbus(property)]
    fn kind(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn title(&self) -> zbus::Result<String>;
    /// The wire name of a [`JobState`].
    #[zbus(property)]
    fn state(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn progress(&self) -> zbus::Result<f64>;
    #[zbus(property)]
    fn message(&self) -> zbus::Result<String>;

    #[zbus(signal)]
    fn log(&self, line: &str) -> zbus::Result<()>;
    #[zbus(signal)]
    fn finished(&self, state: JobState, message: &str) -> zbus::Result<()>;
}
