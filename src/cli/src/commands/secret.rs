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

/// Scans a folder as a job (following it), then lists what was found, masked.
pub async fn scan(out: Output, folder: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    // The daemon may run with another working directory: send an absolute path.
    let folder = match folder {
        Some(f) => std::path::absolute(f)?.to_string_lossy().into_owned(),
        None => String::new(),
    };
    let client = Client::session().await?;
    let secrets = client.secrets().await?;
    let started = std::cell::Cell::new(None);
    let code = crate::watch::follow_new(&client, out, || async {
        let path = secrets.scan(&folder).await?;
        started.set(roxy_ipc::names::job_id_from_path(path.as_str()));
        Ok(path)
    })
    .await?;
    let Some(job) = started.get() else {
        return Ok(code);
    };
    let findings = secrets.findings(job).await?;
    out.emit(&serde_json::json!({ "findings": findings }), || {
        if findings.is_empty() {
            return gettext("No plaintext credentials found.");
        }
        let mut lines: Vec<String> = findings
            .iter()
            .map(|f| format!("{}:{}:{}: {} {}", f.file, f.line, f.column, f.kind, f.masked))
            .collect();
        lines.push(gettext(
            "Move a value into the secret store with `roxyctl secret import FILE:LINE:COLUMN NAME`, then remove it from the file.",
        ));
        lines.join("\n")
    });
    Ok(code)
}

/// `FILE:LINE:COLUMN` as printed by `scan`.
fn parse_place(place: &str) -> anyhow::Result<(String, u32, u32)> {
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (parts.next(), line, column) {
        (Some(file), Some(line), Some(column)) => Ok((file.to_owned(), line, column)),
        _ => anyhow::bail!(fill(
            &gettext(
                "“{}” is not a place; write FILE:LINE:COLUMN as `roxyctl secret scan` prints it"
            ),
            &[&place]
        )),
    }
}

pub async fn import(out: Output, place: &str, name: &str) -> anyhow::Result<ExitCode> {
    let (file, line, column) = parse_place(place)?;
    let file = std::path::absolute(&file)?.to_string_lossy().into_owned();
    let client = Client::session().await?;
    client
        .secrets()
        .await?
        .import(&file, line, column, name)
        .await?;
    out.emit(
        &serde_json::json!({ "secret": name, "stored": true, "from": format!("{file}:{line}:{column}") }),
        || {
            fill(
                &gettext("Stored the value from {}:{} as “{}”. Now remove it from the file and refer to the secret by name."),
                &[&file, &line, &name],
            )
        },
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_parse_from_the_right() {
        assert_eq!(
            parse_place("/a:b/c.json:2:21").unwrap(),
            ("/a:b/c.json".to_string(), 2, 21)
        );
        assert!(parse_place("c.json:2").is_err());
        assert!(parse_place("c.json:x:1").is_err());
    }
}
