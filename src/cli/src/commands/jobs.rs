//! `roxyctl jobs list|watch|cancel`.

use crate::output::{self, Output};
use crate::watch;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{Client, JobInfo};
use std::process::ExitCode;

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let jobs = client.jobs().await?.list().await?;
    out.emit(&jobs, || table(&jobs));
    Ok(ExitCode::SUCCESS)
}

pub async fn watch(out: Output, id: Option<u64>) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    watch::follow(&client, out, id).await
}

pub async fn cancel(out: Output, id: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.jobs().await?.cancel(id).await?;
    out.emit(&serde_json::json!({ "cancelled": id }), || {
        fill(&gettext("Asked job {} to stop."), &[&id])
    });
    Ok(ExitCode::SUCCESS)
}

fn table(jobs: &[JobInfo]) -> String {
    if jobs.is_empty() {
        return output::no_jobs();
    }
    let mut text = format!(
        "{:>5}  {:<11} {:>5}  {}",
        gettext("ID"),
        gettext("STATE"),
        "%",
        gettext("TITLE")
    );
    for job in jobs {
        text.push('\n');
        text.push_str(&output::job_line(&format!("{:>5} ", job.id), job));
    }
    text
}
