//! `Job1`: one object per job under `<daemon path>/jobs/<id>`.

use crate::supervisor::Supervisor;
use roxy_ipc::{JobState, RoxyError};
use std::sync::Weak;
use zbus::interface;
use zbus::object_server::SignalEmitter;

pub struct JobObject {
    id: u64,
    supervisor: Weak<Supervisor>,
}

impl JobObject {
    pub fn new(id: u64, supervisor: Weak<Supervisor>) -> Self {
        Self { id, supervisor }
    }

    fn info(&self) -> zbus::fdo::Result<roxy_ipc::JobInfo> {
        let sup = self
            .supervisor
            .upgrade()
            .ok_or_else(|| zbus::fdo::Error::Failed("roxyd is stopping".into()))?;
        sup.get(self.id)
            .map_err(|e| zbus::fdo::Error::UnknownObject(e.human()))
    }
}

#[interface(name = "io.github.skybeam.Roxy.Job1")]
impl JobObject {
    async fn cancel(&self) -> Result<(), RoxyError> {
        match self.supervisor.upgrade() {
            Some(sup) => sup.cancel(self.id),
            None => Err(RoxyError::Unavailable("roxyd is stopping.".into())),
        }
    }

    #[zbus(property)]
    fn id(&self) -> u64 {
        self.id
    }

    #[zbus(property)]
    fn kind(&self) -> zbus::fdo::Result<String> {
        Ok(self.info()?.kind)
    }

    #[zbus(property)]
    fn title(&self) -> zbus::fdo::Result<String> {
        Ok(self.info()?.title)
    }

    /// One of queued, running, succeeded, failed, cancelled, interrupted.
    #[zbus(property)]
    fn state(&self) -> zbus::fdo::Result<String> {
        Ok(self.info()?.state.as_str().to_owned())
    }

    #[zbus(property)]
    fn progress(&self) -> zbus::fdo::Result<f64> {
        Ok(self.info()?.progress)
    }

    #[zbus(property)]
    fn message(&self) -> zbus::fdo::Result<String> {
        Ok(self.info()?.message)
    }

    /// A line of the job's output.
    #[zbus(signal)]
    pub async fn log(emitter: &SignalEmitter<'_>, line: &str) -> zbus::Result<()>;

    /// The job ended; `state` is succeeded, failed, cancelled or interrupted.
    #[zbus(signal)]
    pub async fn finished(
        emitter: &SignalEmitter<'_>,
        state: JobState,
        message: &str,
    ) -> zbus::Result<()>;
}
