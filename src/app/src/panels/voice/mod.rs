//! Voice panel: wake word, speech-to-text, intents and spoken replies. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Voice,
        summary: gettext("Say “hey Roxy” and a command: wake word, speech recognition and spoken replies, all on this computer."),
    }
}
