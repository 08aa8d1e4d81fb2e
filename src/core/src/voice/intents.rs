//! The intents file: which sentences lead to which daemon action. Loaded from
//! `$XDG_CONFIG_HOME/roxy/intents.yaml` (or the shipped defaults) and validated with the place
//! of every problem, so a typo never takes the daemon down.
//!
//! ```yaml
//! intents:
//!   - id: scene
//!     action: obs.scene
//!     say:
//!       - switch to scene {scene}
//!       - go to {scene}
//!     reply: Switched to {scene}.
//! ```

use super::actions;
use super::normalize::normalize;
use marked_yaml::types::{MarkedMappingNode, Node, Span};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Intents files larger than this are refused unread.
pub const MAX_FILE_BYTES: usize = 128 * 1024;
const MAX_INTENTS: usize = 500;
const MAX_PATTERNS: usize = 50;
const MAX_PATTERN_WORDS: usize = 16;

const INTENT_KEYS: &[&str] = &["id", "action", "say", "reply"];

/// Where a slot's values come from. All but `Text` are filled from live daemon state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotKind {
    /// A scene of the linked OBS.
    Scene,
    /// An audio input of the linked OBS.
    Input,
    /// A runbook, by name or id.
    Runbook,
    /// A CRM contact, by name.
    Contact,
    /// Whatever follows, as said.
    Text,
}

impl SlotKind {
    pub const ALL: [SlotKind; 5] = [
        SlotKind::Scene,
        SlotKind::Input,
        SlotKind::Runbook,
        SlotKind::Contact,
        SlotKind::Text,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SlotKind::Scene => "scene",
            SlotKind::Input => "input",
            SlotKind::Runbook => "runbook",
            SlotKind::Contact => "contact",
            SlotKind::Text => "text",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternToken {
    Word(String),
    Slot(SlotKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// As written in the file, for explanations.
    pub text: String,
    pub tokens: Vec<PatternToken>,
}

impl Pattern {
    pub fn slots(&self) -> impl Iterator<Item = SlotKind> + '_ {
        self.tokens.iter().filter_map(|t| match t {
            PatternToken::Slot(k) => Some(*k),
            PatternToken::Word(_) => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub action: String,
    pub patterns: Vec<Pattern>,
    /// Spoken after the action succeeded; `{slot}` is replaced by the value.
    pub reply: String,
}

/// A problem in the intents file, at its place.
pub type IntentError = crate::placed::PlacedError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentSet {
    pub intents: Vec<Intent>,
}

impl IntentSet {
    /// Parses and validates an intents file; `path` names it in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Vec<IntentError>> {
        let root = crate::placed::load_yaml(
            path,
            text,
            MAX_FILE_BYTES,
            "intents files",
            "the intents file is a mapping with an `intents:` list",
        )
        .map_err(|e| vec![e])?;
        let mut ctx = Ctx {
            file: path.to_owned(),
            errors: Vec::new(),
        };
        let set = ctx.set(&root);
        if ctx.errors.is_empty() {
            Ok(set)
        } else {
            ctx.errors.sort_by_key(|e| (e.line, e.column));
            Err(ctx.errors)
        }
    }

    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.intents.iter().map(|i| i.action.as_str())
    }

    pub fn get(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id == id)
    }
}

struct Ctx {
    file: PathBuf,
    errors: Vec<IntentError>,
}

impl Ctx {
    fn at(&mut self, span: Option<&Span>, message: String) {
        let (line, column) = span
            .and_then(|s| s.start())
            .map(|m| (m.line(), m.column()))
            .unwrap_or((0, 0));
        self.errors.push(IntentError {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn set(&mut self, root: &Node) -> IntentSet {
        let Some(map) = self.mapping(root, "the file") else {
            return IntentSet::default();
        };
        for key in map.keys() {
            if key.as_str() != "intents" {
                self.at(
                    Some(key.span()),
                    format!("unknown key `{}`; allowed: intents", key.as_str()),
                );
            }
        }
        let Some(list) = map.get_node("intents") else {
            self.at(
                Some(root.span()),
                "the file needs an `intents:` list".to_string(),
            );
            return IntentSet::default();
        };
        let Node::Sequence(items) = list else {
            self.at(
                Some(list.span()),
                "`intents` must be a list of `- id: …` entries".to_string(),
            );
            return IntentSet::default();
        };
        if items.len() > MAX_INTENTS {
            self.at(
                Some(list.span()),
                format!("at most {MAX_INTENTS} intents are allowed"),
            );
            return IntentSet::default();
        }
        let mut ids = HashSet::new();
        let mut intents = Vec::new();
        for item in items.iter() {
            if let Some(intent) = self.intent(item) {
                if !ids.insert(intent.id.clone()) {
                    self.at(
                        item.as_mapping()
                            .and_then(|m| m.get_node("id"))
                            .map(|n| n.span()),
                        format!("intent id `{}` is used twice", intent.id),
                    );
                    continue;
                }
                intents.push(intent);
            }
        }
        IntentSet { intents }
    }

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n MarkedMappingNode> {
        match node {
            Node::Mapping(m) => Some(m),
            other => {
                self.at(
                    Some(other.span()),
                    format!("{what} must be a mapping (`key: value` lines)"),
                );
                None
            }
        }
    }

    fn scalar(&mut self, map: &MarkedMappingNode, key: &str, required: bool) -> Option<String> {
        match map.get_node(key) {
            Some(Node::Scalar(s)) if !s.as_str().trim().is_empty() => {
                Some(s.as_str().trim().to_string())
            }
            Some(other) => {
                self.at(
                    Some(other.span()),
                    format!("`{key}` must be a non-empty text"),
                );
                None
            }
            None if required => {
                self.at(Some(map.span()), format!("this intent needs `{key}:`"));
                None
            }
            None => None,
        }
    }

    fn intent(&mut self, node: &Node) -> Option<Intent> {
        let map = self.mapping(node, "an intent")?;
        for key in map.keys() {
            if !INTENT_KEYS.contains(&key.as_str()) {
                self.at(
                    Some(key.span()),
                    format!(
                        "unknown key `{}` in an intent; allowed: {}",
                        key.as_str(),
                        INTENT_KEYS.join(", ")
                    ),
                );
            }
        }
        let id = self.scalar(map, "id", true);
        let action_name = self.scalar(map, "action", true);
        let reply = self.scalar(map, "reply", false).unwrap_or_default();
        let action = match &action_name {
            Some(name) => match actions::find(name) {
                Some(a) if a.by_voice => Some(a),
                Some(_) => {
                    self.at(
                        map.get_node("action").map(|n| n.span()),
                        format!("`{name}` can't be done by voice"),
                    );
                    None
                }
                None => {
                    let allowed: Vec<&str> = actions::ACTIONS
                        .iter()
                        .filter(|a| a.by_voice)
                        .map(|a| a.id)
                        .collect();
                    self.at(
                        map.get_node("action").map(|n| n.span()),
                        format!("unknown action `{name}`; allowed: {}", allowed.join(", ")),
                    );
                    None
                }
            },
            None => None,
        };
        let patterns = self.patterns(map, action);
        Some(Intent {
            id: id?,
            action: action?.id.to_string(),
            patterns: patterns?,
            reply,
        })
    }

    fn patterns(
        &mut self,
        map: &MarkedMappingNode,
        action: Option<&actions::Action>,
    ) -> Option<Vec<Pattern>> {
        let Some(node) = map.get_node("say") else {
            self.at(
                Some(map.span()),
                "this intent needs `say:`, a list of sentences".to_string(),
            );
            return None;
        };
        let nodes: Vec<&Node> = match node {
            Node::Sequence(seq) if !seq.is_empty() => seq.iter().collect(),
            Node::Scalar(_) => vec![node],
            other => {
                self.at(
                    Some(other.span()),
                    "`say` must be a sentence or a non-empty list of sentences".to_string(),
                );
                return None;
            }
        };
        if nodes.len() > MAX_PATTERNS {
            self.at(
                Some(node.span()),
                format!("at most {MAX_PATTERNS} sentences per intent are allowed"),
            );
            return None;
        }
        let mut patterns = Vec::new();
        let mut ok = true;
        for n in nodes {
            let Node::Scalar(s) = n else {
                self.at(Some(n.span()), "each sentence must be a text".to_string());
                ok = false;
                continue;
            };
            match parse_pattern(s.as_str()) {
                Ok(p) => {
                    if let Some(action) = action {
                        let mut want: Vec<SlotKind> = action.slots.to_vec();
                        let mut got: Vec<SlotKind> = p.slots().collect();
                        want.sort();
                        got.sort();
                        if want != got {
                            let names = |v: &[SlotKind]| {
                                if v.is_empty() {
                                    "no slots".to_string()
                                } else {
                                    v.iter()
                                        .map(|k| format!("{{{}}}", k.name()))
                                        .collect::<Vec<_>>()
                                        .join(" and ")
                                }
                            };
                            self.at(
                                Some(n.span()),
                                format!(
                                    "`{}` needs {} (this sentence has {})",
                                    action.id,
                                    names(&want),
                                    names(&got)
                                ),
                            );
                            ok = false;
                            continue;
                        }
                    }
                    patterns.push(p);
                }
                Err(message) => {
                    self.at(Some(n.span()), message);
                    ok = false;
                }
            }
        }
        ok.then_some(patterns)
    }
}

/// "switch to scene {scene}" → words and slots. Free text (`{text}`) must come last: it takes
/// the rest of the sentence.
pub fn parse_pattern(text: &str) -> Result<Pattern, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(open) => {
                tokens.extend(normalize(&rest[..open]).into_iter().map(PatternToken::Word));
                let Some(close) = rest[open..].find('}') else {
                    return Err(format!("`{text}`: a `{{` is not closed"));
                };
                let name = rest[open + 1..open + close].trim();
                let kind = SlotKind::from_name(name).ok_or_else(|| {
                    let allowed: Vec<String> = SlotKind::ALL
                        .iter()
                        .map(|k| format!("{{{}}}", k.name()))
                        .collect();
                    format!(
                        "`{text}`: unknown slot `{{{name}}}`; allowed: {}",
                        allowed.join(", ")
                    )
                })?;
                if tokens.contains(&PatternToken::Slot(kind)) {
                    return Err(format!("`{text}`: `{{{name}}}` appears twice"));
                }
                tokens.push(PatternToken::Slot(kind));
                rest = &rest[open + close + 1..];
            }
            None => {
                tokens.extend(normalize(rest).into_iter().map(PatternToken::Word));
                rest = "";
            }
        }
    }
    if tokens.is_empty() {
        return Err("a sentence can't be empty".to_string());
    }
    if tokens.len() > MAX_PATTERN_WORDS {
        return Err(format!(
            "`{text}`: at most {MAX_PATTERN_WORDS} words and slots are allowed"
        ));
    }
    if let Some(i) = tokens
        .iter()
        .position(|t| *t == PatternToken::Slot(SlotKind::Text))
    {
        if i + 1 != tokens.len() {
            return Err(format!(
                "`{text}`: `{{text}}` takes the rest of the sentence, so it must come last"
            ));
        }
    }
    Ok(Pattern {
        text: text.trim().to_string(),
        tokens,
    })
}
