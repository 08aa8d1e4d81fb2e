//! Client-side proxies of roxyd's interfaces. No default destination is set because the bus
//! name depends on the build profile; use [`crate::Client`] to build them.

use crate::broadcast::{
    BroadcastSessionInfo, HealthThresholdsInfo, MeterInfo, NdiFindingInfo, NdiSourceInfo,
    ObsInstanceInfo, ObsStateInfo, SceneItemInfo,
};
use crate::crm::{
    BantConfigInfo, ContactFormInfo, ContactInfo, ContactQueryInfo, ContactRowInfo, DealFormInfo,
    DealInfo, DuplicateInfo, FieldErrorInfo, ForecastInfo, ImportReportInfo, InteractionInfo,
    LeadFormInfo, LeadInfo, StageInfo, TodayInfo,
};
use crate::docs::{
    DocContentInfo, DocInfo, DocQueryInfo, DocSearchInfo, DocsStatusInfo, SkippedDocInfo,
};
use crate::voice::{
    HeardInfo, IntentMatchInfo, IntentsInfo, ModelInfo, VoiceStatusInfo, WakeInfo, WakeSampleInfo,
};
use crate::{
    AlertInfo, AlertRuleInfo, AuditEntry, CheckEventInfo, CheckInfo, CheckResult, CheckSpecInfo,
    ContainerInfo, DaemonStatus, EnergyInfo, EngineStatus, JobInfo, JobState, MetricPoint,
    MetricValue, MutedSource, NoticeKind, NoticeStatus, RoxyError, RunInfo, RunStepInfo,
    RunbookInfo, ScheduleInfo, ScoreInfo, SecretFinding, StepInfo, UnitInfo, ValidationProblem,
    WebhookInfo,
};
use std::collections::HashMap;
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
    /// The newest `limit` audit entries containing `search` (all when empty), oldest first.
    fn audit(&self, search: &str, limit: u32) -> Result<Vec<AuditEntry>, RoxyError>;
    /// Whether roxyd starts at login, and how (`systemd`, `autostart-file`,
    /// `background-portal`).
    fn start_at_login(&self) -> Result<(bool, String), RoxyError>;
    /// Returns the new state, as `start_at_login` does.
    fn set_start_at_login(&self, enable: bool) -> Result<(bool, String), RoxyError>;

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

/// Runbooks: the catalog, runs, approvals.
#[proxy(interface = "io.github.skybeam.Roxy.Runbooks1", gen_blocking = false)]
pub trait Runbooks1 {
    fn list(&self) -> Result<Vec<RunbookInfo>, RoxyError>;
    fn show(&self, id: &str) -> Result<(RunbookInfo, Vec<StepInfo>), RoxyError>;
    /// Checks runbook text without saving or running it.
    fn validate(&self, file_name: &str, text: &str) -> Result<Vec<ValidationProblem>, RoxyError>;
    /// The resolved plan, one line per step, without running anything.
    fn plan(
        &self,
        id: &str,
        vars: HashMap<&str, &str>,
        skip: &[&str],
    ) -> Result<Vec<String>, RoxyError>;
    /// Starts a run. `approve` gives the approval a `confirm: true` runbook needs up front.
    fn run(
        &self,
        id: &str,
        vars: HashMap<&str, &str>,
        skip: &[&str],
        approve: bool,
    ) -> Result<(u64, OwnedObjectPath), RoxyError>;
    /// Newest first; every runbook when `runbook_id` is empty.
    fn runs(&self, runbook_id: &str, limit: u32) -> Result<Vec<RunInfo>, RoxyError>;
    fn get_run(&self, run_id: u64) -> Result<(RunInfo, Vec<RunStepInfo>), RoxyError>;
    fn cancel(&self, run_id: u64) -> Result<(), RoxyError>;
    /// Continues an interrupted, failed or cancelled run from its first unfinished step.
    fn resume(&self, run_id: u64) -> Result<OwnedObjectPath, RoxyError>;
    fn approve(&self, run_id: u64) -> Result<(), RoxyError>;
    /// Skips a step that has not started yet.
    fn skip(&self, run_id: u64, step_id: &str) -> Result<(), RoxyError>;
    /// Reads the runbook folders again.
    fn reload(&self) -> Result<(), RoxyError>;

    fn list_schedules(&self) -> Result<Vec<ScheduleInfo>, RoxyError>;
    /// `kind` is cron, every or daily; `missed` is skip or run_once. Returns the id.
    fn add_schedule(
        &self,
        runbook_id: &str,
        kind: &str,
        spec: &str,
        missed: &str,
    ) -> Result<u64, RoxyError>;
    fn remove_schedule(&self, id: u64) -> Result<(), RoxyError>;
    fn set_schedule_paused(&self, id: u64, paused: bool) -> Result<(), RoxyError>;
    /// Pauses or resumes every schedule at once.
    fn suspend_schedules(&self, suspended: bool) -> Result<(), RoxyError>;
    fn schedules_suspended(&self) -> zbus::Result<bool>;

    #[zbus(signal)]
    fn run_changed(&self, run: RunInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    fn step_changed(&self, run_id: u64, step: RunStepInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    fn catalog_changed(&self) -> zbus::Result<()>;
    #[zbus(signal)]
    fn schedules_changed(&self) -> zbus::Result<()>;
}

/// The secret store: values go in, never come out.
#[proxy(interface = "io.github.skybeam.Roxy.Secrets1", gen_blocking = false)]
pub trait Secrets1 {
    fn set(&self, name: &str, value: &str) -> Result<(), RoxyError>;
    /// Whether there was such a secret.
    fn delete(&self, name: &str) -> Result<bool, RoxyError>;
    /// Names only.
    fn list(&self) -> Result<Vec<String>, RoxyError>;
    /// Starts a job that looks for plaintext credentials under `folder` (empty: the
    /// documents folder).
    fn scan(&self, folder: &str) -> Result<OwnedObjectPath, RoxyError>;
    /// What the scan job `job_id` found so far.
    fn findings(&self, job_id: u64) -> Result<Vec<SecretFinding>, RoxyError>;
    /// Moves the credential found at file:line:column into the store as `name`.
    fn import(&self, file: &str, line: u32, column: u32, name: &str) -> Result<(), RoxyError>;
}

/// Notification profiles, Do Not Disturb, the digest, mutes and webhooks.
#[proxy(
    interface = "io.github.skybeam.Roxy.Notifications1",
    gen_blocking = false
)]
pub trait Notifications1 {
    fn kinds(&self) -> Result<Vec<NoticeKind>, RoxyError>;
    /// `profile`: critical, info, digest or off.
    fn set_profile(&self, kind: &str, profile: &str) -> Result<(), RoxyError>;
    fn status(&self) -> Result<NoticeStatus, RoxyError>;
    fn set_do_not_disturb(&self, on: bool) -> Result<(), RoxyError>;
    fn set_digest_minutes(&self, minutes: u32) -> Result<(), RoxyError>;
    /// Sends the digest now; returns how many events it covered.
    fn flush_digest(&self) -> Result<u32, RoxyError>;
    fn muted(&self) -> Result<Vec<MutedSource>, RoxyError>;
    /// Whether it was muted.
    fn unmute(&self, source: &str) -> Result<bool, RoxyError>;
    fn webhooks(&self) -> Result<Vec<WebhookInfo>, RoxyError>;
    /// Adds the webhook, or replaces the one with its name (`last_result` is ignored).
    fn save_webhook(&self, webhook: &WebhookInfo) -> Result<(), RoxyError>;
    fn remove_webhook(&self, name: &str) -> Result<bool, RoxyError>;
    /// Sends a test message now; returns how it went ("HTTP 200").
    fn test_webhook(&self, name: &str) -> Result<String, RoxyError>;
}

/// Host metrics, sampled every second by roxyd.
#[proxy(interface = "io.github.skybeam.Roxy.Metrics1", gen_blocking = false)]
pub trait Metrics1 {
    fn current(&self) -> Result<Vec<MetricValue>, RoxyError>;
    fn history(&self, metric: &str, seconds: u64) -> Result<Vec<MetricPoint>, RoxyError>;
    /// Records a value from a script (`backup.age_hours`); it stays current for 5 minutes.
    fn push(&self, metric: &str, value: f64) -> Result<(), RoxyError>;
    /// Open alerts, then (with `include_resolved`) resolved ones, newest first.
    fn alerts(&self, include_resolved: bool) -> Result<Vec<AlertInfo>, RoxyError>;
    fn alert_rules(&self) -> Result<Vec<AlertRuleInfo>, RoxyError>;
    /// Adds the rule or replaces the one with its name.
    fn save_alert_rule(&self, rule: &AlertRuleInfo) -> Result<(), RoxyError>;
    fn remove_alert_rule(&self, name: &str) -> Result<bool, RoxyError>;
    fn energy(&self) -> Result<EnergyInfo, RoxyError>;
    /// The twenty measures of the scorecard, computed now.
    fn scorecard(&self) -> Result<Vec<ScoreInfo>, RoxyError>;
    /// The loopback port of the Prometheus exposition; 0 while it is off.
    fn prometheus_port(&self) -> Result<u16, RoxyError>;
    fn set_prometheus_port(&self, port: u16) -> Result<(), RoxyError>;

    /// Every metric of one sample, once a second.
    #[zbus(signal)]
    fn sampled(&self, at: i64, values: Vec<MetricValue>) -> zbus::Result<()>;
    #[zbus(signal)]
    fn alerts_changed(&self) -> zbus::Result<()>;
    #[zbus(signal)]
    fn energy_changed(&self, energy: EnergyInfo) -> zbus::Result<()>;
}

/// Containers (with self-healing), and later units and checks.
#[proxy(interface = "io.github.skybeam.Roxy.Infra1", gen_blocking = false)]
pub trait Infra1 {
    fn engine(&self) -> Result<EngineStatus, RoxyError>;
    /// Points roxyd at another engine socket (a path; empty for the default) and reconnects.
    fn set_engine_socket(&self, socket: &str) -> Result<EngineStatus, RoxyError>;
    fn containers(&self) -> Result<Vec<ContainerInfo>, RoxyError>;
    /// `action`: start, stop or restart. `container`: id, id prefix or name.
    fn container_action(&self, container: &str, action: &str) -> Result<(), RoxyError>;
    /// The last `lines` lines of the container's output, oldest first.
    fn container_logs(&self, container: &str, lines: u32) -> Result<Vec<String>, RoxyError>;
    /// Starts sending `ContainerLog` signals with new output until `UnfollowLogs` or until
    /// the caller leaves the bus. Returns the container's id.
    fn follow_logs(&self, container: &str) -> Result<String, RoxyError>;
    fn unfollow_logs(&self, container: &str) -> Result<(), RoxyError>;
    /// `mode`: on, off, or label (follow the container's `roxy.heal` label).
    fn set_healing(&self, container: &str, mode: &str) -> Result<(), RoxyError>;
    fn checks(&self) -> Result<Vec<CheckInfo>, RoxyError>;
    /// Adds the check or replaces the one with its name; it is probed at once.
    fn save_check(&self, check: &CheckSpecInfo) -> Result<(), RoxyError>;
    fn remove_check(&self, name: &str) -> Result<bool, RoxyError>;
    /// The newest changes between up and down, newest first.
    fn check_events(&self, name: &str, limit: u32) -> Result<Vec<CheckEventInfo>, RoxyError>;
    /// Services, timers and sockets of the user manager and (read only) the system manager.
    fn units(&self) -> Result<Vec<UnitInfo>, RoxyError>;
    /// `action`: start, stop or restart of a user unit.
    fn unit_action(&self, unit: &str, action: &str) -> Result<(), RoxyError>;

    #[zbus(signal)]
    fn engine_changed(&self, status: EngineStatus) -> zbus::Result<()>;
    #[zbus(signal)]
    fn container_changed(&self, container: ContainerInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    fn container_removed(&self, id: &str) -> zbus::Result<()>;
    #[zbus(signal)]
    fn container_log(&self, id: &str, lines: Vec<String>) -> zbus::Result<()>;
    /// The probes of the last second.
    #[zbus(signal)]
    fn check_results(&self, results: Vec<CheckResult>) -> zbus::Result<()>;
    /// Checks were added, changed or removed.
    #[zbus(signal)]
    fn checks_changed(&self) -> zbus::Result<()>;
    /// A unit started, stopped, failed, appeared or went away.
    #[zbus(signal)]
    fn units_changed(&self) -> zbus::Result<()>;
}

/// The CRM: contacts, leads with BANT scores, the deals pipeline, interactions, import and
/// export. Writes answer `InvalidInput` with `field: message; …` for bad forms.
#[proxy(interface = "io.github.skybeam.Roxy.Crm1", gen_blocking = false)]
pub trait Crm1 {
    /// `sqlite` or `postgres://user:***@host/db`.
    fn backend(&self) -> Result<String, RoxyError>;
    /// Stores the PostgreSQL URL in the secret store and switches to it (empty: back to the
    /// embedded database).
    fn set_database_url(&self, url: &str) -> Result<String, RoxyError>;
    /// (contacts matching the query in all, the requested page). A search with words on the
    /// embedded database lists at most 500 matches and reports more as 501.
    fn contacts(&self, query: &ContactQueryInfo) -> Result<(i64, Vec<ContactRowInfo>), RoxyError>;
    fn contact(&self, id: i64) -> Result<ContactInfo, RoxyError>;
    /// Checks a form without saving it.
    fn validate_contact(&self, form: &ContactFormInfo) -> Result<Vec<FieldErrorInfo>, RoxyError>;
    /// Creates (id 0) or updates a contact; returns its id.
    fn save_contact(&self, id: i64, form: &ContactFormInfo) -> Result<i64, RoxyError>;
    /// Soft-deletes a contact, company, lead, deal or interaction.
    fn delete(&self, kind: &str, id: i64) -> Result<(), RoxyError>;
    /// Undoes a delete.
    fn restore(&self, kind: &str, id: i64) -> Result<(), RoxyError>;
    fn tags(&self) -> Result<Vec<String>, RoxyError>;
    /// Leads of one contact (0: all), within a score range, best first when `by_score`.
    fn leads(
        &self,
        contact_id: i64,
        min_score: i64,
        max_score: i64,
        by_score: bool,
    ) -> Result<Vec<LeadInfo>, RoxyError>;
    fn lead(&self, id: i64) -> Result<LeadInfo, RoxyError>;
    fn validate_lead(&self, form: &LeadFormInfo) -> Result<Vec<FieldErrorInfo>, RoxyError>;
    fn save_lead(&self, id: i64, form: &LeadFormInfo) -> Result<i64, RoxyError>;
    fn bant_config(&self) -> Result<BantConfigInfo, RoxyError>;
    /// Stores weights and thresholds; returns how many lead scores changed.
    fn set_bant_config(&self, config: &BantConfigInfo) -> Result<u64, RoxyError>;
    /// Scores every lead again; returns how many changed.
    fn rescore(&self) -> Result<u64, RoxyError>;
    fn stages(&self) -> Result<Vec<StageInfo>, RoxyError>;
    /// Adds (id 0) or changes a stage; a position ≥ 0 moves it.
    fn save_stage(&self, stage: &StageInfo) -> Result<i64, RoxyError>;
    fn remove_stage(&self, id: i64) -> Result<(), RoxyError>;
    /// Every open, won and lost deal, by stage and position.
    fn deals(&self) -> Result<Vec<DealInfo>, RoxyError>;
    fn validate_deal(&self, form: &DealFormInfo) -> Result<Vec<FieldErrorInfo>, RoxyError>;
    fn save_deal(&self, id: i64, form: &DealFormInfo) -> Result<i64, RoxyError>;
    fn move_deal(
        &self,
        id: i64,
        stage_id: i64,
        position: i64,
        reason: &str,
    ) -> Result<(), RoxyError>;
    fn close_deal(&self, id: i64, won: bool, reason: &str) -> Result<(), RoxyError>;
    fn forecast(&self) -> Result<ForecastInfo, RoxyError>;
    /// A contact's interactions, newest first.
    fn timeline(&self, contact_id: i64, limit: u32) -> Result<Vec<InteractionInfo>, RoxyError>;
    fn add_interaction(
        &self,
        contact_id: i64,
        kind: &str,
        at: i64,
        notes: &str,
    ) -> Result<i64, RoxyError>;
    /// Next actions due today or overdue.
    fn today(&self) -> Result<Vec<TodayInfo>, RoxyError>;
    fn duplicates(&self) -> Result<Vec<DuplicateInfo>, RoxyError>;
    /// Folds `other` into `keep` (interactions, leads and tags move over).
    fn merge(&self, keep: i64, other: i64) -> Result<(), RoxyError>;
    /// The dry run of an import: `format` is `csv` or `vcard`, `mapping` holds
    /// (column, field) pairs for CSV. Nothing is written.
    fn plan_import(
        &self,
        format: &str,
        data: &[u8],
        mapping: &[(String, String)],
    ) -> Result<ImportReportInfo, RoxyError>;
    /// Imports the good rows in one transaction (a job: progress and result on its object).
    fn import(
        &self,
        format: &str,
        data: &[u8],
        mapping: &[(String, String)],
        merge_duplicates: bool,
    ) -> Result<OwnedObjectPath, RoxyError>;
    /// `csv` or `vcard` of the given contacts (all when empty).
    fn export(&self, format: &str, ids: &[i64]) -> Result<String, RoxyError>;
    /// Something changed: `kind` (contact, lead, deal, stage, interaction, import, config)
    /// and its id (0 for many).
    #[zbus(signal)]
    fn changed(&self, kind: &str, id: i64) -> zbus::Result<()>;
}

/// The knowledge base: the chosen folders, full-text search, documents to read, the master
/// index. Indexing runs as a job; `DocumentsChanged` tells when documents were added, changed or removed.
#[proxy(interface = "io.github.skybeam.Roxy.Docs1", gen_blocking = false)]
pub trait Docs1 {
    fn status(&self) -> Result<DocsStatusInfo, RoxyError>;
    /// Replaces the chosen folders (absolute paths of existing folders) and starts a job
    /// that brings the index in line; returns the folders as stored.
    fn set_folders(&self, folders: &[&str]) -> Result<Vec<String>, RoxyError>;
    fn search(&self, query: &DocQueryInfo) -> Result<DocSearchInfo, RoxyError>;
    /// Every indexed document, by folder and path.
    fn documents(&self) -> Result<Vec<DocInfo>, RoxyError>;
    /// The text of an indexed document (a path, or a path inside a chosen folder).
    fn read(&self, path: &str) -> Result<DocContentInfo, RoxyError>;
    /// Files left out of the index, with the reason.
    fn skipped(&self) -> Result<Vec<SkippedDocInfo>, RoxyError>;
    /// Starts a job that re-reads changed files; `rebuild` starts from an empty index.
    fn reindex(&self, rebuild: bool) -> Result<OwnedObjectPath, RoxyError>;
    /// The master index as YAML.
    fn master_index(&self) -> Result<String, RoxyError>;
    /// Documents were added, changed or removed (their paths; empty after a full sync).
    #[zbus(signal)]
    fn documents_changed(&self, paths: Vec<String>) -> zbus::Result<()>;
    #[zbus(signal)]
    fn status_changed(&self, status: crate::docs::DocsStatusInfo) -> zbus::Result<()>;
}

/// OBS instances (scenes, outputs, mixer, stats, previews), stream health sessions, NDI.
/// `instance` "" means the first instance.
#[proxy(interface = "io.github.skybeam.Roxy.Broadcast1", gen_blocking = false)]
pub trait Broadcast1 {
    fn instances(&self) -> Result<Vec<ObsInstanceInfo>, RoxyError>;
    /// Adds an instance and connects to it; `password` "" means none (it goes to the secret
    /// store, never the database).
    fn add_instance(
        &self,
        name: &str,
        host: &str,
        port: u16,
        password: &str,
    ) -> Result<ObsInstanceInfo, RoxyError>;
    fn remove_instance(&self, name: &str) -> Result<(), RoxyError>;
    /// Replaces the stored password ("" removes it) and connects again at once.
    fn set_password(&self, name: &str, password: &str) -> Result<(), RoxyError>;
    /// Connects again at once instead of waiting for the next retry.
    fn reconnect(&self, name: &str) -> Result<(), RoxyError>;
    fn state(&self, instance: &str) -> Result<ObsStateInfo, RoxyError>;
    fn set_program_scene(&self, instance: &str, scene: &str) -> Result<(), RoxyError>;
    /// Studio mode only.
    fn set_preview_scene(&self, instance: &str, scene: &str) -> Result<(), RoxyError>;
    fn set_studio_mode(&self, instance: &str, on: bool) -> Result<(), RoxyError>;
    /// Studio mode: moves the preview scene to program.
    fn transition(&self, instance: &str) -> Result<(), RoxyError>;
    /// "start" or "stop".
    fn stream(&self, instance: &str, action: &str) -> Result<(), RoxyError>;
    /// "start", "stop", "pause" or "resume"; "stop" returns the file written.
    fn record(&self, instance: &str, action: &str) -> Result<String, RoxyError>;
    /// "start", "stop" or "save"; "save" returns the file written.
    fn replay_buffer(&self, instance: &str, action: &str) -> Result<String, RoxyError>;
    fn set_virtual_cam(&self, instance: &str, on: bool) -> Result<(), RoxyError>;
    fn scene_items(&self, instance: &str, scene: &str) -> Result<Vec<SceneItemInfo>, RoxyError>;
    fn set_item_visible(
        &self,
        instance: &str,
        scene: &str,
        source: &str,
        visible: bool,
    ) -> Result<(), RoxyError>;
    fn set_muted(&self, instance: &str, input: &str, muted: bool) -> Result<(), RoxyError>;
    /// −100 to 26 dB.
    fn set_volume(&self, instance: &str, input: &str, db: f64) -> Result<(), RoxyError>;
    /// Keeps `Meters` signals coming for 15 s; call again to keep them coming.
    fn watch_meters(&self, instance: &str) -> Result<(), RoxyError>;
    /// A JPEG of the program output, `width` pixels wide (OBS' GetSourceScreenshot).
    fn screenshot(&self, instance: &str, width: u32) -> Result<Vec<u8>, RoxyError>;
    /// Stream and recording sessions, newest first.
    fn sessions(&self, limit: u32) -> Result<Vec<BroadcastSessionInfo>, RoxyError>;
    /// The stream-health rules' limits, shared by every instance.
    fn health_thresholds(&self) -> Result<HealthThresholdsInfo, RoxyError>;
    /// Checks and stores new limits; they apply from the next statistics sample on.
    fn set_health_thresholds(&self, thresholds: &HealthThresholdsInfo) -> Result<(), RoxyError>;
    fn ndi_sources(&self) -> Result<Vec<NdiSourceInfo>, RoxyError>;
    /// Why NDI sources might not show up, checked now.
    fn ndi_diagnose(&self) -> Result<Vec<NdiFindingInfo>, RoxyError>;
    /// An instance was added or removed.
    #[zbus(signal)]
    fn instances_changed(&self, instances: Vec<ObsInstanceInfo>) -> zbus::Result<()>;
    #[zbus(signal)]
    fn instance_changed(&self, instance: ObsInstanceInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    fn state_changed(&self, state: ObsStateInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    fn meters(&self, instance: String, meters: Vec<MeterInfo>) -> zbus::Result<()>;
    /// A recording started, paused, resumed or stopped ("stopped" carries the file).
    #[zbus(signal)]
    fn record_state_changed(
        &self,
        instance: String,
        state: String,
        file: String,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn ndi_sources_changed(&self, sources: Vec<NdiSourceInfo>) -> zbus::Result<()>;
}

/// Voice commands: the listening loop, typed sentences, intents and the log.
#[proxy(interface = "io.github.skybeam.Roxy.Voice1", gen_blocking = false)]
pub trait Voice1 {
    fn status(&self) -> Result<VoiceStatusInfo, RoxyError>;
    /// Push-to-talk: captures the next sentence from the microphone and acts on it. Returns at
    /// once; the result comes as `Heard`.
    fn listen(&self) -> Result<(), RoxyError>;
    /// "off" or "wake".
    fn set_mode(&self, mode: &str) -> Result<(), RoxyError>;
    fn devices(&self) -> Result<Vec<String>, RoxyError>;
    /// "" = the default input.
    fn set_device(&self, device: &str) -> Result<(), RoxyError>;
    /// Handles a typed sentence exactly as if it had been heard, and returns what came of it.
    fn say(&self, sentence: &str) -> Result<HeardInfo, RoxyError>;
    /// How a sentence matches the intents, best first; acts on nothing.
    fn test(&self, sentence: &str) -> Result<Vec<IntentMatchInfo>, RoxyError>;
    fn intents(&self) -> Result<IntentsInfo, RoxyError>;
    /// Newest first.
    fn log(&self, limit: u32) -> Result<Vec<HeardInfo>, RoxyError>;
    /// Stops speaking and drops a pending question.
    fn cancel(&self) -> Result<(), RoxyError>;
    /// Speaks `text` with the reply voice; returns (ms to first audio, spoken to the end).
    fn speak(&self, text: &str) -> Result<(u32, bool), RoxyError>;
    fn wake_status(&self) -> Result<WakeInfo, RoxyError>;
    /// Records one saying of the wake phrase from the microphone (waits up to ~10 s).
    fn record_wake_sample(&self) -> Result<WakeSampleInfo, RoxyError>;
    fn clear_wake_samples(&self) -> Result<(), RoxyError>;
    /// Makes reference `name` for `phrase` from the recordings and starts using it.
    fn train_wake(&self, name: &str, phrase: &str) -> Result<WakeInfo, RoxyError>;
    fn use_wake(&self, name: &str) -> Result<WakeInfo, RoxyError>;
    fn remove_wake(&self, name: &str) -> Result<WakeInfo, RoxyError>;
    /// 0 (fewest false wakes) ..= 1 (fewest misses).
    fn set_wake_sensitivity(&self, sensitivity: f64) -> Result<WakeInfo, RoxyError>;
    /// Installed models of every kind: whisper, piper and wakeword.
    fn models(&self) -> Result<Vec<ModelInfo>, RoxyError>;
    /// Installs a model of `kind` from an absolute file path or an http(s) URL; returns the
    /// job doing it.
    fn install_model(&self, kind: &str, source: &str) -> Result<OwnedObjectPath, RoxyError>;
    /// Starts using model `name`; returns the job loading it.
    fn use_model(&self, kind: &str, name: &str) -> Result<OwnedObjectPath, RoxyError>;
    fn remove_model(&self, kind: &str, name: &str) -> Result<(), RoxyError>;
    /// Installed, chosen or removed models.
    #[zbus(signal)]
    fn models_changed(&self) -> zbus::Result<()>;

    #[zbus(signal)]
    fn voice_state_changed(&self, state: &str) -> zbus::Result<()>;
    #[zbus(signal)]
    fn heard(&self, entry: HeardInfo) -> zbus::Result<()>;
    /// Input level in dBFS, five times a second while the microphone is open.
    #[zbus(signal)]
    fn level(&self, db: f64) -> zbus::Result<()>;
    #[zbus(signal)]
    fn intents_changed(&self) -> zbus::Result<()>;
}
