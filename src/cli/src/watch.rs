//! Following jobs through their signals (never by polling).

use crate::output::{self, Output};
use futures_util::StreamExt;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::{interfaces, job_id_from_path};
use roxy_ipc::{Client, JobInfo, JobState};
use std::process::ExitCode;
use zbus::zvariant::OwnedObjectPath;
use zbus::MessageStream;

/// Subscribes, runs `begin` to start a job, then follows that job to its end.
pub async fn follow_new<F, Fut>(client: &Client, out: Output, begin: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<OwnedObjectPath>>,
{
    let streams = Streams::subscribe(client).await?;
    let path = begin().await?;
    let id = job_id_from_path(path.as_str())
        .ok_or_else(|| anyhow::anyhow!("roxyd returned an unexpected job path {path}"))?;
    // Subscribed before the start: every signal of this job, up to its end, is in the stream.
    streams.run(client, out, Some(id), false).await
}

/// Follows one job (until it ends) or all jobs (until interrupted).
pub async fn follow(client: &Client, out: Output, id: Option<u64>) -> anyhow::Result<ExitCode> {
    let streams = Streams::subscribe(client).await?;
    streams.run(client, out, id, true).await
}

/// One stream for every signal of the daemon, so log lines and state changes keep the order
/// in which roxyd sent them, plus the daemon's name owner to notice it stopping.
struct Streams {
    signals: MessageStream,
    owner: zbus::fdo::NameOwnerChangedStream,
}

impl Streams {
    async fn subscribe(client: &Client) -> anyhow::Result<Self> {
        Ok(Self {
            signals: client.daemon_signals().await?,
            owner: client.daemon_owner_changes().await?,
        })
    }

    async fn run(
        mut self,
        client: &Client,
        out: Output,
        target: Option<u64>,
        catch_up: bool,
    ) -> anyhow::Result<ExitCode> {
        if let (Some(id), true) = (target, catch_up) {
            // The job may have progressed or ended before the subscription took effect.
            let job = client.jobs().await?.get(id).await?;
            print_job(out, &job);
            if job.state.is_finished() {
                return Ok(verdict(&job));
            }
        }
        loop {
            tokio::select! {
                Some(message) = self.signals.next() => {
                    let message = message?;
                    let header = message.header();
                    let (Some(interface), Some(member)) = (header.interface(), header.member()) else { continue };
                    match (interface.as_str(), member.as_str()) {
                        (interfaces::JOBS1, "JobChanged") => {
                            let job: JobInfo = message.body().deserialize()?;
                            if target.is_some_and(|id| id != job.id) {
                                continue;
                            }
                            print_job(out, &job);
                            if target.is_some() && job.state.is_finished() {
                                return Ok(verdict(&job));
                            }
                        }
                        (interfaces::JOB1, "Log") => {
                            let id = header.path().and_then(|p| job_id_from_path(p.as_str()));
                            let (Some(id), Ok(line)) = (id, message.body().deserialize::<String>()) else { continue };
                            if target.is_none_or(|t| t == id) {
                                out.emit(&serde_json::json!({ "event": "log", "id": id, "line": line }), || {
                                    format!("[{id}] {line}")
                                });
                            }
                        }
                        _ => {}
                    }
                }
                Some(signal) = self.owner.next() => {
                    if signal.args()?.new_owner().is_none() {
                        anyhow::bail!(gettext("roxyd stopped; the job's end is unknown. Run `roxyctl jobs list` after it restarts."));
                    }
                }
                else => anyhow::bail!(gettext("The connection to the session bus closed.")),
            }
        }
    }
}

fn print_job(out: Output, job: &JobInfo) {
    out.emit(
        &serde_json::json!({ "event": "changed", "job": job }),
        || output::job_line(&format!("[{}]", job.id), job),
    );
}

fn verdict(job: &JobInfo) -> ExitCode {
    if job.state == JobState::Succeeded {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "roxyctl: {}",
            fill(
                &gettext("job {} ended {}: {}"),
                &[&job.id, &job.state.label(), &job.message]
            )
        );
        ExitCode::FAILURE
    }
}
