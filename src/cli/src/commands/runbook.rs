//! `roxyctl runbook …`.

use crate::output::{self, Output};
use crate::watch;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::{Client, RunInfo};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

pub async fn list(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let runbooks = client.runbooks().await?.list().await?;
    out.emit(&runbooks, || {
        if runbooks.is_empty() {
            return gettext("No runbooks. Put YAML files in ~/.config/roxy/runbooks/.");
        }
        runbooks
            .iter()
            .map(|r| {
                let mut line = format!(
                    "{:<20} {:<12} {}",
                    r.id,
                    if r.last_state.is_empty() {
                        "–"
                    } else {
                        &r.last_state
                    },
                    r.name
                );
                if !r.tags.is_empty() {
                    line.push_str(&format!("  [{}]", r.tags.join(", ")));
                }
                if r.confirm {
                    line.push_str(&format!("  ({})", gettext("needs approval")));
                }
                for e in &r.errors {
                    line.push_str(&format!("\n    {e}"));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn show(out: Output, id: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let (info, steps) = client.runbooks().await?.show(id).await?;
    out.emit(
        &serde_json::json!({ "runbook": info, "steps": steps }),
        || {
            let mut text = format!("{} — {}\n{}\n", info.id, info.name, info.path);
            if !info.description.is_empty() {
                text.push_str(&format!("{}\n", info.description));
            }
            for trigger in &info.triggers {
                text.push_str(&format!("{} {trigger}\n", gettext("trigger:")));
            }
            for s in &steps {
                text.push_str(&format!(
                    "\n{:>3}. [{}] {} ({}): {}",
                    s.index + 1,
                    s.id,
                    s.name,
                    s.kind,
                    s.detail
                ));
                if !s.when.is_empty() {
                    text.push_str(&format!("\n       when {}", s.when));
                }
            }
            text
        },
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn validate(out: Output, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let runbooks = client.runbooks().await?;
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            anyhow::anyhow!(fill(&gettext("cannot read {}: {}"), &[&file.display(), &e]))
        })?;
        problems.extend(
            runbooks
                .validate(&file.display().to_string(), &text)
                .await?,
        );
    }
    out.emit(&problems, || {
        if problems.is_empty() {
            fill(&gettext("{} file(s) valid."), &[&files.len()])
        } else {
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        }
    });
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn run(
    out: Output,
    id: &str,
    vars: Vec<(String, String)>,
    skip: Vec<String>,
    approve: bool,
    dry_run: bool,
    follow: bool,
) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let runbooks = client.runbooks().await?;
    let var_map: HashMap<&str, &str> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let skip_refs: Vec<&str> = skip.iter().map(String::as_str).collect();
    if dry_run {
        let plan = runbooks.plan(id, var_map, &skip_refs).await?;
        out.emit(&plan, || plan.join("\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let start = || async {
        let (run_id, path) = runbooks
            .run(id, var_map.clone(), &skip_refs, approve)
            .await?;
        if path.as_str() == "/" {
            anyhow::bail!(waiting_message(run_id));
        }
        Ok(path)
    };
    if follow {
        return watch::follow_new(&client, out, start).await;
    }
    let (run_id, path) = runbooks
        .run(id, var_map.clone(), &skip_refs, approve)
        .await?;
    out.emit(&serde_json::json!({ "run": run_id, "job": path.as_str() }), || {
        if path.as_str() == "/" {
            waiting_message(run_id)
        } else {
            fill(&gettext("Started run {}. Follow it with `roxyctl runbook status {}` or `roxyctl jobs watch`."), &[&run_id, &run_id])
        }
    });
    Ok(ExitCode::SUCCESS)
}

fn waiting_message(run_id: u64) -> String {
    fill(
        &gettext("Run {} waits for an approval: `roxyctl runbook approve {}`."),
        &[&run_id, &run_id],
    )
}

pub async fn runs(out: Output, id: Option<&str>, limit: u32) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let runs = client
        .runbooks()
        .await?
        .runs(id.unwrap_or(""), limit)
        .await?;
    out.emit(&runs, || {
        if runs.is_empty() {
            return gettext("No runs yet.");
        }
        runs.iter().map(run_line).collect::<Vec<_>>().join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

fn run_line(r: &RunInfo) -> String {
    let mut line = format!(
        "{:>5}  {:<17} {:<16} {}  {}",
        r.id,
        r.state,
        r.runbook_id,
        output::timestamp(r.started_at),
        r.actor
    );
    if !r.message.is_empty() {
        line.push_str(&format!(" — {}", r.message));
    }
    line
}

pub async fn status(out: Output, run_id: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let (run, steps) = client.runbooks().await?.get_run(run_id).await?;
    out.emit(&serde_json::json!({ "run": run, "steps": steps }), || {
        let mut text = run_line(&run);
        if !run.approved_by.is_empty() {
            text.push_str(&format!(
                "\n       {}",
                fill(&gettext("approved by {}"), &[&run.approved_by])
            ));
        }
        for s in &steps {
            text.push_str(&format!(
                "\n  {:>3}. {:<17} [{}] {}",
                s.index + 1,
                s.state,
                s.step_id,
                s.name
            ));
            if s.attempts > 1 {
                text.push_str(&format!(
                    "  ({})",
                    fill(&gettext("{} attempts"), &[&s.attempts])
                ));
            }
            if s.exit_code >= 0 {
                text.push_str(&format!("  exit {}", s.exit_code));
            }
        }
        text
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn cancel(out: Output, run_id: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.runbooks().await?.cancel(run_id).await?;
    out.emit(&serde_json::json!({ "cancelled": run_id }), || {
        fill(&gettext("Asked run {} to stop."), &[&run_id])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn resume(out: Output, run_id: u64, follow: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let runbooks = client.runbooks().await?;
    if follow {
        return watch::follow_new(&client, out, || async {
            Ok(runbooks.resume(run_id).await?)
        })
        .await;
    }
    let path = runbooks.resume(run_id).await?;
    out.emit(
        &serde_json::json!({ "run": run_id, "job": path.as_str() }),
        || fill(&gettext("Resumed run {}."), &[&run_id]),
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn approve(out: Output, run_id: u64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.runbooks().await?.approve(run_id).await?;
    out.emit(&serde_json::json!({ "approved": run_id }), || {
        fill(&gettext("Approved run {}."), &[&run_id])
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn skip(out: Output, run_id: u64, step: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.runbooks().await?.skip(run_id, step).await?;
    out.emit(
        &serde_json::json!({ "run": run_id, "skipped": step }),
        || {
            fill(
                &gettext("Step {} of run {} will be skipped."),
                &[&step, &run_id],
            )
        },
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn reload(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.runbooks().await?.reload().await?;
    out.emit(&serde_json::json!({ "reloaded": true }), || {
        gettext("Runbook folders read again.")
    });
    Ok(ExitCode::SUCCESS)
}
