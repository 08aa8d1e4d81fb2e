//! The CRM panel's traffic: pages of the contact list, the open contact, the board, the
//! today list, form checks and saves. Saves answer only with their id: roxyd's `Changed`
//! signal, which follows every write, makes the panel reload what it shows.

use super::DaemonEvent;
use roxy_ipc::crm::{
    ContactFormInfo, ContactInfo, ContactQueryInfo, ContactRowInfo, DealInfo, DuplicateInfo,
    FieldErrorInfo, ForecastInfo, ImportReportInfo, InteractionInfo, LeadFormInfo, LeadInfo,
    StageInfo, TodayInfo,
};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use roxy_ipc::{Client, RoxyError};
use zbus::message::Message;

/// Which form a check answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Contact,
    Lead,
}

#[derive(Debug, Clone)]
pub enum CrmEvent {
    /// One page of the list for the query of `generation`; `offset` 0 starts a new list.
    Contacts {
        generation: u64,
        total: i64,
        offset: i64,
        rows: Vec<ContactRowInfo>,
    },
    Detail {
        contact: ContactInfo,
        leads: Vec<LeadInfo>,
        timeline: Vec<InteractionInfo>,
    },
    Board {
        stages: Vec<StageInfo>,
        deals: Vec<DealInfo>,
        forecast: ForecastInfo,
    },
    Today(Vec<TodayInfo>),
    Tags(Vec<String>),
    /// The dry run of an import, with what to send when the person confirms.
    ImportPlan {
        file: String,
        format: String,
        data: Vec<u8>,
        report: ImportReportInfo,
    },
    /// Groups of contacts that share an email or phone, with the contacts' names.
    Duplicates(Vec<(DuplicateInfo, Vec<String>)>),
    /// What a form check found (empty: the form is fine).
    Checked {
        form: FormKind,
        errors: Vec<FieldErrorInfo>,
    },
    /// A save went through.
    Saved {
        kind: &'static str,
        id: i64,
    },
    /// A delete went through and can be undone.
    Deleted {
        kind: String,
        id: i64,
    },
    /// roxyd says something changed (another window, roxyctl, an import).
    Changed {
        kind: String,
        id: i64,
    },
}

#[derive(Debug, Clone)]
pub enum CrmRequest {
    /// The first page of a new query, or the next page of the current one.
    Contacts {
        generation: u64,
        query: ContactQueryInfo,
    },
    Open(i64),
    Board,
    Today,
    Check(FormKind, Box<(ContactFormInfo, LeadFormInfo)>),
    SaveContact {
        id: i64,
        form: ContactFormInfo,
    },
    SaveLead {
        id: i64,
        form: LeadFormInfo,
    },
    Delete {
        kind: String,
        id: i64,
    },
    Restore {
        kind: String,
        id: i64,
    },
    MoveDeal {
        id: i64,
        stage_id: i64,
        position: i64,
    },
    CloseDeal {
        id: i64,
        won: bool,
        reason: String,
    },
    Log {
        contact: i64,
        kind: String,
        notes: String,
    },
    /// Folds every other contact of a duplicate group into the first (the oldest).
    MergeGroup(Vec<i64>),
    /// Reads a CSV or vCard file and asks roxyd what importing it would do.
    PlanImport(std::path::PathBuf),
    /// Imports what the plan showed (a job).
    Import {
        format: String,
        data: Vec<u8>,
    },
    /// Writes every contact to a file; `.vcf` gives vCards, anything else CSV.
    Export(std::path::PathBuf),
}

fn crm(event: CrmEvent) -> DaemonEvent {
    DaemonEvent::Crm(event)
}

pub async fn load(client: &Client) -> Result<Vec<DaemonEvent>, RoxyError> {
    Ok(vec![
        board(client).await?,
        today(client).await?,
        tags(client).await?,
        duplicates(client).await?,
    ])
}

async fn duplicates(client: &Client) -> Result<DaemonEvent, RoxyError> {
    let proxy = client.crm().await?;
    let mut groups = Vec::new();
    for group in proxy.duplicates().await? {
        let mut names = Vec::new();
        for id in &group.contact_ids {
            names.push(proxy.contact(*id).await?.form.name);
        }
        groups.push((group, names));
    }
    Ok(crm(CrmEvent::Duplicates(groups)))
}

async fn board(client: &Client) -> Result<DaemonEvent, RoxyError> {
    let proxy = client.crm().await?;
    Ok(crm(CrmEvent::Board {
        stages: proxy.stages().await?,
        deals: proxy.deals().await?,
        forecast: proxy.forecast().await?,
    }))
}

async fn today(client: &Client) -> Result<DaemonEvent, RoxyError> {
    Ok(crm(CrmEvent::Today(client.crm().await?.today().await?)))
}

async fn tags(client: &Client) -> Result<DaemonEvent, RoxyError> {
    Ok(crm(CrmEvent::Tags(client.crm().await?.tags().await?)))
}

async fn detail(client: &Client, id: i64) -> Result<DaemonEvent, RoxyError> {
    let proxy = client.crm().await?;
    Ok(crm(CrmEvent::Detail {
        contact: proxy.contact(id).await?,
        leads: proxy.leads(id, -1, -1, true).await?,
        timeline: proxy.timeline(id, 200).await?,
    }))
}

pub async fn handle(client: &Client, request: CrmRequest) -> Result<Vec<DaemonEvent>, RoxyError> {
    let proxy = client.crm().await?;
    Ok(match request {
        CrmRequest::Contacts { generation, query } => {
            let (total, rows) = proxy.contacts(&query).await?;
            vec![crm(CrmEvent::Contacts {
                generation,
                total,
                offset: query.offset,
                rows,
            })]
        }
        CrmRequest::Open(id) => vec![detail(client, id).await?],
        CrmRequest::Board => vec![board(client).await?],
        CrmRequest::Today => vec![today(client).await?],
        CrmRequest::Check(form, forms) => {
            let errors = match form {
                FormKind::Contact => proxy.validate_contact(&forms.0).await?,
                FormKind::Lead => proxy.validate_lead(&forms.1).await?,
            };
            vec![crm(CrmEvent::Checked { form, errors })]
        }
        CrmRequest::SaveContact { id, form } => {
            let id = proxy.save_contact(id, &form).await?;
            vec![crm(CrmEvent::Saved {
                kind: "contact",
                id,
            })]
        }
        CrmRequest::SaveLead { id, form } => {
            let id = proxy.save_lead(id, &form).await?;
            vec![crm(CrmEvent::Saved { kind: "lead", id })]
        }
        CrmRequest::Delete { kind, id } => {
            proxy.delete(&kind, id).await?;
            vec![crm(CrmEvent::Deleted { kind, id })]
        }
        CrmRequest::Restore { kind, id } => {
            proxy.restore(&kind, id).await?;
            vec![DaemonEvent::Told(gettext("Restored."))]
        }
        CrmRequest::MoveDeal {
            id,
            stage_id,
            position,
        } => {
            proxy.move_deal(id, stage_id, position, "").await?;
            vec![board(client).await?]
        }
        CrmRequest::CloseDeal { id, won, reason } => {
            proxy.close_deal(id, won, &reason).await?;
            let told = if won {
                gettext("Deal won.")
            } else {
                gettext("Deal lost.")
            };
            vec![DaemonEvent::Told(told), board(client).await?]
        }
        CrmRequest::PlanImport(path) => {
            let data = tokio::fs::read(&path)
                .await
                .map_err(|e| RoxyError::InvalidInput(format!("{}: {e}", path.display())))?;
            let format = vcard_or_csv(&path);
            let report = proxy.plan_import(format, &data, &[]).await?;
            vec![crm(CrmEvent::ImportPlan {
                file: path.display().to_string(),
                format: format.to_owned(),
                data,
                report,
            })]
        }
        CrmRequest::Import { format, data } => {
            proxy.import(&format, &data, &[], true).await?;
            vec![DaemonEvent::Told(gettext(
                "Importing; the Jobs view shows the progress.",
            ))]
        }
        CrmRequest::Export(path) => {
            let text = proxy.export(vcard_or_csv(&path), &[]).await?;
            tokio::fs::write(&path, text)
                .await
                .map_err(|e| RoxyError::Failed(format!("{}: {e}", path.display())))?;
            vec![DaemonEvent::Told(fill(
                &gettext("Wrote {}."),
                &[&path.display()],
            ))]
        }
        CrmRequest::MergeGroup(ids) => {
            let Some((keep, others)) = ids.split_first() else {
                return Ok(Vec::new());
            };
            for other in others {
                proxy.merge(*keep, *other).await?;
            }
            let told = fill(
                &ngettext(
                    "Merged {} contact.",
                    "Merged {} contacts.",
                    others.len() as u32,
                ),
                &[&others.len()],
            );
            vec![DaemonEvent::Told(told), duplicates(client).await?]
        }
        CrmRequest::Log {
            contact,
            kind,
            notes,
        } => {
            proxy.add_interaction(contact, &kind, 0, &notes).await?;
            let told = fill(&gettext("Logged: {}"), &[&notes]);
            vec![DaemonEvent::Told(told)]
        }
    })
}

/// `.vcf`/`.vcard` files are vCards; everything else is read and written as CSV.
fn vcard_or_csv(path: &std::path::Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("vcf" | "vcard") => "vcard",
        _ => "csv",
    }
}

pub async fn on_signal(client: &Client, member: &str, message: &Message) -> Vec<DaemonEvent> {
    if member != "Changed" {
        return Vec::new();
    }
    let Ok((kind, id)) = message.body().deserialize::<(String, i64)>() else {
        return Vec::new();
    };
    let mut events = vec![crm(CrmEvent::Changed {
        kind: kind.clone(),
        id,
    })];
    if kind != "contact" {
        events.extend(board(client).await.ok());
    }
    events.extend(today(client).await.ok());
    events.extend(tags(client).await.ok());
    if matches!(kind.as_str(), "contact" | "import" | "backend") {
        events.extend(duplicates(client).await.ok());
    }
    events
}
