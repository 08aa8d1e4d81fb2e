//! `roxyctl notify …`: how loudly each kind of event is told, Do Not Disturb, the digest.

use crate::output::Output;
use roxy_ipc::i18n::{fill, gettext, ngettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn status(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let proxy = client.notifications().await?;
    let kinds = proxy.kinds().await?;
    let status = proxy.status().await?;
    let muted = proxy.muted().await?;
    let json = serde_json::json!({ "kinds": kinds, "status": status, "muted": muted });
    out.emit(&json, || {
        let mut lines: Vec<String> = kinds
            .iter()
            .map(|k| format!("{:<16} {:<9} {}", k.id, k.profile, k.label))
            .collect();
        lines.push(String::new());
        let dnd = match (
            status.do_not_disturb,
            status.desktop_do_not_disturb.as_str(),
        ) {
            (true, _) => gettext("on (Roxy)"),
            (false, "") => gettext("off"),
            (false, desktop) => fill(&gettext("on ({})"), &[&desktop]),
        };
        lines.push(fill(&gettext("Do Not Disturb: {}"), &[&dnd]));
        lines.push(fill(
            &ngettext(
                "Digest: every {} minutes, {} event waiting",
                "Digest: every {} minutes, {} events waiting",
                status.digest_pending,
            ),
            &[&status.digest_minutes, &status.digest_pending],
        ));
        for m in &muted {
            let until = crate::output::timestamp(m.until);
            lines.push(fill(&gettext("Muted: {} until {}"), &[&m.source, &until]));
        }
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn profile(out: Output, kind: &str, profile: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client
        .notifications()
        .await?
        .set_profile(kind, profile)
        .await?;
    out.emit(
        &serde_json::json!({ "kind": kind, "profile": profile }),
        || fill(&gettext("“{}” events are now {}."), &[&kind, &profile]),
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn dnd(out: Output, on: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.notifications().await?.set_do_not_disturb(on).await?;
    out.emit(&serde_json::json!({ "do_not_disturb": on }), || {
        if on {
            gettext("Do Not Disturb is on: info notices wait for the digest.")
        } else {
            gettext("Do Not Disturb is off.")
        }
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn digest_interval(out: Output, minutes: u32) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client
        .notifications()
        .await?
        .set_digest_minutes(minutes)
        .await?;
    out.emit(&serde_json::json!({ "digest_minutes": minutes }), || {
        fill(&gettext("The digest comes every {} minutes."), &[&minutes])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn flush(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let count = client.notifications().await?.flush_digest().await?;
    out.emit(&serde_json::json!({ "sent": count }), || {
        if count == 0 {
            gettext("The digest is empty; nothing was sent.")
        } else {
            fill(
                &ngettext(
                    "Sent a digest of {} event.",
                    "Sent a digest of {} events.",
                    count,
                ),
                &[&count],
            )
        }
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn unmute(out: Output, source: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let was = client.notifications().await?.unmute(source).await?;
    out.emit(
        &serde_json::json!({ "source": source, "unmuted": was }),
        || {
            if was {
                fill(&gettext("“{}” may notify again."), &[&source])
            } else {
                fill(&gettext("“{}” was not muted."), &[&source])
            }
        },
    );
    Ok(if was {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
