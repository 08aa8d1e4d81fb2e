//! Runbooks: YAML files of steps that roxyd runs as jobs.
//!
//! `parse` turns a file into a validated [`Runbook`] or a list of [`RunbookError`]s, each at
//! file:line:col and saying what is allowed. The format is documented in `docs/runbooks.md`.

mod catalog;
mod condition;
mod error;
mod parse;
#[cfg(test)]
mod tests;

pub use catalog::{check_directory_safety, Catalog, CatalogEntry};
pub use condition::{Condition, StepOutcome, Value};
pub use error::RunbookError;
pub use parse::{parse, MAX_FILE_BYTES};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A validated runbook.
#[derive(Debug, Clone)]
pub struct Runbook {
    /// The file stem: what `roxyctl runbook run ID` takes.
    pub id: String,
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    /// Needs an approval before it starts.
    pub confirm: bool,
    pub weight: Weight,
    /// Environment for every step (on top of a clean base environment).
    pub env: BTreeMap<String, String>,
    /// Variables with their defaults; steps see them as `ROXY_VAR_<NAME>`.
    pub vars: BTreeMap<String, String>,
    /// Environment variable → name in the secret store, for every step.
    pub secrets: BTreeMap<String, String>,
    pub steps: Vec<Step>,
    /// File-watcher rules that start this runbook.
    pub triggers: Vec<FileTrigger>,
}

/// Starts a run when a file matching `pattern` sees one of `events`; the run gets the file's
/// path in the variable `var`.
#[derive(Debug, Clone)]
pub struct FileTrigger {
    /// As written: absolute or `~/…`.
    pub pattern: String,
    pub events: Vec<FileEvent>,
    pub var: String,
}

/// Whether `name` can name a secret in the store: up to 64 letters, digits, `-`, `_`, `.`.
pub fn is_secret_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// An `http://` or `https://` URL that names a host: what `http` steps, `wait_for` and
/// webhooks accept.
pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|host| !host.is_empty() && !host.starts_with('/'))
        && !url.contains(char::is_whitespace)
}

/// The glob of a trigger pattern, as a shell reads it: `*` stays within one folder, `**`
/// crosses folders.
pub fn trigger_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
}

impl FileTrigger {
    /// The matcher for this trigger's pattern with `~/` expanded against `home`.
    pub fn matcher(&self, home: &std::path::Path) -> Option<globset::GlobMatcher> {
        trigger_glob(&self.expanded(home).to_string_lossy())
            .ok()
            .map(|g| g.compile_matcher())
    }

    /// The pattern with `~/` expanded against `home`.
    pub fn expanded(&self, home: &std::path::Path) -> PathBuf {
        match self.pattern.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None => PathBuf::from(&self.pattern),
        }
    }

    /// The deepest folder of the pattern without glob characters: what must be watched.
    pub fn base_dir(&self, home: &std::path::Path) -> PathBuf {
        let full = self.expanded(home);
        let mut base = PathBuf::new();
        for part in full.components() {
            let text = part.as_os_str().to_string_lossy();
            if text.contains(['*', '?', '[', '{']) {
                break;
            }
            base.push(part);
        }
        if base == full {
            // A plain file name: watch its folder.
            base.pop();
        }
        base
    }

    /// Whether the part after the base folder spans folders (`**` or a glob in a folder name).
    pub fn recursive(&self, home: &std::path::Path) -> bool {
        let full = self.expanded(home);
        let base = self.base_dir(home);
        full.strip_prefix(&base)
            .map(|rest| rest.components().count() > 1 || rest.to_string_lossy().contains("**"))
            .unwrap_or(false)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEvent {
    Created,
    Modified,
    Removed,
}

impl FileEvent {
    pub const ALL: [(&'static str, FileEvent); 3] = [
        ("created", FileEvent::Created),
        ("modified", FileEvent::Modified),
        ("removed", FileEvent::Removed),
    ];

    pub fn name(self) -> &'static str {
        match self {
            FileEvent::Created => "created",
            FileEvent::Modified => "modified",
            FileEvent::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Light,
    /// Deferred while on low battery (see the infrastructure issue).
    Heavy,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub name: String,
    pub action: Action,
    pub timeout: Duration,
    /// Extra attempts after a failure.
    pub retries: u32,
    /// Wait before the first retry; doubles each time.
    pub backoff: Duration,
    pub when: Option<Condition>,
    pub on_failure: OnFailure,
    /// Undoes this step when a later step fails with `on_failure: rollback`.
    pub rollback: Option<Command>,
    pub env: BTreeMap<String, String>,
    /// Environment variable → name in the secret store, for this step.
    pub secrets: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
    /// A command that checks the step's effect; `expected` applies to it when present.
    pub verify: Option<Command>,
    pub expected: Expected,
}

impl Step {
    /// The argument vector of a `run` step.
    pub fn action_argv(&self) -> Option<Vec<String>> {
        match &self.action {
            Action::Run(c) => Some(c.argv()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Action {
    Run(Command),
    /// Waits for a person to approve (never a voice command).
    Approval {
        prompt: String,
    },
    Http(HttpCheck),
    WaitFor(WaitTarget),
}

/// A program to start. A shell string runs through `/bin/sh -c`.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Argv(Vec<String>),
    Shell(String),
}

impl Command {
    pub fn argv(&self) -> Vec<String> {
        match self {
            Command::Argv(argv) => argv.clone(),
            Command::Shell(line) => vec!["/bin/sh".into(), "-c".into(), line.clone()],
        }
    }

    pub fn display(&self) -> String {
        match self {
            Command::Argv(argv) => argv.join(" "),
            Command::Shell(line) => line.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Expected {
    ExitCode(i32),
    /// The trimmed standard output equals this text.
    Text(String),
    /// The standard output matches this regular expression.
    Regex(regex::Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    Abort,
    Continue,
    Rollback,
}

#[derive(Debug, Clone)]
pub struct HttpCheck {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// Text the body must contain.
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitTarget {
    Tcp(String),
    Http(String),
}
