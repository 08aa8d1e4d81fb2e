//! Runbooks panel: runbooks, runs, schedules and approvals. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Runbooks,
        summary: gettext("YAML runbooks with approvals, retries, rollback and schedules; run, follow and resume them from here."),
    }
}
