//! CRM panel: contacts, leads, deals and interactions. Not built yet.

use super::pending::Plan;
use crate::panel::PanelId;
use roxy_ipc::i18n::gettext;

pub fn plan() -> Plan {
    Plan {
        panel: PanelId::Crm,
        summary: gettext("Contacts, companies, leads with explained BANT scores, a deals pipeline and every interaction on a timeline."),
    }
}
