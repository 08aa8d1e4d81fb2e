//! Live updates: a recursive watch on each chosen folder; changed paths are collected until
//! the files are quiet for a moment, then indexed together.

use super::DocsHub;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Wait this long after the last event before indexing (editors save in several steps).
const QUIET: Duration = Duration::from_millis(150);
/// …but never longer than this after the first, so a busy folder is still indexed.
const MAX_WAIT: Duration = Duration::from_millis(700);

/// (Re)starts watching the hub's folders; the previous watcher stops.
pub fn watch(hub: &Arc<DocsHub>) {
    let folders = hub.folders();
    let (tx, rx) = mpsc::unbounded_channel::<PathBuf>();
    let watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(event) if !event.kind.is_access() => {
                for path in event.paths {
                    let _ = tx.send(path);
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("docs watcher: {e}"),
        });
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("docs folders are not watched ({e}); use `roxyctl docs reindex`");
            hub.state.lock().unwrap().watching = false;
            *hub.watcher.lock().unwrap() = None;
            return;
        }
    };
    let mut watching = !folders.is_empty();
    for folder in &folders {
        if let Err(e) = watcher.watch(folder, RecursiveMode::Recursive) {
            tracing::warn!(folder = %folder.display(), "docs folder not watched: {e}");
            watching = false;
        }
    }
    hub.state.lock().unwrap().watching = watching;
    *hub.watcher.lock().unwrap() = Some(watcher);
    tokio::spawn(collect(Arc::downgrade(hub), folders, rx));
}

async fn collect(
    hub: Weak<DocsHub>,
    folders: Vec<PathBuf>,
    mut rx: mpsc::UnboundedReceiver<PathBuf>,
) {
    // Ends when the watcher (and so the sender) is replaced or dropped.
    while let Some(first) = rx.recv().await {
        let mut paths = BTreeSet::new();
        let started = Instant::now();
        if !roxy_core::docs::ignored(&folders, &first) {
            paths.insert(first);
        }
        if let Some(hub) = hub.upgrade() {
            let mut state = hub.state.lock().unwrap();
            state
                .behind_since_ms
                .get_or_insert_with(roxy_core::time::now_ms);
        }
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed()).min(QUIET);
            match tokio::time::timeout(left, rx.recv()).await {
                Ok(Some(path)) => {
                    if !roxy_core::docs::ignored(&folders, &path) {
                        paths.insert(path);
                    }
                    if started.elapsed() >= MAX_WAIT {
                        break;
                    }
                }
                Ok(None) => return,
                Err(_) => break,
            }
        }
        let Some(hub) = hub.upgrade() else { return };
        if paths.is_empty() {
            hub.state.lock().unwrap().behind_since_ms = None;
            continue;
        }
        tracing::debug!(count = paths.len(), "docs: files changed");
        hub.sync_changed(paths.into_iter().collect()).await;
    }
}
