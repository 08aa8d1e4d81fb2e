//! The command line, as clap sees it.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "roxyctl",
    version,
    about = "Drive the Roxy Command Center daemon",
    long_about = "Drive the Roxy Command Center daemon (roxyd) over the D-Bus session bus. \
                  The daemon is started on demand by D-Bus activation."
)]
pub struct Cli {
    /// Print machine-readable JSON instead of text (one object, or one per line for streams)
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the daemon's version, uptime, database and running jobs
    Status,
    /// Check that the daemon answers, and how fast
    Ping {
        /// Number of round trips to measure
        #[arg(long, short = 'c', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        count: u32,
    },
    /// List, watch and cancel background jobs
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Database maintenance (runs as jobs)
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Runbooks: list, check, run, follow, approve, resume
    Runbook {
        #[command(subcommand)]
        command: RunbookCommand,
    },
    /// Run runbooks on a schedule: cron, intervals, daily times
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Passwords and tokens in the Secret Service (values are never printed)
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// Start roxyd at login (on/off), or show whether it does
    Autostart {
        #[arg(value_parser = ["on", "off"])]
        state: Option<String>,
    },
    /// Host metrics sampled by roxyd (CPU, memory, network, disk…)
    Metrics {
        #[command(subcommand)]
        command: MetricsCommand,
    },
    /// Containers (with self-healing) through Docker or Podman
    Infra {
        #[command(subcommand)]
        command: InfraCommand,
    },
    /// CRM: contacts, leads with BANT scores, deals, the today list, import and export
    Crm {
        #[command(subcommand)]
        command: crate::commands::crm::CrmCommand,
    },
    /// OBS: scenes, streaming, recording, mixer, statistics, sessions
    Obs(crate::commands::obs::ObsArgs),
    /// NDI sources on the network and why they might not show up
    Ndi {
        #[command(subcommand)]
        command: crate::commands::ndi::NdiCommand,
    },
    /// Voice commands: push-to-talk, typed sentences, intents, the log
    Voice {
        #[command(subcommand)]
        command: crate::commands::voice::VoiceCommand,
    },
    /// The knowledge base: search, show, folders, reindex, the master index
    Docs {
        #[command(subcommand)]
        command: crate::commands::docs::DocsCommand,
    },
    /// Alerts and the rules that raise them
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
    /// Notification profiles, Do Not Disturb, the digest and muted sources
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Outgoing webhooks (JSON POST or ntfy) for notices
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// The audit log of every action
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List running and recently finished jobs
    List,
    /// Follow job progress and output; with an ID, until that job ends
    Watch {
        /// Only this job; exit status tells whether it succeeded
        id: Option<u64>,
    },
    /// Ask a running job to stop
    Cancel { id: u64 },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Check the database file's integrity
    Check {
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
    /// Copy the live database to a new file
    Backup {
        /// Destination file; must not exist yet
        file: PathBuf,
        /// Wait for the result and show progress
        #[arg(long, short)]
        follow: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// List runbooks with their last result (and problems)
    List,
    /// Show a runbook's steps
    Show { id: String },
    /// Check runbook files and report problems at file:line:col
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a runbook
    Run {
        id: String,
        /// Set a variable the runbook declares (repeatable)
        #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
        vars: Vec<(String, String)>,
        /// Skip this step (repeatable)
        #[arg(long = "skip", value_name = "STEP")]
        skip: Vec<String>,
        /// Give the approval a `confirm: true` runbook needs
        #[arg(long)]
        approve: bool,
        /// Print the plan without running anything
        #[arg(long)]
        dry_run: bool,
        /// Follow the run to its end; the exit status tells how it went
        #[arg(long, short)]
        follow: bool,
    },
    /// List runs, newest first
    Runs {
        /// Only runs of this runbook
        id: Option<String>,
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: u32,
    },
    /// Show one run with the state and output of each step
    Status { run: u64 },
    /// Cancel a run (or a run waiting for approval)
    Cancel { run: u64 },
    /// Continue an interrupted, failed or cancelled run from its first unfinished step
    Resume {
        run: u64,
        #[arg(long, short)]
        follow: bool,
    },
    /// Approve a run that waits for an approval
    Approve { run: u64 },
    /// Skip a step of a running run that has not started yet
    Skip { run: u64, step: String },
    /// Read the runbook folders again
    Reload,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret; the value is read from standard input (asked for on a terminal)
    Set { name: String },
    /// List the names of the stored secrets
    List,
    /// Remove a secret
    Delete { name: String },
    /// Look for plaintext credentials in a folder (default: ~/Documents), shown masked
    Scan { folder: Option<std::path::PathBuf> },
    /// Move a credential that `scan` found (FILE:LINE:COLUMN) into the store as NAME
    Import { place: String, name: String },
}

#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// The latest value of every metric
    Now,
    /// One metric's history: average, minimum and maximum per bucket
    History {
        metric: String,
        /// How far back: 1h, 24h, 7d, 30d… (seconds for up to an hour, minutes up to 7 days,
        /// hours beyond)
        #[arg(long, default_value = "1h", value_parser = parse_range)]
        range: u64,
    },
    /// The energy level from the battery, and heavy runbooks waiting for power
    Energy,
    /// Twenty measures of how well things are looked after, from live data
    Scorecard,
    /// Serve every value for Prometheus on 127.0.0.1:PORT (\"off\" to stop), or show the port
    Prometheus { port: Option<String> },
    /// Record a value from a script (kept current for 5 minutes, stored in the history)
    Push {
        metric: String,
        #[arg(allow_negative_numbers = true)]
        value: f64,
    },
}

#[derive(Debug, Subcommand)]
pub enum InfraCommand {
    /// The container engine roxyd uses; with SOCKET, use that one (\"default\" to search again)
    Engine { socket: Option<String> },
    /// Containers with state, health, uptime, restarts, CPU, memory and self-healing
    Containers,
    /// Start a container (by name, id or id prefix)
    Start { container: String },
    /// Stop a container
    Stop { container: String },
    /// Restart a container
    Restart { container: String },
    /// A container's latest output; with --follow, keep printing new lines
    Logs {
        container: String,
        /// How many of the latest lines
        #[arg(long, short = 'n', default_value_t = 100)]
        lines: u32,
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Self-healing for a container: on, off, or label (follow its roxy.heal label)
    Heal {
        container: String,
        #[arg(value_parser = ["on", "off", "label"])]
        mode: String,
    },
    /// systemd services, timers and sockets (user and system); --failed for failed ones
    Units {
        #[arg(long)]
        failed: bool,
    },
    /// Start, stop or restart a user unit
    Unit {
        #[arg(value_parser = ["start", "stop", "restart"])]
        action: String,
        unit: String,
    },
    /// Checks with their state, latency, uptime and certificate days
    Checks,
    /// Add, change, remove or inspect one check
    Check {
        #[command(subcommand)]
        command: CheckCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Add a check, or replace the one with this name
    Add {
        name: String,
        /// https://host/path, http://…, tcp://HOST:PORT, tls://HOST[:PORT], dns://NAME or
        /// icmp://HOST
        target: String,
        /// How often: 1s up to 24h
        #[arg(long, default_value = "30s", value_parser = parse_millis)]
        every: u64,
        /// How long one probe may take (default: the interval, at most 10s)
        #[arg(long, value_parser = parse_millis, default_value = "0s")]
        timeout: u64,
        /// HTTP: text the response must contain
        #[arg(long, default_value = "")]
        keyword: String,
        /// HTTP: the status that counts as up (default: any 2xx or 3xx)
        #[arg(long, default_value_t = 0)]
        status: u16,
        /// TLS: days of validity below which the certificate counts as expiring
        #[arg(long, default_value_t = 14)]
        warn_days: u32,
        /// DNS: an address the name must resolve to
        #[arg(long, default_value = "")]
        expect: String,
        /// Save it without running it
        #[arg(long)]
        disabled: bool,
    },
    /// Remove a check
    Remove { name: String },
    /// When a check went down and came back
    History {
        name: String,
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: u32,
    },
}

/// A span such as `500ms`, `1s` or `5m`, in milliseconds.
fn parse_millis(text: &str) -> Result<u64, String> {
    humantime::parse_duration(text)
        .map(|d| d.as_millis() as u64)
        .map_err(|e| format!("“{text}”: {e} (write a span like 1s, 30s or 5m)"))
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Open alerts (with --all, resolved ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// The alert rules
    Rules,
    /// Add a rule, or replace the one with this name
    Add {
        name: String,
        /// METRIC OP NUMBER, such as "disk.root_used_pct > 90" or "check.*.up < 1"
        condition: String,
        /// How long the condition must hold before the alert fires
        #[arg(long = "for", default_value = "0s", value_parser = parse_range)]
        hold: u64,
        /// critical or warning
        #[arg(long, default_value = "critical", value_parser = ["critical", "warning"])]
        severity: String,
    },
    /// Remove a rule
    Remove { name: String },
    /// Turn a rule on
    Enable { name: String },
    /// Turn a rule off (its open alerts resolve)
    Disable { name: String },
}

/// A span such as `90s`, `1h` or `7d`, in seconds.
fn parse_range(text: &str) -> Result<u64, String> {
    humantime::parse_duration(text)
        .map(|d| d.as_secs())
        .map_err(|e| format!("“{text}”: {e} (write a span like 90s, 15m, 1h or 7d)"))
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Each event kind with its profile, Do Not Disturb and the digest
    Status,
    /// Choose how an event kind is told: critical, info, digest or off
    Profile { kind: String, profile: String },
    /// Turn Roxy's own Do Not Disturb on or off (critical notices still show)
    Dnd {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Set the minutes between digests (5 to 1440)
    DigestInterval { minutes: u32 },
    /// Send the digest now
    Flush,
    /// Let a muted source (such as runbook:backup) notify again
    Unmute { source: String },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// List webhooks and how their last delivery went
    List,
    /// Add a webhook, or replace the one with this name
    Add {
        name: String,
        url: String,
        /// json (a JSON POST) or ntfy (URL ends with the topic)
        #[arg(long, default_value = "json")]
        format: String,
        /// Profiles it receives: critical, info, digest (repeat or separate with commas)
        #[arg(long = "profile", value_delimiter = ',', default_value = "critical")]
        profiles: Vec<String>,
        /// Name of a stored secret sent as a bearer token
        #[arg(long, default_value = "")]
        secret: String,
    },
    /// Remove a webhook
    Remove { name: String },
    /// Send a test message now
    Test { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List schedules with their next fire time
    List,
    /// Add a schedule for a runbook
    #[command(group(clap::ArgGroup::new("when").required(true).args(["cron", "every", "daily"])))]
    Add {
        runbook: String,
        /// Cron expression: minute hour day-of-month month day-of-week, e.g. "30 7 * * 1-5"
        #[arg(long)]
        cron: Option<String>,
        /// Interval, e.g. 30s, 15m, 2h
        #[arg(long)]
        every: Option<String>,
        /// Time of day, HH:MM
        #[arg(long)]
        daily: Option<String>,
        /// What to do with fire times missed while asleep or stopped
        #[arg(long, value_parser = ["skip", "run-once"], default_value = "skip")]
        missed: String,
    },
    /// Remove a schedule
    Remove { id: u64 },
    /// Stop a schedule from firing until resumed
    Pause { id: u64 },
    /// Let a paused schedule fire again (counting from now)
    Resume { id: u64 },
    /// Pause every schedule at once (each keeps its own pause)
    PauseAll,
    /// End `pause-all`; missed times follow each schedule's missed-run policy
    ResumeAll,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest entries
    Tail {
        #[arg(long, short = 'n', default_value_t = 20)]
        lines: u32,
    },
    /// Entries containing TEXT in any field
    Search {
        text: String,
        #[arg(long, short = 'n', default_value_t = 100)]
        limit: u32,
    },
    /// Every entry as JSON lines (for archiving)
    Export {
        /// One JSON object per line (the only format)
        #[arg(long, default_value_t = true)]
        jsonl: bool,
    },
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn rejects_unknown_arguments_and_bad_numbers() {
        assert!(Cli::try_parse_from(["roxyctl", "jobs", "cancel", "abc"]).is_err());
        assert!(Cli::try_parse_from(["roxyctl", "ping", "--count", "0"]).is_err());
        assert!(Cli::try_parse_from(["roxyctl", "frobnicate"]).is_err());
        assert!(
            Cli::try_parse_from(["roxyctl", "runbook", "run", "x", "--var", "novalue"]).is_err()
        );
        let run = Cli::try_parse_from([
            "roxyctl", "runbook", "run", "x", "--var", "a=b=c", "--skip", "s1",
        ])
        .unwrap();
        assert!(
            matches!(run.command, Command::Runbook { command: RunbookCommand::Run { ref vars, .. } } if vars == &[("a".to_string(), "b=c".to_string())])
        );
        let ok = Cli::try_parse_from(["roxyctl", "--json", "jobs", "watch", "7"]).unwrap();
        assert!(ok.json);
        assert!(matches!(
            ok.command,
            Command::Jobs {
                command: JobsCommand::Watch { id: Some(7) }
            }
        ));
    }
}
