//! The daemon actions a sentence can lead to. The list is also the denominator of intent
//! coverage: actions a user can click but not yet say count against it.

use super::intents::SlotKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub id: &'static str,
    /// Slots every pattern of an intent for this action must fill.
    pub slots: &'static [SlotKind],
    /// Whether the daemon can carry the action out when spoken. Actions that only a click may
    /// do (approving a confirm runbook) are listed with `false` and can't be named in intents.
    pub by_voice: bool,
}

const fn action(id: &'static str, slots: &'static [SlotKind], by_voice: bool) -> Action {
    Action {
        id,
        slots,
        by_voice,
    }
}

pub const ACTIONS: &[Action] = &[
    action("obs.scene", &[SlotKind::Scene], true),
    action("obs.record.start", &[], true),
    action("obs.record.stop", &[], true),
    action("obs.stream.start", &[], true),
    action("obs.stream.stop", &[], true),
    action("obs.mute", &[SlotKind::Input], true),
    action("obs.unmute", &[SlotKind::Input], true),
    action("obs.transition", &[], true),
    action("obs.replay.save", &[], true),
    action("runbook.run", &[SlotKind::Runbook], true),
    action("status", &[], true),
    action("crm.note", &[SlotKind::Contact, SlotKind::Text], true),
    // Said to stop a reply or drop a question the daemon asked back.
    action("cancel", &[], true),
    // Clickable, not yet sayable: kept here so coverage tells the truth.
    action("obs.studio_mode", &[], false),
    action("runbook.cancel", &[], false),
    action("checks.run", &[], false),
    action("docs.search", &[SlotKind::Text], false),
    // Approving a `confirm: true` runbook must never come from the microphone.
    action("runbook.approve", &[], false),
];

pub fn find(id: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.id == id)
}

/// Whether an action counts towards coverage. `cancel` is a word for the voice loop itself,
/// not a daemon action; approving a confirm runbook is kept from voice on purpose, so it is no
/// gap to close.
pub fn counted(action: &Action) -> bool {
    action.id != "cancel" && action.id != "runbook.approve"
}

/// Share of the daemon's user actions reachable by voice through `actions_used`, in 0..=1.
pub fn coverage<'a>(actions_used: impl IntoIterator<Item = &'a str>) -> f64 {
    let counted: Vec<&Action> = ACTIONS.iter().filter(|a| counted(a)).collect();
    let used: std::collections::HashSet<&str> = actions_used.into_iter().collect();
    let reachable = counted
        .iter()
        .filter(|a| a.by_voice && used.contains(a.id))
        .count();
    reachable as f64 / counted.len() as f64
}
