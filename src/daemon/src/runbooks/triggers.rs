//! File-watcher triggers: a runbook's `triggers:` start it when a matching file is created,
//! modified or removed, with the file's path in a variable.
//!
//! A file is handed over once it has been quiet for [`QUIET`], so a recording still being
//! written starts one run when it is complete, not one per write. A runbook whose own steps
//! touch its watched files cannot loop for ever: past [`MAX_RUNS_PER_MINUTE`] trigger runs the
//! rest are dropped and audited.

use super::Engine;
use globset::GlobMatcher;
use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use roxy_core::runbook::{FileEvent, FileTrigger};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

/// How long a file must see no events before its run starts.
const QUIET: Duration = Duration::from_millis(750);
/// Trigger runs per runbook in any minute; beyond this they are dropped.
const MAX_RUNS_PER_MINUTE: usize = 10;

/// One trigger of one runbook, ready to match paths.
struct Rule {
    runbook: String,
    trigger: FileTrigger,
    matcher: GlobMatcher,
}

/// A matched file waiting for its quiet time.
struct Pending {
    due: Instant,
    /// The event that matched the rule (later events only push `due` back).
    event: FileEvent,
}

impl Engine {
    /// The file triggers of every valid runbook, with the runbook's id.
    pub(super) fn file_triggers(&self) -> Vec<(String, roxy_core::runbook::FileTrigger)> {
        let catalog = self.catalog.read().unwrap();
        catalog
            .entries()
            .filter_map(|e| e.result.as_ref().ok())
            .flat_map(|rb| rb.triggers.iter().map(|t| (rb.id.clone(), t.clone())))
            .collect()
    }
}

pub fn spawn(engine: Weak<Engine>, refresh: Arc<Notify>) {
    tokio::spawn(async move {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut limiter = RateLimiter::default();
        loop {
            let Some(strong) = engine.upgrade() else {
                break;
            };
            let rules = rules(&strong.file_triggers(), &home);
            drop(strong);
            let (tx, mut rx) = mpsc::unbounded_channel();
            // The channel stays open even without a watcher, so `recv` never ends the loop.
            let _keep_open = tx.clone();
            // Kept alive for as long as these rules hold; dropped (unwatching) on refresh.
            let _watcher = watch(&rules, &home, tx);
            let mut pending: HashMap<(usize, PathBuf), Pending> = HashMap::new();
            loop {
                let next_due = pending.values().map(|p| p.due).min();
                tokio::select! {
                    _ = refresh.notified() => break,
                    Some(event) = rx.recv() => note_event(&rules, &mut pending, event),
                    _ = sleep_until(next_due) => {
                        let Some(engine) = engine.upgrade() else { return };
                        fire_due(&engine, &rules, &mut pending, &mut limiter).await;
                    }
                }
            }
        }
    });
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

fn rules(triggers: &[(String, FileTrigger)], home: &Path) -> Vec<Rule> {
    triggers
        .iter()
        .filter_map(|(runbook, trigger)| {
            Some(Rule {
                runbook: runbook.clone(),
                matcher: trigger.matcher(home)?,
                trigger: trigger.clone(),
            })
        })
        .collect()
}

fn watch(
    rules: &[Rule],
    home: &Path,
    tx: mpsc::UnboundedSender<notify::Event>,
) -> Option<notify::RecommendedWatcher> {
    if rules.is_empty() {
        return None;
    }
    let mut watcher = match notify::recommended_watcher(move |event: notify::Result<_>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("file triggers are off: cannot watch files ({e})");
            return None;
        }
    };
    let mut folders: HashMap<PathBuf, bool> = HashMap::new();
    for rule in rules {
        let recursive = folders.entry(rule.trigger.base_dir(home)).or_insert(false);
        *recursive |= rule.trigger.recursive(home);
    }
    for (folder, recursive) in folders {
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        match watcher.watch(&folder, mode) {
            Ok(()) => tracing::info!(folder = %folder.display(), "watching for file triggers"),
            // The folder may appear later; editing the runbook (or a reload) looks again.
            Err(e) => tracing::warn!(folder = %folder.display(), "file trigger not armed: {e}"),
        }
    }
    Some(watcher)
}

/// What a notify event means for the paths in it.
fn file_events(event: &notify::Event) -> Vec<(FileEvent, &Path)> {
    let one = |kind: FileEvent| {
        event
            .paths
            .iter()
            .map(|p| (kind, p.as_path()))
            .collect::<Vec<_>>()
    };
    match event.kind {
        EventKind::Create(_) => one(FileEvent::Created),
        // Finished downloads and atomic saves arrive by rename: the new name is a new file.
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => one(FileEvent::Created),
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => one(FileEvent::Removed),
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => match event.paths.as_slice() {
            [from, to] => vec![(FileEvent::Removed, from), (FileEvent::Created, to)],
            _ => Vec::new(),
        },
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => one(FileEvent::Modified),
        EventKind::Remove(_) => one(FileEvent::Removed),
        _ => Vec::new(),
    }
}

fn note_event(
    rules: &[Rule],
    pending: &mut HashMap<(usize, PathBuf), Pending>,
    event: notify::Event,
) {
    let due = Instant::now() + QUIET;
    for (kind, path) in file_events(&event) {
        for (index, rule) in rules.iter().enumerate() {
            if !rule.matcher.is_match(path) {
                continue;
            }
            let key = (index, path.to_owned());
            if let Some(waiting) = pending.get_mut(&key) {
                waiting.due = due;
            } else if rule.trigger.events.contains(&kind) {
                pending.insert(key, Pending { due, event: kind });
            }
        }
    }
}

async fn fire_due(
    engine: &Arc<Engine>,
    rules: &[Rule],
    pending: &mut HashMap<(usize, PathBuf), Pending>,
    limiter: &mut RateLimiter,
) {
    let now = Instant::now();
    let mut due: Vec<((usize, PathBuf), FileEvent)> = pending
        .iter()
        .filter(|(_, p)| p.due <= now)
        .map(|(k, p)| (k.clone(), p.event))
        .collect();
    due.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, event) in due {
        pending.remove(&key);
        let (index, path) = key;
        let rule = &rules[index];
        let actor = format!("trigger ({} {})", event.name(), rule.trigger.pattern);
        let path_text = path.to_string_lossy().into_owned();
        if !limiter.allow(&rule.runbook, now) {
            tracing::warn!(runbook = %rule.runbook, path = %path_text, "trigger dropped: too many runs in a minute");
            engine
                .audit(
                    &actor,
                    "trigger.dropped",
                    &rule.runbook,
                    "denied",
                    &format!(
                        "{path_text}: more than {MAX_RUNS_PER_MINUTE} trigger runs in a minute"
                    ),
                )
                .await;
            continue;
        }
        let vars = HashMap::from([(rule.trigger.var.clone(), path_text.clone())]);
        if let Err(e) = engine.run(&rule.runbook, &vars, &[], false, &actor).await {
            tracing::warn!(runbook = %rule.runbook, path = %path_text, "trigger could not start a run: {e}");
        }
    }
}

/// A sliding one-minute window per runbook.
#[derive(Default)]
struct RateLimiter {
    recent: HashMap<String, VecDeque<Instant>>,
}

impl RateLimiter {
    fn allow(&mut self, runbook: &str, now: Instant) -> bool {
        let window = self.recent.entry(runbook.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            window.pop_front();
        }
        if window.len() >= MAX_RUNS_PER_MINUTE {
            return false;
        }
        window.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange};

    fn rule(pattern: &str, events: Vec<FileEvent>) -> Vec<Rule> {
        let trigger = FileTrigger {
            pattern: pattern.into(),
            events,
            var: "path".into(),
        };
        rules(&[("rb".into(), trigger)], Path::new("/home/u"))
    }

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(path.into())
    }

    #[test]
    fn only_matching_paths_and_events_are_noted() {
        let rules = rule("~/in/*.txt", vec![FileEvent::Created]);
        let mut pending = HashMap::new();
        let create = EventKind::Create(CreateKind::File);
        note_event(&rules, &mut pending, event(create, "/home/u/in/a.log"));
        note_event(&rules, &mut pending, event(create, "/home/u/in/sub/a.txt"));
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        note_event(&rules, &mut pending, event(write, "/home/u/in/b.txt"));
        assert!(pending.is_empty());
        note_event(&rules, &mut pending, event(create, "/home/u/in/a.txt"));
        assert_eq!(pending.len(), 1);
        let first_due = pending.values().next().unwrap().due;
        std::thread::sleep(Duration::from_millis(5));
        // Writes to the new file push its run back instead of adding one.
        note_event(&rules, &mut pending, event(write, "/home/u/in/a.txt"));
        assert_eq!(pending.len(), 1);
        let entry = pending.values().next().unwrap();
        assert!(entry.due > first_due);
        assert_eq!(entry.event, FileEvent::Created);
    }

    #[test]
    fn a_rename_into_place_counts_as_created() {
        let rules = rule("/srv/drop/*.pdf", vec![FileEvent::Created]);
        let mut pending = HashMap::new();
        let rename = notify::Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path("/srv/drop/.part".into())
            .add_path("/srv/drop/invoice.pdf".into());
        note_event(&rules, &mut pending, rename);
        let keys: Vec<_> = pending.keys().map(|(_, p)| p.clone()).collect();
        assert_eq!(keys, vec![PathBuf::from("/srv/drop/invoice.pdf")]);
    }

    #[test]
    fn the_limiter_drops_runs_past_the_limit_and_forgets_after_a_minute() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..MAX_RUNS_PER_MINUTE {
            assert!(limiter.allow("rb", start));
        }
        assert!(!limiter.allow("rb", start));
        assert!(limiter.allow("other", start));
        assert!(limiter.allow("rb", start + Duration::from_secs(61)));
    }
}
