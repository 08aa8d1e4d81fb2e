//! `roxyctl crm deal …`, `crm stage …`, `crm forecast`.

use super::{DealCommand, StageCommand};
use crate::output::Output;
use roxy_ipc::crm::{money, DealFormInfo, StageInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn run(out: Output, command: DealCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    match command {
        DealCommand::List => {
            let stages = crm.stages().await?;
            let deals = crm.deals().await?;
            out.emit(
                &serde_json::json!({ "stages": stages, "deals": deals }),
                || {
                    let mut lines = Vec::new();
                    for stage in &stages {
                        lines.push(format!(
                            "{} ({} %)  #{}",
                            stage.name, stage.probability, stage.id
                        ));
                        for d in deals.iter().filter(|d| d.stage_id == stage.id) {
                            lines.push(format!(
                                "  {:>6}  {:<30} {:<24} {:>14}  {}  {}",
                                d.id,
                                d.title,
                                d.contact_name,
                                money(d.value_cents),
                                d.close_date,
                                d.reason
                            ));
                        }
                    }
                    lines.join("\n")
                },
            );
        }
        DealCommand::Add {
            lead,
            title,
            value,
            close,
            stage,
            probability,
        } => {
            let form = DealFormInfo {
                lead_id: lead,
                title,
                stage_id: stage.unwrap_or(0),
                value: value.unwrap_or_default(),
                close_date: close.unwrap_or_default(),
                probability: probability.unwrap_or_default(),
            };
            let id = crm.save_deal(0, &form).await?;
            out.emit(&serde_json::json!({ "id": id }), || {
                fill(&gettext("Added deal {}."), &[&id])
            });
        }
        DealCommand::Move {
            id,
            stage,
            position,
        } => {
            crm.move_deal(id, stage, position, "").await?;
            out.emit(&serde_json::json!({ "id": id, "stage": stage }), || {
                fill(&gettext("Moved deal {}."), &[&id])
            });
        }
        DealCommand::Won { id, reason } => {
            crm.close_deal(id, true, &reason).await?;
            out.emit(&serde_json::json!({ "id": id, "won": true }), || {
                fill(&gettext("Deal {} won."), &[&id])
            });
        }
        DealCommand::Lost { id, reason } => {
            crm.close_deal(id, false, &reason).await?;
            out.emit(&serde_json::json!({ "id": id, "won": false }), || {
                fill(&gettext("Deal {} lost."), &[&id])
            });
        }
        DealCommand::Delete { id } => {
            crm.delete("deal", id).await?;
            out.emit(&serde_json::json!({ "deleted": id }), || {
                fill(
                    &gettext("Deleted deal {}. Undo with `roxyctl crm deal restore {}`."),
                    &[&id, &id],
                )
            });
        }
        DealCommand::Restore { id } => {
            crm.restore("deal", id).await?;
            out.emit(&serde_json::json!({ "restored": id }), || {
                fill(&gettext("Restored deal {}."), &[&id])
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn stages(out: Output, command: StageCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    match command {
        StageCommand::List => {
            let stages = crm.stages().await?;
            out.emit(&stages, || {
                stages
                    .iter()
                    .map(|s| {
                        format!(
                            "{:>4}  {:<24} {:>3} %  {}",
                            s.id, s.name, s.probability, s.outcome
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        StageCommand::Add {
            name,
            probability,
            outcome,
            position,
        } => {
            let stage = StageInfo {
                id: 0,
                name,
                position: position.unwrap_or(-1),
                probability,
                outcome,
            };
            let id = crm.save_stage(&stage).await?;
            out.emit(&serde_json::json!({ "id": id }), || {
                fill(&gettext("Added stage {}."), &[&id])
            });
        }
        StageCommand::Edit {
            id,
            name,
            probability,
            position,
        } => {
            let mut stage = crm
                .stages()
                .await?
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(|| anyhow::anyhow!(fill(&gettext("There is no stage {}."), &[&id])))?;
            stage.name = name.unwrap_or(stage.name);
            stage.probability = probability.unwrap_or(stage.probability);
            stage.position = position.unwrap_or(-1);
            crm.save_stage(&stage).await?;
            out.emit(&serde_json::json!({ "id": id }), || {
                fill(&gettext("Saved stage {}."), &[&id])
            });
        }
        StageCommand::Remove { id } => {
            crm.remove_stage(id).await?;
            out.emit(&serde_json::json!({ "removed": id }), || {
                fill(&gettext("Removed stage {}."), &[&id])
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn forecast(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let forecast = client.crm().await?.forecast().await?;
    out.emit(&forecast, || {
        let mut lines = vec![gettext("Open deals by stage (value, weighted):")];
        for l in &forecast.stages {
            lines.push(format!(
                "  {:<24} {:>4}  {:>16}  {:>16}",
                l.label,
                l.deals,
                money(l.total_cents),
                money(l.weighted_cents)
            ));
        }
        lines.push(gettext("By month of the close date:"));
        for l in &forecast.months {
            let label = if l.label.is_empty() {
                gettext("no date")
            } else {
                l.label.clone()
            };
            lines.push(format!(
                "  {:<24} {:>4}  {:>16}  {:>16}",
                label,
                l.deals,
                money(l.total_cents),
                money(l.weighted_cents)
            ));
        }
        lines.join("\n")
    });
    Ok(ExitCode::SUCCESS)
}
