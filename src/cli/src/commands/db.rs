//! `roxyctl db check|backup`.

use crate::output::Output;
use crate::watch;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::job_id_from_path;
use roxy_ipc::Client;
use std::path::PathBuf;
use std::process::ExitCode;
use zbus::zvariant::OwnedObjectPath;

pub async fn check(out: Output, follow: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    start(&client, out, follow, || async {
        Ok(client.daemon().await?.check_database().await?)
    })
    .await
}

pub async fn backup(out: Output, file: PathBuf, follow: bool) -> anyhow::Result<ExitCode> {
    // The daemon may run with another working directory: send an absolute path.
    let file = std::path::absolute(&file)?;
    let client = Client::session().await?;
    start(&client, out, follow, || async {
        Ok(client
            .daemon()
            .await?
            .backup_database(&file.to_string_lossy())
            .await?)
    })
    .await
}

/// Starts a job; with `follow`, subscribes first so no output is missed, then waits for it.
pub(crate) async fn start<F, Fut>(
    client: &Client,
    out: Output,
    follow: bool,
    begin: F,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<OwnedObjectPath>>,
{
    if follow {
        return watch::follow_new(client, out, begin).await;
    }
    let path = begin().await?;
    let id = job_id_from_path(path.as_str()).unwrap_or_default();
    out.emit(
        &serde_json::json!({ "job": id, "path": path.as_str() }),
        || {
            fill(
                &gettext("Started job {}. Follow it with `roxyctl jobs watch {}`."),
                &[&id, &id],
            )
        },
    );
    Ok(ExitCode::SUCCESS)
}
