//! Broadcast panel: OBS control and NDI discovery. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Broadcast,
        summary: gettext("Control OBS (scenes, streaming, recording, mixer with live meters), watch stream health and find NDI sources."),
    }
}
