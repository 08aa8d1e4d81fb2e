//! `roxyctl crm contact …`, `crm log`, `crm duplicates`, `crm merge`.

use super::{ContactCommand, ContactFields};
use crate::output::{self, Output};
use roxy_ipc::crm::{interaction_label, ContactFormInfo, ContactQueryInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::process::ExitCode;

pub async fn run(out: Output, command: ContactCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let crm = client.crm().await?;
    match command {
        ContactCommand::List {
            words,
            tag,
            stage,
            min_score,
            max_score,
            sort,
            limit,
            offset,
        } => {
            let query = ContactQueryInfo {
                text: words.join(" "),
                tag: tag.unwrap_or_default(),
                stage_id: stage.unwrap_or(0),
                min_score: min_score.unwrap_or(-1),
                max_score: max_score.unwrap_or(-1),
                sort,
                offset,
                limit,
            };
            let (total, rows) = crm.contacts(&query).await?;
            out.emit(&serde_json::json!({ "total": total, "contacts": rows }), || {
                if rows.is_empty() {
                    return gettext("No contacts match. Add one with `roxyctl crm contact add --name NAME`.");
                }
                let mut lines: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let score = if r.score < 0 { "–".to_owned() } else { r.score.to_string() };
                        format!("{:>6}  {:<28} {:<32} {:<22} {:>3}", r.id, r.name, r.email, r.company, score)
                    })
                    .collect();
                lines.push(fill(&gettext("{} of {} contacts"), &[&rows.len(), &total]));
                lines.join("\n")
            });
        }
        ContactCommand::Show { id } => {
            let contact = crm.contact(id).await?;
            let leads = crm.leads(id, -1, -1, true).await?;
            let timeline = crm.timeline(id, 50).await?;
            let json =
                serde_json::json!({ "contact": contact, "leads": leads, "timeline": timeline });
            out.emit(&json, || {
                let f = &contact.form;
                let mut lines = vec![
                    format!("{}  (#{})", f.name, contact.id),
                    format!("{}: {}", gettext("Email"), f.email),
                    format!("{}: {}", gettext("Phone"), f.phone),
                    format!("{}: {}", gettext("Company"), f.company),
                    format!("{}: {}", gettext("Tags"), f.tags),
                ];
                if !f.notes.is_empty() {
                    lines.push(format!("{}: {}", gettext("Notes"), f.notes));
                }
                for lead in &leads {
                    lines.push(fill(
                        &gettext("Lead #{}: score {}, {}"),
                        &[
                            &lead.id,
                            &lead.score,
                            &roxy_ipc::crm::status_label(&lead.form.status),
                        ],
                    ));
                }
                for item in &timeline {
                    lines.push(format!(
                        "{}  {:<8} {}",
                        output::timestamp(item.at),
                        interaction_label(&item.kind),
                        item.notes
                    ));
                }
                lines.join("\n")
            });
        }
        ContactCommand::Add { fields } => {
            let id = crm
                .save_contact(0, &apply(ContactFormInfo::default(), fields))
                .await?;
            out.emit(&serde_json::json!({ "id": id }), || {
                fill(&gettext("Added contact {}."), &[&id])
            });
        }
        ContactCommand::Edit { id, fields } => {
            let form = apply(crm.contact(id).await?.form, fields);
            crm.save_contact(id, &form).await?;
            out.emit(&serde_json::json!({ "id": id }), || {
                fill(&gettext("Saved contact {}."), &[&id])
            });
        }
        ContactCommand::Delete { id } => {
            crm.delete("contact", id).await?;
            out.emit(&serde_json::json!({ "deleted": id }), || {
                fill(
                    &gettext("Deleted contact {}. Undo with `roxyctl crm contact restore {}`."),
                    &[&id, &id],
                )
            });
        }
        ContactCommand::Restore { id } => {
            crm.restore("contact", id).await?;
            out.emit(&serde_json::json!({ "restored": id }), || {
                fill(&gettext("Restored contact {}."), &[&id])
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn apply(mut form: ContactFormInfo, fields: ContactFields) -> ContactFormInfo {
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(v) = value {
            *slot = v;
        }
    };
    set(&mut form.name, fields.name);
    set(&mut form.email, fields.email);
    set(&mut form.phone, fields.phone);
    set(&mut form.company, fields.company);
    set(&mut form.tags, fields.tags);
    set(&mut form.notes, fields.notes);
    form
}

pub async fn log(out: Output, contact: i64, kind: &str, notes: &str) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let id = client
        .crm()
        .await?
        .add_interaction(contact, kind, 0, notes)
        .await?;
    out.emit(&serde_json::json!({ "id": id }), || {
        fill(
            &gettext("Logged on the timeline of contact {}."),
            &[&contact],
        )
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn duplicates(out: Output) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let groups = client.crm().await?.duplicates().await?;
    out.emit(&groups, || {
        if groups.is_empty() {
            return gettext("No duplicates found.");
        }
        groups
            .iter()
            .map(|g| {
                let ids: Vec<String> = g.contact_ids.iter().map(i64::to_string).collect();
                fill(
                    &gettext("{} {}: contacts {} (merge with `roxyctl crm merge {} {}`)"),
                    &[
                        &g.key,
                        &g.value,
                        &ids.join(", "),
                        &ids[0],
                        &ids[ids.len() - 1],
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(ExitCode::SUCCESS)
}

pub async fn merge(out: Output, keep: i64, other: i64) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    client.crm().await?.merge(keep, other).await?;
    out.emit(
        &serde_json::json!({ "kept": keep, "merged": other }),
        || fill(&gettext("Merged contact {} into {}."), &[&other, &keep]),
    );
    Ok(ExitCode::SUCCESS)
}
