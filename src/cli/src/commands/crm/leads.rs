//! `roxyctl crm lead …`, `crm today`, `crm bant`.

use super::{BantArgs, LeadCommand, LeadFields};
use crate::output::Output;
use roxy_ipc::crm::{explain, money, status_label, LeadFormInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn run(out: Output, command: LeadCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    match command {
        LeadCommand::List {
            contact,
            min_score,
            max_score,
        } => {
            let leads = crm
                .leads(
                    contact.unwrap_or(0),
                    min_score.unwrap_or(-1),
                    max_score.unwrap_or(-1),
                    true,
                )
                .await?;
            out.emit(&leads, || {
                if leads.is_empty() {
                    return gettext("No leads. Add one with `roxyctl crm lead add CONTACT-ID`.");
                }
                leads
                    .iter()
                    .map(|l| {
                        format!(
                            "{:>6}  {:>3}  {:<28} {:<12} {:>14}  {}",
                            l.id,
                            l.score,
                            l.contact_name,
                            status_label(&l.form.status),
                            money(l.value_cents),
                            l.form.next_action
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        LeadCommand::Show { id } => {
            let lead = crm.lead(id).await?;
            out.emit(&lead, || {
                let mut lines = vec![fill(
                    &gettext("Lead {} for {}: score {}/100"),
                    &[&lead.id, &lead.contact_name, &lead.score],
                )];
                lines.extend(lead.explanation.iter().map(|p| format!("  {}", explain(p))));
                if !lead.form.next_action.is_empty() {
                    lines.push(fill(
                        &gettext("Next: {} (due {})"),
                        &[&lead.form.next_action, &lead.form.next_action_due],
                    ));
                }
                lines.join("\n")
            });
        }
        LeadCommand::Add { contact, fields } => {
            let form = apply(
                LeadFormInfo {
                    contact_id: contact,
                    ..Default::default()
                },
                fields,
            );
            let id = crm.save_lead(0, &form).await?;
            let lead = crm.lead(id).await?;
            out.emit(&lead, || {
                fill(&gettext("Added lead {} (score {})."), &[&id, &lead.score])
            });
        }
        LeadCommand::Edit { id, fields } => {
            let form = apply(crm.lead(id).await?.form, fields);
            crm.save_lead(id, &form).await?;
            let lead = crm.lead(id).await?;
            out.emit(&lead, || {
                fill(&gettext("Saved lead {} (score {})."), &[&id, &lead.score])
            });
        }
        LeadCommand::Delete { id } => {
            crm.delete("lead", id).await?;
            out.emit(&serde_json::json!({ "deleted": id }), || {
                fill(
                    &gettext("Deleted lead {}. Undo with `roxyctl crm lead restore {}`."),
                    &[&id, &id],
                )
            });
        }
        LeadCommand::Restore { id } => {
            crm.restore("lead", id).await?;
            out.emit(&serde_json::json!({ "restored": id }), || {
                fill(&gettext("Restored lead {}."), &[&id])
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn apply(mut form: LeadFormInfo, fields: LeadFields) -> LeadFormInfo {
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(v) = value {
            *slot = v;
        }
    };
    set(&mut form.source, fields.source);
    set(&mut form.status, fields.status);
    set(&mut form.value, fields.value);
    set(&mut form.next_action, fields.next_action);
    set(&mut form.next_action_due, fields.due);
    set(&mut form.budget, fields.budget);
    set(&mut form.authority, fields.authority);
    set(&mut form.need, fields.need);
    set(&mut form.decision_date, fields.decision);
    form
}

pub async fn today(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let items = client.crm().await?.today().await?;
    out.emit(&items, || {
        if items.is_empty() {
            return gettext("Nothing is due today.");
        }
        items
            .iter()
            .map(|t| {
                let when = if t.overdue {
                    fill(&gettext("overdue since {}"), &[&t.due])
                } else {
                    gettext("today")
                };
                format!("{:<22} {:<28} {}", when, t.contact_name, t.action)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn bant(out: Output, args: BantArgs) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    let mut config = crm.bant_config().await?;
    let before = config.clone();
    if let Some(w) = args.budget_weight {
        config.budget_weight = w;
    }
    if let Some(w) = args.authority_weight {
        config.authority_weight = w;
    }
    if let Some(w) = args.need_weight {
        config.need_weight = w;
    }
    if let Some(w) = args.timeline_weight {
        config.timeline_weight = w;
    }
    if let Some(t) = args.budget_threshold {
        config.budget_threshold_cents = parse_amount(&t)?;
    }
    if let Some(d) = args.timeline_full_days {
        config.timeline_full_days = d;
    }
    if let Some(d) = args.timeline_half_days {
        config.timeline_half_days = d;
    }
    let rescored = if config != before {
        Some(crm.set_bant_config(&config).await?)
    } else {
        None
    };
    out.emit(&config, || {
        let mut text = fill(
            &gettext("Weights: budget {}, authority {}, need {}, timeline {}\nBudget threshold: {}\nTimeline: full within {} days, half within {} days"),
            &[
                &config.budget_weight,
                &config.authority_weight,
                &config.need_weight,
                &config.timeline_weight,
                &money(config.budget_threshold_cents),
                &config.timeline_full_days,
                &config.timeline_half_days,
            ],
        );
        if let Some(n) = rescored {
            text.push('\n');
            text.push_str(&fill(&gettext("Rescored: {} leads changed."), &[&n]));
        }
        text
    });
    Ok(ExitCode::SUCCESS)
}

/// An amount like 10k or 12,000.50 in cents (the daemon checks it again).
fn parse_amount(text: &str) -> anyhow::Result<i64> {
    let lower = text.trim().to_lowercase().replace([',', '_', ' '], "");
    let (number, factor) = match lower.strip_suffix('k') {
        Some(n) => (n.to_owned(), 1_000.0),
        None => (lower.clone(), 1.0),
    };
    let value: f64 = number.parse().map_err(|_| {
        anyhow::anyhow!(fill(
            &gettext("--budget-threshold: “{}” is not an amount; write e.g. 10000 or 10k"),
            &[&text]
        ))
    })?;
    Ok((value * factor * 100.0).round() as i64)
}
