//! Re-reads the runbook folders when files in them change (notify), debounced.

use super::Engine;
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::sync::Weak;
use std::time::Duration;

/// Changes closer together than this are read once.
const DEBOUNCE: Duration = Duration::from_millis(300);

pub fn spawn(engine: Weak<Engine>, dirs: Vec<PathBuf>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    });
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("runbook folders are not watched ({e}); use `roxyctl runbook reload`");
            return;
        }
    };
    for dir in &dirs {
        // A folder created later is picked up by the next reload or restart.
        if dir.is_dir() {
            if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
                tracing::warn!(dir = %dir.display(), "cannot watch: {e}");
            }
        }
    }
    tokio::spawn(async move {
        let _watcher = watcher;
        while rx.recv().await.is_some() {
            tokio::time::sleep(DEBOUNCE).await;
            while rx.try_recv().is_ok() {}
            let Some(engine) = engine.upgrade() else {
                break;
            };
            tracing::info!("runbook folder changed; reloading");
            engine.reload().await;
        }
    });
}
