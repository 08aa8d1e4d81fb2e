//! `roxyctl crm import|export|backend`.

use crate::output::Output;
use crate::watch;
use roxy_ipc::crm::ImportReportInfo;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::path::Path;
use std::process::ExitCode;

pub async fn import(
    out: Output,
    file: &Path,
    format: Option<String>,
    mapping: &[String],
    confirm: bool,
    merge_duplicates: bool,
) -> anyhow::Result<ExitCode> {
    let data = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let format = format.unwrap_or_else(|| {
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_lowercase();
        if ext == "vcf" || ext == "vcard" {
            "vcard".into()
        } else {
            "csv".into()
        }
    });
    let mapping = mapping
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(c, f)| (c.trim().to_owned(), f.trim().to_owned()))
                .ok_or_else(|| {
                    anyhow::anyhow!(fill(
                        &gettext("--map “{}”: write COLUMN=FIELD, e.g. \"E-Mail=email\""),
                        &[pair]
                    ))
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let client = Client::session().await?;
    let crm = client.crm().await?;
    let report = crm.plan_import(&format, &data, &mapping).await?;
    if !confirm {
        out.emit(&report, || {
            let mut text = describe(&report);
            text.push('\n');
            text.push_str(&gettext(
                "Nothing was imported. Run again with --confirm to import the good rows.",
            ));
            text
        });
        return Ok(ExitCode::SUCCESS);
    }
    if !out.json {
        crate::output::line(&describe(&report));
    }
    watch::follow_new(&client, out, || async {
        Ok(crm
            .import(&format, &data, &mapping, merge_duplicates)
            .await?)
    })
    .await
}

fn describe(report: &ImportReportInfo) -> String {
    let mut lines = vec![fill(
        &gettext("{} rows can be imported, {} rows are bad, {} match existing contacts."),
        &[&report.good, &report.bad.len(), &report.duplicates.len()],
    )];
    if !report.mapping.is_empty() {
        let mapping: Vec<String> = report
            .mapping
            .iter()
            .map(|(c, f)| format!("{c} → {f}"))
            .collect();
        lines.push(fill(&gettext("Columns: {}"), &[&mapping.join(", ")]));
    }
    for bad in &report.bad {
        lines.push(fill(&gettext("  line {}: {}"), &[&bad.line, &bad.reason]));
    }
    for (line, existing, name) in &report.duplicates {
        lines.push(if *existing > 0 {
            fill(
                &gettext("  line {}: {} is already contact {} (will be merged into it)"),
                &[line, name, existing],
            )
        } else {
            fill(
                &gettext("  line {}: {} repeats an earlier line (will be merged)"),
                &[line, name],
            )
        });
    }
    lines.join("\n")
}

pub async fn export(
    out: Output,
    format: &str,
    output: Option<&Path>,
    ids: &[i64],
) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let text = client.crm().await?.export(format, ids).await?;
    match output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            out.emit(
                &serde_json::json!({ "file": path, "bytes": text.len() }),
                || fill(&gettext("Wrote {}."), &[&path.display()]),
            );
        }
        None => crate::output::write(&text),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn backend(out: Output, url: Option<String>, sqlite: bool) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    let label = match (url, sqlite) {
        (Some(url), _) => crm.set_database_url(&url).await?,
        (None, true) => crm.set_database_url("").await?,
        (None, false) => crm.backend().await?,
    };
    out.emit(&serde_json::json!({ "backend": label }), || {
        fill(&gettext("The CRM uses {}."), &[&label])
    });
    Ok(ExitCode::SUCCESS)
}
