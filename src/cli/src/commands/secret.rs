//! `roxyctl secret …`: values go into the store and are never printed.

use crate::output::Output;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The value from a hidden prompt on a terminal, else the first line of standard input.
fn read_value(name: &str) -> anyhow::Result<Zeroizing<String>> {
    let value = if std::io::stdin().is_terminal() {
        Zeroizing::new(rpassword::prompt_password(fill(
            &gettext("Value for “{}”: "),
            &[&name],
        ))?)
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    if value.is_empty() {
        anyhow::bail!(gettext("no value given; nothing was stored"));
    }
    Ok(value)
}

pub async fn set(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let value = read_value(name)?;
    let client = Client::session().await?;
    client.secrets().await?.set(name, &value).await?;
    out.emit(
        &serde_json::json!({ "secret": name, "stored": true }),
        || fill(&gettext("Stored the secret “{}”."), &[&name]),
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let names = client.secrets().await?.list().await?;
    out.emit(&names, || {
        if names.is_empty() {
            gettext("No secrets yet. Add one with `roxyctl secret set NAME`.")
        } else {
            names.join("\n")
        }
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(out: Output, name: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let found = client.secrets().await?.delete(name).await?;
    out.emit(
        &serde_json::json!({ "secret": name, "deleted": found }),
        || {
            if found {
                fill(&gettext("Deleted the secret “{}”."), &[&name])
            } else {
                fill(&gettext("There was no secret “{}”."), &[&name])
            }
        },
    );
    Ok(if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
