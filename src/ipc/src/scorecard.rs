//! Names and value formats of the scorecard's measures, shared by the window and roxyctl.

use crate::i18n::{fill, gettext};
use crate::ScoreInfo;

/// The translated name of a measure.
pub fn title(id: &str) -> String {
    match id {
        "monitoring_coverage" => gettext("Containers watched"),
        "checks_passing" => gettext("Checks passing"),
        "uptime_30d" => gettext("Uptime, 30 days"),
        "mttr_30d" => gettext("Time to recover (MTTR), 30 days"),
        "open_alerts" => gettext("Open alerts"),
        "incidents_30d" => gettext("Incidents, 30 days"),
        "runbook_coverage" => gettext("Runbooks automated"),
        "run_success_30d" => gettext("Runs succeeded, 30 days"),
        "self_healing_coverage" => gettext("Containers with self-healing"),
        "containers_gave_up" => gettext("Containers Roxy gave up on"),
        "backup_freshness" => gettext("Last successful backup"),
        "secret_findings" => gettext("Plaintext secrets found"),
        "cert_min_days" => gettext("Shortest certificate validity"),
        "disk_headroom" => gettext("Free root disk"),
        "memory_headroom_24h" => gettext("Free memory, 24 h average"),
        "cpu_24h" => gettext("CPU use, 24 h average"),
        "schedules_missed_30d" => gettext("Missed schedule times, 30 days"),
        "energy" => gettext("Energy level"),
        "docs_index_freshness" => gettext("Docs index freshness"),
        "broadcast_readiness" => gettext("Broadcast readiness"),
        other => other.to_owned(),
    }
}

/// The value with its unit, or "not measured".
pub fn value(score: &ScoreInfo) -> String {
    if score.value.is_nan() {
        return gettext("not measured");
    }
    let v = score.value;
    match score.unit.as_str() {
        "%" => format!("{v:.1} %"),
        "min" => fill(&gettext("{} min"), &[&format!("{v:.0}")]),
        "h" => fill(&gettext("{} h ago"), &[&format!("{v:.0}")]),
        "days" => fill(&gettext("{} days"), &[&format!("{v:.0}")]),
        "level" => match v as u8 {
            0 => gettext("critical"),
            1 => gettext("low"),
            2 => gettext("medium"),
            3 => gettext("high"),
            _ => gettext("full"),
        },
        _ => format!("{v:.0}"),
    }
}

/// The translated grade.
pub fn grade(score: &ScoreInfo) -> String {
    match score.grade.as_str() {
        "good" => gettext("good"),
        "fair" => gettext("fair"),
        "poor" => gettext("poor"),
        _ => gettext("not measured"),
    }
}
