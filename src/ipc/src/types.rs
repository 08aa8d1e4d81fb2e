//! Values that cross the bus. They serialize both as D-Bus structs and as JSON (`--json`).

use serde::{Deserialize, Serialize};
use zbus::zvariant::{OwnedObjectPath, Type};

/// Life cycle of a job. `Interrupted` marks a job that a crash or kill of roxyd cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
#[zvariant(signature = "s")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Interrupted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Interrupted => "interrupted",
        }
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, JobState::Queued | JobState::Running)
    }

    /// The translated word for this state.
    pub fn label(self) -> String {
        use crate::i18n::gettext;
        match self {
            JobState::Queued => gettext("Queued"),
            JobState::Running => gettext("Running"),
            JobState::Succeeded => gettext("Succeeded"),
            JobState::Failed => gettext("Failed"),
            JobState::Cancelled => gettext("Cancelled"),
            JobState::Interrupted => gettext("Interrupted"),
        }
    }
}

impl std::str::FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            "interrupted" => JobState::Interrupted,
            other => return Err(format!("unknown job state `{other}`")),
        })
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A snapshot of one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct JobInfo {
    pub id: u64,
    pub path: OwnedObjectPath,
    /// Machine name of the job kind, e.g. `database-check`.
    pub kind: String,
    /// Human title, e.g. "Check database integrity".
    pub title: String,
    pub state: JobState,
    /// 0.0 ..= 1.0, or a negative number while the amount of work is unknown.
    pub progress: f64,
    /// Last status line or the final result sentence.
    pub message: String,
    /// Unix time in milliseconds.
    pub started_at: i64,
    /// Unix time in milliseconds; 0 while the job runs.
    pub finished_at: i64,
}

/// What `Daemon1.GetStatus` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DaemonStatus {
    pub version: String,
    /// `ok`, or `degraded` with the reason in `detail`.
    pub state: String,
    pub detail: String,
    pub pid: u32,
    pub uptime_secs: u64,
    pub database_path: String,
    pub database_bytes: u64,
    pub running_jobs: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::{serialized::Context, to_bytes, LE};

    #[test]
    fn job_state_travels_as_a_string() {
        assert_eq!(JobState::SIGNATURE.to_string(), "s");
        let ctxt = Context::new_dbus(LE, 0);
        let bytes = to_bytes(ctxt, &JobState::Cancelled).unwrap();
        let (back, _): (JobState, _) = bytes.deserialize().unwrap();
        assert_eq!(back, JobState::Cancelled);
        let (text, _): (String, _) = bytes.deserialize().unwrap();
        assert_eq!(text, "cancelled");
    }

    #[test]
    fn job_state_parses_its_own_names() {
        for s in [
            JobState::Queued,
            JobState::Running,
            JobState::Succeeded,
            JobState::Failed,
            JobState::Cancelled,
            JobState::Interrupted,
        ] {
            assert_eq!(s.as_str().parse::<JobState>().unwrap(), s);
        }
        assert!("done".parse::<JobState>().is_err());
    }
}

/// A runbook of the catalog, valid or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RunbookInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    pub path: String,
    /// Needs an approval before it runs.
    pub confirm: bool,
    pub heavy: bool,
    pub steps: u32,
    /// File triggers as `events pattern → variable`.
    pub triggers: Vec<String>,
    /// Problems at file:line:col; empty when the runbook can run.
    pub errors: Vec<String>,
    /// State of the latest run, or empty.
    pub last_state: String,
    /// Unix ms of the latest run, or 0.
    pub last_run_at: i64,
    /// Unix ms since a schedule of this heavy runbook waits for the energy level to reach
    /// medium again; 0 when nothing waits.
    pub deferred_since: i64,
}

/// One step of a runbook, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct StepInfo {
    pub index: u32,
    pub id: String,
    pub name: String,
    /// run, approval, http or wait_for.
    pub kind: String,
    /// The command line, URL or question.
    pub detail: String,
    pub timeout_ms: u64,
    pub retries: u32,
    /// The `when` condition, or empty.
    pub when: String,
    /// abort, continue or rollback.
    pub on_failure: String,
}

/// A problem in a runbook file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ValidationProblem {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ValidationProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// One run of a runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RunInfo {
    pub id: u64,
    pub runbook_id: String,
    pub runbook_name: String,
    /// awaiting_approval, running, succeeded, failed, cancelled, interrupted, rolled_back.
    pub state: String,
    /// Who started it: `roxyctl (pid 42)`, `schedule`, …
    pub actor: String,
    pub approved_by: String,
    /// The job that runs (or ran) it; 0 before the first job.
    pub job_id: u64,
    pub message: String,
    pub started_at: i64,
    pub finished_at: i64,
}

/// One step of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RunStepInfo {
    pub index: u32,
    pub step_id: String,
    pub name: String,
    /// pending, running, waiting_approval, ok, failed, skipped, cancelled, interrupted,
    /// rolled_back.
    pub state: String,
    pub attempts: u32,
    /// -1 when there is none.
    pub exit_code: i32,
    /// The end of the step's output.
    pub output: String,
    pub started_at: i64,
    pub finished_at: i64,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AuditEntry {
    pub id: u64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
}

/// A schedule that starts a runbook by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ScheduleInfo {
    pub id: u64,
    pub runbook_id: String,
    /// cron, every or daily.
    pub kind: String,
    pub spec: String,
    /// skip or run_once: what happens to fire times missed while asleep or stopped.
    pub missed: String,
    pub paused: bool,
    /// Unix ms; 0 when never.
    pub last_fire_at: i64,
    /// Unix ms; 0 when paused.
    pub next_fire_at: i64,
}

/// A plaintext credential found by a secret scan; the value itself never leaves roxyd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SecretFinding {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What it looks like: "GitHub token", "private key", "password or token"…
    pub kind: String,
    /// The value with all but a hint hidden.
    pub masked: String,
}

/// An event kind and the profile chosen for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct NoticeKind {
    /// `run.failed`, `run.approval`, …
    pub id: String,
    pub label: String,
    /// `critical`, `info`, `digest` or `off`.
    pub profile: String,
}

/// How notices go out right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct NoticeStatus {
    /// Roxy's own Do Not Disturb switch.
    pub do_not_disturb: bool,
    /// The desktop whose Do Not Disturb is on ("GNOME", "dunst", …); empty when none is.
    pub desktop_do_not_disturb: String,
    pub digest_minutes: u32,
    /// Events waiting for the next digest.
    pub digest_pending: u32,
}

/// A source silenced with "Mute".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MutedSource {
    pub source: String,
    /// Unix milliseconds.
    pub until: i64,
}

/// An outgoing webhook. `secret` names an entry in the secret store, never a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct WebhookInfo {
    pub name: String,
    pub url: String,
    /// `json` or `ntfy`.
    pub format: String,
    pub profiles: Vec<String>,
    pub secret: String,
    /// How the last delivery went ("HTTP 200", "connection refused"…); empty before the first.
    pub last_result: String,
}

/// A metric's latest value. Names: `cpu`, `cpu.N`, `load1`, `mem.used_pct`,
/// `mem.available_bytes`, `swap.used_pct`, `net.rx_bps`, `net.tx_bps`, `disk.read_bps`,
/// `disk.write_bps`, `disk.root_used_pct`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MetricValue {
    pub name: String,
    pub value: f64,
}

/// One bucket of a metric's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MetricPoint {
    /// Start of the bucket, Unix milliseconds.
    pub at: i64,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
}

/// The container engine roxyd talks to (Docker or Podman's Docker-compatible socket).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct EngineStatus {
    pub available: bool,
    /// The socket roxyd uses or last tried.
    pub socket: String,
    /// "Docker Engine 20.10.24 (API 1.41)"; empty when unavailable.
    pub version: String,
    /// Why it is unavailable and what to do; empty when available.
    pub message: String,
}

/// One container as the engine reports it, plus what Roxy's self-healing is doing with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub image: String,
    /// `created`, `running`, `paused`, `restarting`, `exited`, `dead`.
    pub state: String,
    /// `healthy`, `unhealthy`, `starting`, or empty without a health check.
    pub health: String,
    /// Unix milliseconds of the last start; 0 when never started.
    pub started_at: i64,
    /// Exit code of the last run (meaningful when not running).
    pub exit_code: i64,
    /// Restarts made by the engine's own restart policy.
    pub restart_count: i64,
    /// CPU use in percent of one core, and memory in bytes (0 when not running).
    pub cpu_pct: f64,
    pub memory_bytes: u64,
    pub memory_limit_bytes: u64,
    /// Self-healing: `off`, `watching`, `restarting`, `gave-up`.
    pub heal: String,
    /// Restarts Roxy made inside the policy's window.
    pub heal_restarts: u32,
    /// Problems with the container's `roxy.heal*` labels, one sentence each.
    pub heal_problems: Vec<String>,
}

/// An alert rule: `condition` such as `disk.root_used_pct > 90`, held `for_seconds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AlertRuleInfo {
    pub name: String,
    pub condition: String,
    pub for_seconds: u64,
    /// `critical` or `warning`.
    pub severity: String,
    pub enabled: bool,
}

/// An alert, open or resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AlertInfo {
    pub id: i64,
    pub rule: String,
    pub subject: String,
    pub severity: String,
    pub message: String,
    /// Unix milliseconds; `resolved_at` is 0 while the alert is open.
    pub fired_at: i64,
    pub resolved_at: i64,
}

/// A check as typed: `target` such as `https://nas/health`, `tcp://nas:22`, `tls://nas:443`,
/// `dns://nas.lan` or `icmp://192.168.1.1`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct CheckSpecInfo {
    pub name: String,
    pub target: String,
    pub interval_ms: u64,
    /// 0: the smaller of the interval and 10 s.
    pub timeout_ms: u64,
    /// HTTP: text the body must contain.
    pub keyword: String,
    /// HTTP: the status that counts as up; 0 for any 2xx or 3xx.
    pub status: u16,
    /// TLS: days of validity below which the certificate counts as expiring (default 14).
    pub warn_days: u32,
    /// DNS: an address the name must resolve to.
    pub expect: String,
    pub enabled: bool,
}

/// A check with its latest result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct CheckInfo {
    pub spec: CheckSpecInfo,
    /// `tcp`, `http`, `tls`, `dns` or `icmp`.
    pub kind: String,
    /// 1 up, 0 down, -1 not probed yet (or disabled).
    pub up: i32,
    pub latency_ms: f64,
    /// TLS: days the certificate has left; -1 otherwise.
    pub cert_days: f64,
    pub message: String,
    /// Unix ms of the last probe and of the last change between up and down.
    pub last_at: i64,
    pub since: i64,
    /// Share of probes that found it up, in percent; -1 without data.
    pub uptime_24h: f64,
    pub uptime_30d: f64,
}

/// One probe's result, as sent with `CheckResults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CheckResult {
    pub name: String,
    pub at: i64,
    pub up: bool,
    pub latency_ms: f64,
    pub message: String,
}

/// A change of a check between up and down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CheckEventInfo {
    pub at: i64,
    pub up: bool,
    pub message: String,
}

/// The energy level from the battery, and heavy runbooks waiting for it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct EnergyInfo {
    /// `critical`, `low`, `medium`, `high` or `full`.
    pub level: String,
    pub has_battery: bool,
    pub on_battery: bool,
    /// Charge in percent; -1 when unknown.
    pub battery_pct: f64,
    /// Heavy runbooks whose schedule fired while the level was below medium.
    pub deferred: Vec<DeferredRun>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct DeferredRun {
    pub runbook: String,
    /// Unix ms.
    pub since: i64,
    /// Who wanted it to run ("schedule #3").
    pub actor: String,
}

/// One measure of the scorecard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct ScoreInfo {
    /// Stable id, such as `uptime_30d`; [`crate::scorecard::title`] names it.
    pub id: String,
    /// NaN when not measured.
    pub value: f64,
    /// `%`, `min`, `h`, `days`, `count` or `level`.
    pub unit: String,
    /// `good`, `fair`, `poor` or `not-measured`.
    pub grade: String,
    pub detail: String,
}

/// A systemd unit as its manager reports it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Type)]
pub struct UnitInfo {
    pub name: String,
    pub description: String,
    /// `user` (can be started and stopped) or `system` (shown only).
    pub scope: String,
    /// `loaded`, `not-found`, `masked`…
    pub load_state: String,
    /// `active`, `inactive`, `failed`, `activating`, `deactivating`.
    pub active_state: String,
    /// `running`, `exited`, `dead`, `waiting`…
    pub sub_state: String,
}
