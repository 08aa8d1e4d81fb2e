//! Docs panel: knowledge-base browser and full-text search. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Docs,
        summary: gettext("Your knowledge base with instant full-text search, a native reader and a generated master index."),
    }
}
