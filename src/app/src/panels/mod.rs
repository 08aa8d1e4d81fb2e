//! One folder per panel, mirroring the daemon's service modules. A panel whose issue has not
//! landed yet shows an honest status page (see `pending`) that says what it will do.

pub mod broadcast;
pub mod crm;
pub mod docs;
pub mod infrastructure;
pub mod metrics;
pub mod pending;
pub mod runbooks;
pub mod voice;

use crate::panel::PanelId;

/// The plan of a panel that is not built yet, or `None` once it is.
pub fn plan(panel: PanelId) -> Option<pending::Plan> {
    Some(match panel {
        PanelId::Voice => voice::plan(),
        PanelId::Infrastructure
        | PanelId::Broadcast
        | PanelId::Metrics
        | PanelId::Jobs
        | PanelId::Runbooks
        | PanelId::Crm
        | PanelId::Docs => return None,
    })
}
