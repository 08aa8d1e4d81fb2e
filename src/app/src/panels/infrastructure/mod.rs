//! Infrastructure panel: containers, units, checks and self-healing. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Infrastructure,
        summary: gettext("Containers, systemd units and host checks in one place, with self-healing restarts, live logs and alerts."),
    }
}
