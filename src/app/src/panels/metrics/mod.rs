//! Metrics panel: live charts, history, alerts and the scorecard. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Metrics,
        summary: gettext("Live CPU, memory, disk, network and power charts with history, alert rules and a scorecard."),
    }
}
