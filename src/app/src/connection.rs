//! The GUI's link to roxyd: one long-running task that turns bus signals into messages.
//!
//! It never polls. It learns that roxyd went away or came back from `NameOwnerChanged`, and
//! about jobs from the daemon's `JobAdded`/`JobChanged` signals.

use futures_util::StreamExt;
use roxy_ipc::i18n::gettext;
use roxy_ipc::names::interfaces;
use roxy_ipc::{Client, DaemonStatus, JobInfo, RoxyError, RunInfo, RunbookInfo};
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
    }
    loop {
        tokio::select! {
            Some(message) = link.signals.next() => {
                let Ok(message) = message else { continue };
                let header = message.header();
                let (Some(interface), Some(member)) = (header.interface(), header.member()) else { continue };
                // Job log lines arrive here too; the window shows only the list.
                if interface.as_str() == interfaces::RUNBOOKS1 {
                    // Step changes are frequent and the list does not show them.
                    if member.as_str() != "StepChanged" {
                        events.emit(runbooks(&client).await);
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
                } else {
                    events.emit(DaemonEvent::Disconnected(gettext(
                        "The Roxy daemon stopped. Background jobs are not running.",
                    )));
                }
            }
            Some(request) = requests.recv() => {
                if matches!(request, DaemonRequest::RefreshRunbooks) {
                    events.emit(runbooks(&client).await);
                    continue;
                }
                if let Err(e) = handle(&client, request).await {
                    if e.is_unreachable() {
                        events.emit(DaemonEvent::Disconnected(e.human()));
                    } else {
                        tracing::warn!("daemon request failed: {}", e.human());
                    }
                }
            }
            else => break,
        }
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

/// Runs shown in the Runbooks panel.
const RECENT_RUNS: u32 = 20;

async fn handle(client: &Client, request: DaemonRequest) -> Result<(), RoxyError> {
    match request {
        // Any call activates roxyd; NameOwnerChanged then reports the new connection.
        DaemonRequest::Start => client.daemon().await?.ping("start").await.map(drop),
        DaemonRequest::Cancel(id) => client.jobs().await?.cancel(id).await,
        DaemonRequest::CheckDatabase => client.daemon().await?.check_database().await.map(drop),
        DaemonRequest::RefreshRunbooks => Ok(()),
        DaemonRequest::RunRunbook { id, approve } => client
            .runbooks()
            .await?
            .run(&id, Default::default(), &[], approve)
            .await
            .map(drop),
        DaemonRequest::ApproveRun(run) => client.runbooks().await?.approve(run).await,
        DaemonRequest::CancelRun(run) => client.runbooks().await?.cancel(run).await,
        DaemonRequest::ResumeRun(run) => client.runbooks().await?.resume(run).await.map(drop),
    }
}
