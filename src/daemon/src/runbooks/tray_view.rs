//! What the tray shows about runbooks: runs that need the person, the runbooks tagged
//! `tray`, whether all schedules are paused, and Do Not Disturb.

use super::Engine;
use crate::tray::{Tray, TrayState};
use roxy_ipc::i18n::{fill, gettext};
use std::sync::Arc;

impl Engine {
    /// Shows the tray from now on, and keeps it current.
    pub async fn attach_tray(&self, tray: Arc<Tray>) {
        *self.tray.lock().unwrap() = Some(tray);
        self.refresh_tray().await;
    }

    /// What the tray shows: what needs the person, the `tray`-tagged runbooks, the pause,
    /// Do Not Disturb.
    pub async fn refresh_tray(&self) {
        // Reading the runs is wasted work when no tray item exists.
        let Some(tray) = self.tray.lock().unwrap().clone() else {
            return;
        };
        if !tray.is_up().await {
            return;
        }
        let day_ago = roxy_core::time::now_ms() - 24 * 3600 * 1000;
        let mut attention = Vec::new();
        for run in self.store.runs("", 50).await.unwrap_or_default() {
            let waits = match run.state.as_str() {
                "awaiting_approval" => true,
                "running" => self
                    .store
                    .run_steps(run.id)
                    .await
                    .is_ok_and(|steps| steps.iter().any(|s| s.state == "waiting_approval")),
                _ => false,
            };
            if waits {
                attention.push(fill(
                    &gettext("Run {} of “{}” needs an approval."),
                    &[&run.id, &run.runbook_name],
                ));
            } else if matches!(run.state.as_str(), "failed" | "rolled_back" | "interrupted")
                && run.started_at > day_ago
            {
                attention.push(fill(
                    &gettext("Run {} of “{}” ended {}."),
                    &[&run.id, &run.runbook_name, &run.state.replace('_', " ")],
                ));
            }
        }
        let favourites = {
            let catalog = self.catalog.read().unwrap();
            catalog
                .entries()
                .filter_map(|e| e.result.as_ref().ok())
                .filter(|rb| rb.tags.iter().any(|t| t == "tray"))
                .map(|rb| (rb.id.clone(), rb.name.clone()))
                .collect()
        };
        let state = TrayState {
            attention,
            favourites,
            schedules_suspended: self.schedules_suspended().await,
            do_not_disturb: self.store.flag(roxy_core::notify::DO_NOT_DISTURB).await,
            // Kept by the tray itself (the broadcast links and the voice loop fill them).
            recordings: Vec::new(),
            voice: String::new(),
        };
        tray.show(state).await;
    }
}
