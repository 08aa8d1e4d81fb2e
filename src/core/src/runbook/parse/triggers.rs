//! The parts of a runbook that connect it to the outside: `triggers:` (file-watcher rules)
//! and `secrets:` (names in the secret store).

use super::{is_name, kind, map_start, Ctx};
use crate::runbook::{is_secret_name, trigger_glob, FileEvent, FileTrigger};
use marked_yaml::types::Node;
use std::collections::BTreeMap;

pub(in crate::runbook) const TRIGGER_KEYS: &[&str] = &["watch", "events", "var"];
const MAX_TRIGGERS: usize = 20;

impl Ctx {
    /// `ENV_NAME: secret-name` pairs.
    pub(super) fn secret_map(&mut self, node: &Node) -> BTreeMap<String, String> {
        let map = self.text_map(node, "`secrets`");
        let mut out = BTreeMap::new();
        let Node::Mapping(nodes) = node else {
            return out;
        };
        for (key, value) in map {
            if is_secret_name(&value) {
                out.insert(key, value);
            } else if let Some(n) = nodes.get_node(&key) {
                self.at(
                    n.span(),
                    format!("`{value}` is not a secret name: use up to 64 letters, digits, `-`, `_` and `.` (as in `roxyctl secret set NAME`)"),
                );
            }
        }
        out
    }

    pub(super) fn triggers(&mut self, node: &Node) -> Vec<FileTrigger> {
        let Node::Sequence(items) = node else {
            self.at(
                node.span(),
                format!(
                    "`triggers` must be a list (`- watch: ~/Videos/*.mkv`), not {}",
                    kind(node)
                ),
            );
            return Vec::new();
        };
        if items.len() > MAX_TRIGGERS {
            self.at(
                items.span(),
                format!(
                    "{} triggers; a runbook may have at most {MAX_TRIGGERS}",
                    items.len()
                ),
            );
        }
        items
            .iter()
            .take(MAX_TRIGGERS)
            .enumerate()
            .filter_map(|(i, item)| self.trigger(i, item))
            .collect()
    }

    fn trigger(&mut self, index: usize, node: &Node) -> Option<FileTrigger> {
        let what = format!("trigger {}", index + 1);
        let map = self.mapping(node, &what)?;
        self.check_keys(map, TRIGGER_KEYS, &what);
        let Some(watch) = map.get_node("watch") else {
            self.at(
                &map_start(map),
                format!("{what} needs `watch:`, a path or glob such as ~/Videos/*.mkv"),
            );
            return None;
        };
        let pattern = self.text(watch, "`watch`")?;
        if !pattern.starts_with('/') && !pattern.starts_with("~/") {
            self.at(
                watch.span(),
                format!("`watch` must be an absolute path or start with ~/, not `{pattern}`"),
            );
            return None;
        }
        if let Err(e) = trigger_glob(&pattern) {
            self.at(
                watch.span(),
                format!(
                    "`{pattern}` is not a valid glob: {}; use *, **, ?, [abc] and {{a,b}}",
                    e.kind()
                ),
            );
            return None;
        }
        let events = match map.get_node("events") {
            None => vec![FileEvent::Created],
            Some(n) => {
                let names = self.text_list(n, "`events`");
                let mut events = Vec::new();
                for name in names {
                    match FileEvent::ALL.iter().find(|(n, _)| *n == name) {
                        Some((_, e)) if !events.contains(e) => events.push(*e),
                        Some(_) => {}
                        None => self.at(
                            n.span(),
                            format!(
                                "`{name}` is not an event; allowed: created, modified, removed"
                            ),
                        ),
                    }
                }
                if events.is_empty() {
                    return None;
                }
                events
            }
        };
        let var = match map.get_node("var") {
            None => "path".to_string(),
            Some(n) => {
                let var = self.text(n, "`var`")?;
                if !is_name(&var) {
                    self.at(
                        n.span(),
                        format!("`{var}` is not a valid variable name: use letters, digits and `_`, not starting with a digit"),
                    );
                    return None;
                }
                var
            }
        };
        Some(FileTrigger {
            pattern,
            events,
            var,
        })
    }
}
