//! `roxyctl crm …`: contacts, leads, deals, the today list, import and export.

mod contacts;
mod deals;
mod leads;
mod transfer;

use crate::output::Output;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum CrmCommand {
    /// Contacts: list and search, show, add, edit, delete and undo
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Leads with their BANT scores
    #[command(subcommand)]
    Lead(LeadCommand),
    /// Deals in the pipeline
    #[command(subcommand)]
    Deal(DealCommand),
    /// Pipeline stages
    #[command(subcommand)]
    Stage(StageCommand),
    /// Log a call, email, meeting or note on a contact's timeline
    Log {
        contact: i64,
        /// call, email, meeting or note
        #[arg(value_parser = ["call", "email", "meeting", "note"])]
        kind: String,
        notes: String,
    },
    /// Next actions due today or overdue
    Today,
    /// Open value and weighted forecast per stage and month
    Forecast,
    /// Contacts that share an email address or phone number
    Duplicates,
    /// Fold contact OTHER into KEEP (interactions, leads and tags move over)
    Merge { keep: i64, other: i64 },
    /// Import contacts from CSV or vCard: a dry run unless --confirm
    Import {
        file: PathBuf,
        /// csv or vcard (default: from the file name)
        #[arg(long, value_parser = ["csv", "vcard"])]
        format: Option<String>,
        /// Map a CSV column to a field: "Column=field" (name, first_name, last_name, email,
        /// phone, company, tags, notes, ignore); repeatable
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        mapping: Vec<String>,
        /// Import the good rows (without it, only the report is shown)
        #[arg(long)]
        confirm: bool,
        /// Leave rows that match an existing contact out instead of merging them into it
        #[arg(long)]
        skip_duplicates: bool,
    },
    /// Export contacts as CSV or vCard 4.0 (to stdout, or --output FILE)
    Export {
        #[arg(long, value_parser = ["csv", "vcard"], default_value = "vcard")]
        format: String,
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Only these contact ids
        ids: Vec<i64>,
    },
    /// Which database the CRM uses; switch with URL or --sqlite
    Backend {
        /// postgres://user:password@host/database (kept in the secret store)
        url: Option<String>,
        /// Go back to the embedded SQLite database
        #[arg(long, conflicts_with = "url")]
        sqlite: bool,
    },
    /// Show or change BANT weights (adding up to 100) and thresholds; leads are rescored
    Bant(BantArgs),
}

#[derive(Debug, Args)]
pub struct BantArgs {
    #[arg(long)]
    pub budget_weight: Option<u32>,
    #[arg(long)]
    pub authority_weight: Option<u32>,
    #[arg(long)]
    pub need_weight: Option<u32>,
    #[arg(long)]
    pub timeline_weight: Option<u32>,
    /// A budget at or above this earns the whole budget weight (e.g. 10k)
    #[arg(long)]
    pub budget_threshold: Option<String>,
    /// A decision within this many days earns the whole timeline weight
    #[arg(long)]
    pub timeline_full_days: Option<u32>,
    /// …within this many, half of it
    #[arg(long)]
    pub timeline_half_days: Option<u32>,
}

#[derive(Debug, Args, Default)]
pub struct ContactFields {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub company: Option<String>,
    /// Comma-separated
    #[arg(long)]
    pub tags: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// List contacts; words search names, emails, companies, tags and notes
    List {
        words: Vec<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Only contacts with a deal in this stage (id)
        #[arg(long)]
        stage: Option<i64>,
        #[arg(long)]
        min_score: Option<i64>,
        #[arg(long)]
        max_score: Option<i64>,
        #[arg(long, value_parser = ["name", "score", "updated"], default_value = "name")]
        sort: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    /// A contact with its leads and timeline
    Show {
        id: i64,
    },
    Add {
        #[command(flatten)]
        fields: ContactFields,
    },
    /// Change the given fields of a contact
    Edit {
        id: i64,
        #[command(flatten)]
        fields: ContactFields,
    },
    /// Delete (undo with `restore`)
    Delete {
        id: i64,
    },
    Restore {
        id: i64,
    },
}

#[derive(Debug, Args, Default)]
pub struct LeadFields {
    #[arg(long)]
    pub source: Option<String>,
    /// new, contacted, qualified, disqualified or converted
    #[arg(long)]
    pub status: Option<String>,
    /// Expected value, e.g. 12k or 12,000.50
    #[arg(long)]
    pub value: Option<String>,
    #[arg(long)]
    pub next_action: Option<String>,
    /// YYYY-MM-DD
    #[arg(long)]
    pub due: Option<String>,
    /// Stated budget, e.g. 10k
    #[arg(long)]
    pub budget: Option<String>,
    /// unknown, none, influencer or decision_maker
    #[arg(long)]
    pub authority: Option<String>,
    /// unknown, none, low, medium or high
    #[arg(long)]
    pub need: Option<String>,
    /// Expected decision date, YYYY-MM-DD
    #[arg(long)]
    pub decision: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LeadCommand {
    /// Leads, best score first
    List {
        #[arg(long)]
        contact: Option<i64>,
        #[arg(long)]
        min_score: Option<i64>,
        #[arg(long)]
        max_score: Option<i64>,
    },
    /// A lead with the explanation of its score
    Show {
        id: i64,
    },
    Add {
        contact: i64,
        #[command(flatten)]
        fields: LeadFields,
    },
    Edit {
        id: i64,
        #[command(flatten)]
        fields: LeadFields,
    },
    Delete {
        id: i64,
    },
    Restore {
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum DealCommand {
    /// The board: deals by stage
    List,
    Add {
        lead: i64,
        title: String,
        #[arg(long)]
        value: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        close: Option<String>,
        /// Stage id (default: the first open stage)
        #[arg(long)]
        stage: Option<i64>,
        /// Percent (default: the stage's)
        #[arg(long)]
        probability: Option<String>,
    },
    /// Move a deal to a stage (at the top, or --position N)
    Move {
        id: i64,
        stage: i64,
        #[arg(long, default_value_t = 0)]
        position: i64,
    },
    /// Close as won, with the reason
    Won {
        id: i64,
        reason: String,
    },
    /// Close as lost, with the reason
    Lost {
        id: i64,
        reason: String,
    },
    Delete {
        id: i64,
    },
    Restore {
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum StageCommand {
    List,
    /// Add a stage at the end (or --position N)
    Add {
        name: String,
        #[arg(long, default_value_t = 50)]
        probability: i64,
        #[arg(long, value_parser = ["open", "won", "lost"], default_value = "open")]
        outcome: String,
        #[arg(long)]
        position: Option<i64>,
    },
    /// Rename, re-weight or move a stage
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        probability: Option<i64>,
        #[arg(long)]
        position: Option<i64>,
    },
    /// Remove an empty stage
    Remove {
        id: i64,
    },
}

pub async fn run(out: Output, command: CrmCommand) -> anyhow::Result<ExitCode> {
    match command {
        CrmCommand::Contact(c) => contacts::run(out, c).await,
        CrmCommand::Lead(c) => leads::run(out, c).await,
        CrmCommand::Deal(c) => deals::run(out, c).await,
        CrmCommand::Stage(c) => deals::stages(out, c).await,
        CrmCommand::Log {
            contact,
            kind,
            notes,
        } => contacts::log(out, contact, &kind, &notes).await,
        CrmCommand::Today => leads::today(out).await,
        CrmCommand::Forecast => deals::forecast(out).await,
        CrmCommand::Duplicates => contacts::duplicates(out).await,
        CrmCommand::Merge { keep, other } => contacts::merge(out, keep, other).await,
        CrmCommand::Import {
            file,
            format,
            mapping,
            confirm,
            skip_duplicates,
        } => transfer::import(out, &file, format, &mapping, confirm, !skip_duplicates).await,
        CrmCommand::Export {
            format,
            output,
            ids,
        } => transfer::export(out, &format, output.as_deref(), &ids).await,
        CrmCommand::Backend { url, sqlite } => transfer::backend(out, url, sqlite).await,
        CrmCommand::Bant(args) => leads::bant(out, args).await,
    }
}
