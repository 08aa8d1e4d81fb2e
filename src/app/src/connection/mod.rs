//! The GUI's link to roxyd: one long-running task that turns bus signals into messages.
//!
//! It never polls. It learns that roxyd went away or came back from `NameOwnerChanged`, and
//! about jobs from the daemon's `JobAdded`/`JobChanged` signals.

pub mod broadcast;
pub mod crm;
pub mod docs;
pub mod infra;
pub mod metrics;
pub mod voice;

pub use broadcast::{BroadcastEvent, BroadcastRequest};
pub use crm::{CrmEvent, CrmRequest, FormKind};
pub use docs::{DocsEvent, DocsRequest};
pub use infra::{InfraEvent, InfraRequest};
pub use metrics::{MetricsEvent, MetricsRequest};
pub use voice::{ModelRequest, VoiceEvent, VoiceRequest, WakeRequest};

use futures_util::StreamExt;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::{interfaces, job_path};
use roxy_ipc::{
    Client, DaemonStatus, JobInfo, MutedSource, NoticeKind, NoticeStatus, RoxyError, RunInfo,
    RunStepInfo, RunbookInfo, ScheduleInfo, StepInfo, WebhookInfo,
};
use zbus::MessageStream;

#[derive(Debug, Clone)]
pub enum DaemonEvent {
    /// roxyd answered; here is its status and the job list.
    Connected {
        status: DaemonStatus,
        jobs: Vec<JobInfo>,
    },
    /// roxyd is not reachable; the sentence says why and what to do.
    Disconnected(String),
    JobAdded(JobInfo),
    JobChanged(JobInfo),
    /// The runbook catalog and the most recent runs, after a change or on request.
    Runbooks {
        runbooks: Vec<RunbookInfo>,
        runs: Vec<RunInfo>,
    },
    /// One runbook as written, with its recent runs.
    RunbookDetail {
        info: RunbookInfo,
        steps: Vec<StepInfo>,
        runs: Vec<RunInfo>,
    },
    /// The watched run and all its steps.
    RunDetail {
        run: RunInfo,
        steps: Vec<RunStepInfo>,
    },
    /// A step of the watched run changed.
    StepChanged {
        run_id: u64,
        step: RunStepInfo,
    },
    /// A line of output from the watched run.
    RunLog {
        run_id: u64,
        line: String,
    },
    /// A run the window started.
    RunStarted(u64),
    /// The dry-run plan of a runbook.
    Plan {
        id: String,
        lines: Vec<String>,
    },
    Schedules(Vec<ScheduleInfo>),
    /// Notification and start-up settings, for Preferences.
    NoticeSettings(Box<NoticeSettings>),
    /// A request failed; the sentence says why.
    Failed(String),
    /// A short answer worth showing (a webhook test went through).
    Told(String),
    Infra(InfraEvent),
    Metrics(MetricsEvent),
    Crm(CrmEvent),
    Docs(DocsEvent),
    Broadcast(BroadcastEvent),
    Voice(VoiceEvent),
}

/// Everything the Notifications page of Preferences shows.
#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub kinds: Vec<NoticeKind>,
    pub status: NoticeStatus,
    pub muted: Vec<MutedSource>,
    pub webhooks: Vec<WebhookInfo>,
    /// Whether roxyd starts at login, and how (`systemd`, `autostart-file`, …).
    pub start_at_login: (bool, String),
}

/// A change made on the Notifications page.
#[derive(Debug, Clone)]
pub enum NoticeChange {
    Profile { kind: String, profile: String },
    DoNotDisturb(bool),
    DigestMinutes(u32),
    FlushDigest,
    Unmute(String),
    SaveWebhook(WebhookInfo),
    RemoveWebhook(String),
    TestWebhook(String),
    StartAtLogin(bool),
}

/// What the GUI asks of the link.
#[derive(Debug, Clone)]
pub enum DaemonRequest {
    /// Start (activate) roxyd and connect.
    Start,
    Cancel(u64),
    CheckDatabase,
    RefreshRunbooks,
    /// Run a runbook; `approve` is the approval the window's dialog gave.
    RunRunbook {
        id: String,
        approve: bool,
    },
    ApproveRun(u64),
    CancelRun(u64),
    ResumeRun(u64),
    SkipStep {
        run: u64,
        step: String,
    },
    ShowRunbook(String),
    /// Follow this run live (steps and output); `None` stops following.
    WatchRun(Option<u64>),
    PlanRunbook(String),
    AddSchedule {
        runbook: String,
        kind: String,
        spec: String,
        missed: String,
    },
    RemoveSchedule(u64),
    PauseSchedule {
        id: u64,
        paused: bool,
    },
    LoadNoticeSettings,
    ChangeNotices(NoticeChange),
    Infra(InfraRequest),
    Metrics(MetricsRequest),
    /// Boxed: CRM forms are big, the other requests small.
    Crm(Box<CrmRequest>),
    Docs(DocsRequest),
    Broadcast(BroadcastRequest),
    Voice(VoiceRequest),
}

/// The run the window follows, and the job running it (for its output).
#[derive(Default)]
struct Watched {
    run: Option<u64>,
    job: Option<String>,
}

/// Runs until the receiver side goes away. `requests` carries the GUI's asks.
pub async fn run(
    events: relm4::Sender<DaemonEvent>,
    mut requests: tokio::sync::mpsc::UnboundedReceiver<DaemonRequest>,
) {
    let client = match Client::session().await {
        Ok(c) => c,
        Err(e) => {
            events.emit(DaemonEvent::Disconnected(e.human()));
            return;
        }
    };
    let mut link = match Link::subscribe(&client).await {
        Ok(link) => link,
        Err(e) => {
            events.emit(DaemonEvent::Disconnected(e.human()));
            return;
        }
    };
    // The first contact activates roxyd if it is installed but not running.
    let first = connect(&client).await;
    let connected = matches!(first, DaemonEvent::Connected { .. });
    events.emit(first);
    if connected {
        events.emit(runbooks(&client).await);
        events.emit(schedules(&client).await);
        load_panels(&client, &events).await;
    }
    let mut watched = Watched::default();
    loop {
        tokio::select! {
            Some(message) = link.signals.next() => {
                let Ok(message) = message else { continue };
                let header = message.header();
                let (Some(interface), Some(member)) = (header.interface(), header.member()) else { continue };
                if interface.as_str() == interfaces::JOB1 {
                    // Only the watched run's output is shown.
                    let from_watched = watched.job.is_some()
                        && header.path().map(|p| p.as_str()) == watched.job.as_deref();
                    if from_watched && member.as_str() == "Log" {
                        if let (Some(run_id), Ok(line)) = (watched.run, message.body().deserialize::<String>()) {
                            events.emit(DaemonEvent::RunLog { run_id, line });
                        }
                    }
                    continue;
                }
                if interface.as_str() == interfaces::INFRA1 {
                    if let Some(event) = infra::on_signal(&client, member.as_str(), &message).await {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::CRM1 {
                    for event in crm::on_signal(&client, member.as_str(), &message).await {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::BROADCAST1 {
                    if let Some(event) = broadcast::on_signal(member.as_str(), &message) {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::VOICE1 {
                    for event in voice::on_signal(&client, member.as_str(), &message).await {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::DOCS1 {
                    for event in docs::on_signal(&client, member.as_str(), &message).await {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::METRICS1 {
                    for event in metrics::on_signal(&client, member.as_str(), &message).await {
                        events.emit(event);
                    }
                    continue;
                }
                if interface.as_str() == interfaces::RUNBOOKS1 {
                    match member.as_str() {
                        "StepChanged" => {
                            let Ok((run_id, step)) = message.body().deserialize::<(u64, RunStepInfo)>() else { continue };
                            if watched.run == Some(run_id) {
                                events.emit(DaemonEvent::StepChanged { run_id, step });
                            }
                        }
                        "SchedulesChanged" => events.emit(schedules(&client).await),
                        other => {
                            if other == "RunChanged" {
                                let changed = message.body().deserialize::<RunInfo>().ok();
                                if let Some(run) = changed.filter(|r| Some(r.id) == watched.run) {
                                    watched.job = (run.job_id > 0).then(|| job_path(run.job_id));
                                    if let Some(event) = run_detail(&client, run.id).await {
                                        events.emit(event);
                                    }
                                }
                            }
                            events.emit(runbooks(&client).await);
                        }
                    }
                    continue;
                }
                if interface.as_str() != interfaces::JOBS1 {
                    continue;
                }
                let Ok(job) = message.body().deserialize::<JobInfo>() else { continue };
                match member.as_str() {
                    "JobAdded" => events.emit(DaemonEvent::JobAdded(job)),
                    "JobChanged" => events.emit(DaemonEvent::JobChanged(job)),
                    _ => {}
                }
            }
            Some(change) = link.owner.next() => {
                let Ok(args) = change.args() else { continue };
                if args.new_owner().is_some() {
                    events.emit(connect(&client).await);
                    events.emit(runbooks(&client).await);
                    events.emit(schedules(&client).await);
                    load_panels(&client, &events).await;
                } else {
                    events.emit(DaemonEvent::Disconnected(gettext(
                        "The Roxy daemon stopped. Background jobs are not running.",
                    )));
                }
            }
            Some(request) = requests.recv() => {
                match request {
                    DaemonRequest::RefreshRunbooks => {
                        events.emit(runbooks(&client).await);
                        continue;
                    }
                    DaemonRequest::WatchRun(run) => {
                        watched = Watched { run, job: None };
                        if let Some(run) = run {
                            if let Some(event) = run_detail(&client, run).await {
                                if let DaemonEvent::RunDetail { run, .. } = &event {
                                    watched.job = (run.job_id > 0).then(|| job_path(run.job_id));
                                }
                                events.emit(event);
                            }
                        }
                        continue;
                    }
                    DaemonRequest::Infra(request) => {
                        emit_all(&events, infra::handle(&client, request).await);
                        continue;
                    }
                    DaemonRequest::Metrics(request) => {
                        emit_all(&events, metrics::handle(&client, request).await);
                        continue;
                    }
                    DaemonRequest::Crm(request) => {
                        emit_all(&events, crm::handle(&client, *request).await);
                        continue;
                    }
                    DaemonRequest::Docs(request) => {
                        emit_all(&events, docs::handle(&client, request).await);
                        continue;
                    }
                    DaemonRequest::Broadcast(request) => {
                        emit_all(&events, broadcast::handle(&client, request).await);
                        continue;
                    }
                    DaemonRequest::Voice(request) => {
                        emit_all(&events, voice::handle(&client, request).await);
                        continue;
                    }
                    _ => {}
                }
                match handle(&client, request).await {
                    Ok(Some(event)) => events.emit(event),
                    Ok(None) => {}
                    Err(e) if e.is_unreachable() => events.emit(DaemonEvent::Disconnected(e.human())),
                    Err(e) => events.emit(DaemonEvent::Failed(e.human())),
                }
            }
            else => break,
        }
    }
}

/// What the Infrastructure and Metrics panels show first.
async fn load_panels(client: &Client, events: &relm4::Sender<DaemonEvent>) {
    emit_all(events, infra::load(client).await);
    emit_all(events, metrics::load(client).await);
    emit_all(events, crm::load(client).await);
    emit_all(events, docs::load(client).await);
    emit_all(events, broadcast::load(client).await);
    emit_all(events, voice::load(client).await);
}

fn emit_all(events: &relm4::Sender<DaemonEvent>, result: Result<Vec<DaemonEvent>, RoxyError>) {
    match result {
        Ok(list) => list.into_iter().for_each(|e| events.emit(e)),
        Err(e) if e.is_unreachable() => events.emit(DaemonEvent::Disconnected(e.human())),
        Err(e) => events.emit(DaemonEvent::Failed(e.human())),
    }
}

struct Link {
    signals: MessageStream,
    owner: zbus::fdo::NameOwnerChangedStream,
}

impl Link {
    async fn subscribe(client: &Client) -> Result<Self, RoxyError> {
        Ok(Self {
            signals: client.daemon_signals().await?,
            owner: client.daemon_owner_changes().await?,
        })
    }
}

async fn connect(client: &Client) -> DaemonEvent {
    let result = async {
        let status = client.daemon().await?.get_status().await?;
        let jobs = client.jobs().await?.list().await?;
        Ok::<_, RoxyError>(DaemonEvent::Connected { status, jobs })
    }
    .await;
    result.unwrap_or_else(|e| DaemonEvent::Disconnected(e.human()))
}

/// The catalog and recent runs; an empty list when roxyd cannot say.
async fn runbooks(client: &Client) -> DaemonEvent {
    let fetched = async {
        let proxy = client.runbooks().await?;
        Ok::<_, RoxyError>((proxy.list().await?, proxy.runs("", RECENT_RUNS).await?))
    }
    .await;
    match fetched {
        Ok((runbooks, runs)) => DaemonEvent::Runbooks { runbooks, runs },
        Err(e) => {
            tracing::warn!("cannot list runbooks: {}", e.human());
            DaemonEvent::Runbooks {
                runbooks: Vec::new(),
                runs: Vec::new(),
            }
        }
    }
}

async fn schedules(client: &Client) -> DaemonEvent {
    match async { client.runbooks().await?.list_schedules().await }.await {
        Ok(list) => DaemonEvent::Schedules(list),
        Err(e) => {
            tracing::warn!("cannot list schedules: {}", e.human());
            DaemonEvent::Schedules(Vec::new())
        }
    }
}

async fn run_detail(client: &Client, run_id: u64) -> Option<DaemonEvent> {
    match async { client.runbooks().await?.get_run(run_id).await }.await {
        Ok((run, steps)) => Some(DaemonEvent::RunDetail { run, steps }),
        Err(e) => Some(DaemonEvent::Failed(e.human())),
    }
}

/// Runs shown in the Runbooks panel.
const RECENT_RUNS: u32 = 20;

/// Carries out one request; some answer with an event for the window.
async fn handle(client: &Client, request: DaemonRequest) -> Result<Option<DaemonEvent>, RoxyError> {
    let none = |r: Result<(), RoxyError>| r.map(|()| None);
    match request {
        // Any call activates roxyd; NameOwnerChanged then reports the new connection.
        DaemonRequest::Start => none(client.daemon().await?.ping("start").await.map(drop)),
        DaemonRequest::Cancel(id) => none(client.jobs().await?.cancel(id).await),
        DaemonRequest::CheckDatabase => {
            none(client.daemon().await?.check_database().await.map(drop))
        }
        DaemonRequest::RefreshRunbooks
        | DaemonRequest::WatchRun(_)
        | DaemonRequest::Infra(_)
        | DaemonRequest::Metrics(_)
        | DaemonRequest::Crm(_)
        | DaemonRequest::Docs(_)
        | DaemonRequest::Broadcast(_)
        | DaemonRequest::Voice(_) => Ok(None),
        DaemonRequest::RunRunbook { id, approve } => {
            let (run, _job) = client
                .runbooks()
                .await?
                .run(&id, Default::default(), &[], approve)
                .await?;
            Ok(Some(DaemonEvent::RunStarted(run)))
        }
        DaemonRequest::ApproveRun(run) => none(client.runbooks().await?.approve(run).await),
        DaemonRequest::CancelRun(run) => none(client.runbooks().await?.cancel(run).await),
        DaemonRequest::ResumeRun(run) => {
            client.runbooks().await?.resume(run).await?;
            Ok(Some(DaemonEvent::RunStarted(run)))
        }
        DaemonRequest::SkipStep { run, step } => {
            none(client.runbooks().await?.skip(run, &step).await)
        }
        DaemonRequest::ShowRunbook(id) => {
            let proxy = client.runbooks().await?;
            let (info, steps) = proxy.show(&id).await?;
            let runs = proxy.runs(&id, RECENT_RUNS).await?;
            Ok(Some(DaemonEvent::RunbookDetail { info, steps, runs }))
        }
        DaemonRequest::PlanRunbook(id) => {
            let lines = client
                .runbooks()
                .await?
                .plan(&id, Default::default(), &[])
                .await?;
            Ok(Some(DaemonEvent::Plan { id, lines }))
        }
        DaemonRequest::AddSchedule {
            runbook,
            kind,
            spec,
            missed,
        } => {
            client
                .runbooks()
                .await?
                .add_schedule(&runbook, &kind, &spec, &missed)
                .await?;
            Ok(None)
        }
        DaemonRequest::RemoveSchedule(id) => {
            none(client.runbooks().await?.remove_schedule(id).await)
        }
        DaemonRequest::PauseSchedule { id, paused } => none(
            client
                .runbooks()
                .await?
                .set_schedule_paused(id, paused)
                .await,
        ),
        DaemonRequest::LoadNoticeSettings => notice_settings(client).await.map(Some),
        DaemonRequest::ChangeNotices(change) => {
            if let Some(told) = change_notices(client, change).await? {
                return Ok(Some(DaemonEvent::Told(told)));
            }
            notice_settings(client).await.map(Some)
        }
    }
}

async fn notice_settings(client: &Client) -> Result<DaemonEvent, RoxyError> {
    let notices = client.notifications().await?;
    Ok(DaemonEvent::NoticeSettings(Box::new(NoticeSettings {
        kinds: notices.kinds().await?,
        status: notices.status().await?,
        muted: notices.muted().await?,
        webhooks: notices.webhooks().await?,
        start_at_login: client.daemon().await?.start_at_login().await?,
    })))
}

/// Carries out a change; `Some` is a sentence to show instead of reloading.
async fn change_notices(
    client: &Client,
    change: NoticeChange,
) -> Result<Option<String>, RoxyError> {
    let notices = client.notifications().await?;
    match change {
        NoticeChange::Profile { kind, profile } => notices.set_profile(&kind, &profile).await?,
        NoticeChange::DoNotDisturb(on) => notices.set_do_not_disturb(on).await?,
        NoticeChange::DigestMinutes(m) => notices.set_digest_minutes(m).await?,
        NoticeChange::FlushDigest => {
            notices.flush_digest().await?;
        }
        NoticeChange::Unmute(source) => {
            notices.unmute(&source).await?;
        }
        NoticeChange::SaveWebhook(hook) => notices.save_webhook(&hook).await?,
        NoticeChange::RemoveWebhook(name) => {
            notices.remove_webhook(&name).await?;
        }
        NoticeChange::TestWebhook(name) => {
            let result = notices.test_webhook(&name).await?;
            return Ok(Some(fill(
                &gettext("Webhook “{}” answered: {}"),
                &[&name, &result],
            )));
        }
        NoticeChange::StartAtLogin(on) => {
            client.daemon().await?.set_start_at_login(on).await?;
        }
    }
    Ok(None)
}
