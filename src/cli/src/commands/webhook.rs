//! `roxyctl webhook …`: outgoing webhooks for notices.

use crate::output::Output;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{Client, WebhookInfo};
use std::process::ExitCode;

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let hooks = client.notifications().await?.webhooks().await?;
    out.emit(&hooks, || {
        if hooks.is_empty() {
            return gettext(
                "No webhooks yet. Add one with `roxyctl webhook add NAME URL --profile critical`.",
            );
        }
        hooks
            .iter()
            .map(|h| {
                let last = if h.last_result.is_empty() {
                    gettext("not used yet")
                } else {
                    h.last_result.clone()
                };
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    h.name,
                    h.format,
                    h.profiles.join(","),
                    h.url,
                    last
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn add(out: Output, webhook: WebhookInfo) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.notifications().await?.save_webhook(&webhook).await?;
    out.emit(&webhook, || {
        fill(&gettext("Saved the webhook “{}”."), &[&webhook.name])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn remove(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let found = client.notifications().await?.remove_webhook(name).await?;
    out.emit(
        &serde_json::json!({ "webhook": name, "removed": found }),
        || {
            if found {
                fill(&gettext("Removed the webhook “{}”."), &[&name])
            } else {
                fill(&gettext("There was no webhook “{}”."), &[&name])
            }
        },
    );
    Ok(if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn test(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let result = client.notifications().await?.test_webhook(name).await?;
    out.emit(
        &serde_json::json!({ "webhook": name, "result": result }),
        || fill(&gettext("Delivered to “{}”: {}"), &[&name, &result]),
    );
    Ok(ExitCode::SUCCESS)
}
