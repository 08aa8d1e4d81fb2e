//! `Runbooks1`: the runbook catalog, runs and approvals.

use super::caller;
use crate::runbooks::Engine;
use roxy_ipc::{
    RoxyError, RunInfo, RunStepInfo, RunbookInfo, ScheduleInfo, StepInfo, ValidationProblem,
};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;
use zbus::{interface, Connection};

/// Bounds on what a caller may send.
const MAX_TEXT: usize = roxy_core::runbook::MAX_FILE_BYTES;
const MAX_ITEMS: usize = 256;

pub struct RunbooksService {
    engine: Arc<Engine>,
}

impl RunbooksService {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self { engine }
    }
}

fn bounded(vars: &HashMap<String, String>, skip: &[String]) -> Result<(), RoxyError> {
    if vars.len() > MAX_ITEMS || skip.len() > MAX_ITEMS {
        return Err(RoxyError::InvalidInput(format!(
            "At most {MAX_ITEMS} variables and {MAX_ITEMS} skipped steps."
        )));
    }
    Ok(())
}

#[interface(name = "io.github.skybeam.Roxy.Runbooks1")]
impl RunbooksService {
    async fn list(&self) -> Vec<RunbookInfo> {
        self.engine.list().await
    }

    fn show(&self, id: String) -> Result<(RunbookInfo, Vec<StepInfo>), RoxyError> {
        self.engine.show(&id)
    }

    fn validate(
        &self,
        file_name: String,
        text: String,
    ) -> Result<Vec<ValidationProblem>, RoxyError> {
        if text.len() > MAX_TEXT {
            return Err(RoxyError::InvalidInput(format!(
                "The text has {} bytes; runbooks may have at most {MAX_TEXT}.",
                text.len()
            )));
        }
        Ok(Engine::validate(&file_name, &text))
    }

    fn plan(
        &self,
        id: String,
        vars: HashMap<String, String>,
        skip: Vec<String>,
    ) -> Result<Vec<String>, RoxyError> {
        bounded(&vars, &skip)?;
        self.engine.plan(&id, &vars, &skip)
    }

    async fn run(
        &self,
        id: String,
        vars: HashMap<String, String>,
        skip: Vec<String>,
        approve: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(u64, OwnedObjectPath), RoxyError> {
        bounded(&vars, &skip)?;
        let actor = caller::describe(connection, &header).await;
        self.engine.run(&id, &vars, &skip, approve, &actor).await
    }

    async fn runs(&self, runbook_id: String, limit: u32) -> Result<Vec<RunInfo>, RoxyError> {
        self.engine.runs(&runbook_id, limit).await
    }

    async fn get_run(&self, run_id: u64) -> Result<(RunInfo, Vec<RunStepInfo>), RoxyError> {
        self.engine.get_run(run_id).await
    }

    async fn cancel(
        &self,
        run_id: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.cancel(run_id, &actor).await
    }

    async fn resume(
        &self,
        run_id: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.resume(run_id, &actor).await
    }

    async fn approve(
        &self,
        run_id: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.approve(run_id, &actor).await
    }

    async fn skip(
        &self,
        run_id: u64,
        step_id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.skip(run_id, &step_id, &actor).await
    }

    async fn reload(&self) {
        self.engine.reload().await;
    }

    async fn list_schedules(&self) -> Result<Vec<ScheduleInfo>, RoxyError> {
        self.engine.list_schedules().await
    }

    async fn add_schedule(
        &self,
        runbook_id: String,
        kind: String,
        spec: String,
        missed: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<u64, RoxyError> {
        if spec.len() > 256 {
            return Err(RoxyError::InvalidInput(
                "A schedule may have at most 256 bytes.".into(),
            ));
        }
        let actor = caller::describe(connection, &header).await;
        self.engine
            .add_schedule(&runbook_id, &kind, &spec, &missed, &actor)
            .await
    }

    async fn remove_schedule(
        &self,
        id: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.remove_schedule(id, &actor).await
    }

    async fn set_schedule_paused(
        &self,
        id: u64,
        paused: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.set_schedule_paused(id, paused, &actor).await
    }

    /// Pauses or resumes every schedule at once (each schedule keeps its own pause too).
    async fn suspend_schedules(
        &self,
        suspended: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        self.engine.suspend_schedules(suspended, &actor).await
    }

    async fn schedules_suspended(&self) -> bool {
        self.engine.schedules_suspended().await
    }

    #[zbus(signal)]
    pub async fn run_changed(emitter: &SignalEmitter<'_>, run: RunInfo) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn step_changed(
        emitter: &SignalEmitter<'_>,
        run_id: u64,
        step: RunStepInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn catalog_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn schedules_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}
