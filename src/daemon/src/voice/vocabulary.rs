//! The live values intents' slots are filled from, gathered from the daemon's own state at the
//! moment a sentence is handled (scenes and inputs of the linked OBS, runbooks, contacts).

use super::VoiceHub;
use roxy_core::crm::ContactQuery;
use roxy_core::voice::{SlotKind, Vocabulary};
use std::collections::HashMap;

/// Contacts offered as slot values; past this the names stop helping recognition.
const MAX_CONTACTS: i64 = 2_000;

pub struct Live {
    pub vocabulary: Vocabulary,
    /// Runbook name or id (as offered) → id.
    pub runbook_ids: HashMap<String, String>,
    /// Ids of runbooks marked `confirm: true`.
    pub confirm_runbooks: std::collections::HashSet<String>,
    /// Contact name → id.
    pub contact_ids: HashMap<String, i64>,
}

impl VoiceHub {
    /// Scenes and inputs of the linked OBS: a read of roxyd's mirror, no request. Enough for
    /// the speech-to-text prompt.
    pub(super) fn obs_vocabulary(&self) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        if let Ok(link) = self.broadcast.link("") {
            let state = link.state();
            vocabulary.set(SlotKind::Scene, state.scenes.clone());
            vocabulary.set(
                SlotKind::Input,
                state.inputs.iter().map(|i| i.name.clone()).collect(),
            );
        }
        vocabulary
    }

    /// Every slot's values, for matching a sentence; asks the runbook engine and the CRM.
    pub(super) async fn live(&self) -> Live {
        let mut vocabulary = self.obs_vocabulary();
        let mut runbook_ids = HashMap::new();
        let mut confirm_runbooks = std::collections::HashSet::new();
        for rb in self.engine.list().await {
            if !rb.errors.is_empty() {
                continue;
            }
            if rb.confirm {
                confirm_runbooks.insert(rb.id.clone());
            }
            runbook_ids.insert(rb.name.clone(), rb.id.clone());
            runbook_ids.insert(rb.id.clone(), rb.id.clone());
        }
        vocabulary.set(SlotKind::Runbook, runbook_ids.keys().cloned().collect());
        let mut contact_ids = HashMap::new();
        if let Ok(crm) = self.crm.crm() {
            let query = ContactQuery {
                limit: MAX_CONTACTS,
                ..Default::default()
            };
            if let Ok(rows) = crm.contacts(&query).await {
                for row in rows {
                    contact_ids.insert(row.name.clone(), row.id);
                }
            }
        }
        vocabulary.set(SlotKind::Contact, contact_ids.keys().cloned().collect());
        Live {
            vocabulary,
            runbook_ids,
            confirm_runbooks,
            contact_ids,
        }
    }
}
