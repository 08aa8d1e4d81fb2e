//! Which intents are in use: the user's `intents.yaml` when it exists and is valid, the shipped
//! defaults otherwise. The file is looked at again (by modification time) each time intents
//! are needed, so saving it is enough; a broken file keeps the last good intents and its
//! problems are shown with their places.

use roxy_core::voice::{coverage, IntentSet, ACTIONS};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const SHIPPED: &str = include_str!("../../../../data/voice/intents.yaml");

pub struct LoadedIntents {
    pub set: IntentSet,
    /// Where `set` came from ("shipped defaults" or the file's path).
    pub source: String,
    pub errors: Vec<String>,
    pub path: PathBuf,
    seen: Option<SystemTime>,
}

impl LoadedIntents {
    pub fn new(config_dir: &Path) -> Self {
        let mut loaded = Self {
            set: shipped(),
            source: "shipped defaults".into(),
            errors: Vec::new(),
            path: config_dir.join("intents.yaml"),
            seen: None,
        };
        loaded.refresh();
        loaded
    }

    /// Reloads when the file changed; true when something did.
    pub fn refresh(&mut self) -> bool {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if modified == self.seen {
            return false;
        }
        self.seen = modified;
        if modified.is_none() {
            self.set = shipped();
            self.source = "shipped defaults".into();
            self.errors.clear();
            return true;
        }
        match std::fs::read_to_string(&self.path) {
            Ok(text) => match IntentSet::parse(&self.path, &text) {
                Ok(set) => {
                    self.set = set;
                    self.source = self.path.display().to_string();
                    self.errors.clear();
                }
                Err(errors) => {
                    tracing::warn!(file = %self.path.display(), problems = errors.len(), "intents file refused; keeping the intents in use");
                    self.errors = errors.iter().map(|e| e.to_string()).collect();
                }
            },
            Err(e) => {
                self.errors = vec![format!("{}: {e}", self.path.display())];
            }
        }
        true
    }

    pub fn coverage(&self) -> f64 {
        coverage(self.set.actions())
    }

    /// Daemon actions the intents don't reach.
    pub fn unreachable(&self) -> Vec<String> {
        let used: Vec<&str> = self.set.actions().collect();
        ACTIONS
            .iter()
            .filter(|a| roxy_core::voice::actions::counted(a) && !used.contains(&a.id))
            .map(|a| a.id.to_string())
            .collect()
    }
}

fn shipped() -> IntentSet {
    IntentSet::parse(Path::new("intents.yaml"), SHIPPED).unwrap_or_else(|errors| {
        // A test keeps the shipped file valid; this only guards against a broken build.
        tracing::error!("the shipped intents are broken: {errors:?}");
        IntentSet::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_intents_are_valid() {
        let set = IntentSet::parse(Path::new("intents.yaml"), SHIPPED).unwrap();
        assert!(set.intents.len() >= 10);
    }

    #[test]
    fn a_broken_user_file_keeps_the_intents_in_use_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let mut loaded = LoadedIntents::new(dir.path());
        assert_eq!(loaded.source, "shipped defaults");
        let path = dir.path().join("intents.yaml");
        std::fs::write(
            &path,
            "intents:\n  - id: go\n    action: status\n    say: [how are we]\n",
        )
        .unwrap();
        assert!(loaded.refresh());
        assert_eq!(loaded.set.intents.len(), 1);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(
            &path,
            "intents:\n  - id: go\n    action: status\n    say: [\"x {nope}\"]\n",
        )
        .unwrap();
        // Some filesystems keep whole-second times: make sure the change is seen.
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(loaded.refresh());
        assert_eq!(loaded.set.intents.len(), 1, "the good intents stay");
        assert!(
            loaded.errors[0].contains("intents.yaml:4:11:"),
            "{:?}",
            loaded.errors
        );
    }
}
