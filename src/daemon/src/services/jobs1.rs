//! `Jobs1`: the job list on the daemon root object.

use crate::supervisor::Supervisor;
use roxy_ipc::{JobInfo, RoxyError};
use std::sync::Arc;
use zbus::interface;
use zbus::object_server::SignalEmitter;

pub struct JobsService {
    supervisor: Arc<Supervisor>,
}

impl JobsService {
    pub fn new(supervisor: Arc<Supervisor>) -> Self {
        Self { supervisor }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Jobs1")]
impl JobsService {
    /// Running jobs and the recently finished ones, oldest first.
    fn list(&self) -> Vec<JobInfo> {
        self.supervisor.list()
    }

    fn get(&self, id: u64) -> Result<JobInfo, RoxyError> {
        self.supervisor.get(id)
    }

    fn cancel(&self, id: u64) -> Result<(), RoxyError> {
        self.supervisor.cancel(id)
    }

    #[zbus(signal)]
    pub async fn job_added(emitter: &SignalEmitter<'_>, job: JobInfo) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn job_changed(emitter: &SignalEmitter<'_>, job: JobInfo) -> zbus::Result<()>;
}
