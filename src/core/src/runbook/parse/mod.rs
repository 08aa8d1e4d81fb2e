//! From YAML text to a validated [`Runbook`], collecting every problem with its place.

use super::{
    Action, Command, Condition, Expected, HttpCheck, OnFailure, Runbook, RunbookError, Step,
    WaitTarget, Weight,
};
use marked_yaml::types::{MarkedMappingNode, Node, Span};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

mod triggers;

#[cfg(test)]
pub(in crate::runbook) use triggers::TRIGGER_KEYS;

/// Runbook files larger than this are refused unread.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
const MAX_STEPS: usize = 500;
const MAX_RETRIES: u64 = 100;

pub(super) const RUNBOOK_KEYS: &[&str] = &[
    "name",
    "description",
    "tags",
    "confirm",
    "weight",
    "env",
    "vars",
    "steps",
    "triggers",
    "secrets",
];

pub(super) const STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "run",
    "approval",
    "http",
    "wait_for",
    "timeout",
    "retries",
    "backoff",
    "when",
    "on_failure",
    "rollback",
    "env",
    "secrets",
    "cwd",
    "verify",
    "expected",
];
const ACTION_KEYS: &[&str] = &["run", "approval", "http", "wait_for"];
pub(super) const HTTP_KEYS: &[&str] = &["method", "url", "status", "body"];
pub(super) const WAIT_KEYS: &[&str] = &["tcp", "http"];
pub(super) const EXPECTED_KEYS: &[&str] = &["exit_code", "text", "regex"];
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);

/// Parses and validates one runbook. `path` names the file in messages and gives the id.
pub fn parse(path: &Path, text: &str) -> Result<Runbook, Vec<RunbookError>> {
    let mut ctx = Ctx {
        file: path.to_owned(),
        errors: Vec::new(),
    };
    let root = match crate::placed::load_yaml(
        path,
        text,
        MAX_FILE_BYTES,
        "runbooks",
        "a runbook is a mapping with `steps:` and optional `name:`, `description:`, …",
    ) {
        Ok(node) => node,
        Err(e) => return Err(vec![e]),
    };
    let runbook = ctx.runbook(path, &root);
    match runbook {
        Some(r) if ctx.errors.is_empty() => Ok(r),
        _ => {
            ctx.errors.sort_by_key(|e| (e.line, e.column));
            Err(ctx.errors)
        }
    }
}

struct Ctx {
    file: PathBuf,
    errors: Vec<RunbookError>,
}

impl Ctx {
    fn at(&mut self, span: &Span, message: String) {
        let (line, column) = span
            .start()
            .map(|m| (m.line(), m.column()))
            .unwrap_or((0, 0));
        self.errors.push(RunbookError {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n MarkedMappingNode> {
        match node {
            Node::Mapping(m) => Some(m),
            other => {
                self.at(
                    other.span(),
                    format!(
                        "{what} must be a mapping (`key: value` lines), not {}",
                        kind(other)
                    ),
                );
                None
            }
        }
    }

    fn check_keys(&mut self, map: &MarkedMappingNode, allowed: &[&str], what: &str) {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = suggestion(key.as_str(), allowed)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                self.at(
                    key.span(),
                    format!(
                        "unknown key `{}` in {what}{hint}; allowed: {}",
                        key.as_str(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match node {
            Node::Scalar(s) => Some(s.as_str().to_owned()),
            other => {
                self.at(
                    other.span(),
                    format!("{what} must be text, not {}", kind(other)),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        let text = self.text(node, what)?;
        match text.as_str() {
            "true" | "yes" | "on" => Some(true),
            "false" | "no" | "off" => Some(false),
            other => {
                self.at(
                    node.span(),
                    format!("{what} must be true or false, not `{other}`"),
                );
                None
            }
        }
    }

    fn number(&mut self, node: &Node, what: &str, max: u64) -> Option<u64> {
        let text = self.text(node, what)?;
        match text.parse::<u64>() {
            Ok(n) if n <= max => Some(n),
            _ => {
                self.at(
                    node.span(),
                    format!("{what} must be a whole number from 0 to {max}, not `{text}`"),
                );
                None
            }
        }
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.text(node, what)?;
        match humantime::parse_duration(&text) {
            Ok(d) if d > Duration::ZERO && d <= Duration::from_secs(7 * 24 * 3600) => Some(d),
            Ok(_) => {
                self.at(
                    node.span(),
                    format!("{what} must be more than zero and at most 7 days, not `{text}`"),
                );
                None
            }
            Err(_) => {
                self.at(node.span(), format!("`{text}` is not a duration for {what}; write it like 500ms, 30s, 5m or 1h30m"));
                None
            }
        }
    }

    fn text_list(&mut self, node: &Node, what: &str) -> Vec<String> {
        match node {
            Node::Sequence(items) => items.iter().filter_map(|i| self.text(i, what)).collect(),
            other => {
                self.at(
                    other.span(),
                    format!(
                        "{what} must be a list (`[a, b]` or `- a` lines), not {}",
                        kind(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn text_map(&mut self, node: &Node, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(map) = self.mapping(node, what) else {
            return out;
        };
        for (key, value) in map.iter() {
            let name = key.as_str();
            if !is_name(name) {
                self.at(key.span(), format!("`{name}` is not a valid name in {what}: use letters, digits and `_`, not starting with a digit"));
                continue;
            }
            if let Some(v) = self.text(value, &format!("{what}.{name}")) {
                out.insert(name.to_owned(), v);
            }
        }
        out
    }

    fn command(&mut self, node: &Node, what: &str) -> Option<Command> {
        match node {
            Node::Scalar(s) if !s.as_str().trim().is_empty() => {
                Some(Command::Shell(s.as_str().to_owned()))
            }
            Node::Sequence(items) if !items.is_empty() => {
                let argv: Vec<String> = items
                    .iter()
                    .filter_map(|i| self.text(i, &format!("an argument of {what}")))
                    .collect();
                (argv.len() == items.len()).then_some(Command::Argv(argv))
            }
            other => {
                self.at(
                    other.span(),
                    format!("{what} must be a shell command line or a non-empty list of arguments"),
                );
                None
            }
        }
    }

    fn runbook(&mut self, path: &Path, root: &Node) -> Option<Runbook> {
        let map = self.mapping(root, "a runbook")?;
        self.check_keys(map, RUNBOOK_KEYS, "a runbook");
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = map
            .get_node("name")
            .and_then(|n| self.text(n, "`name`"))
            .unwrap_or_else(|| id.clone());
        let description = map
            .get_node("description")
            .and_then(|n| self.text(n, "`description`"))
            .unwrap_or_default();
        let tags = map
            .get_node("tags")
            .map(|n| self.text_list(n, "`tags`"))
            .unwrap_or_default();
        let confirm = map
            .get_node("confirm")
            .and_then(|n| self.boolean(n, "`confirm`"))
            .unwrap_or(false);
        let weight = match map.get_node("weight") {
            None => Weight::Light,
            Some(n) => match self.text(n, "`weight`").as_deref() {
                Some("light") | None => Weight::Light,
                Some("heavy") => Weight::Heavy,
                Some(other) => {
                    self.at(
                        n.span(),
                        format!("`weight` is light or heavy, not `{other}`"),
                    );
                    Weight::Light
                }
            },
        };
        let env = map
            .get_node("env")
            .map(|n| self.text_map(n, "`env`"))
            .unwrap_or_default();
        let mut vars = map
            .get_node("vars")
            .map(|n| self.text_map(n, "`vars`"))
            .unwrap_or_default();
        let secrets = map
            .get_node("secrets")
            .map(|n| self.secret_map(n))
            .unwrap_or_default();
        let triggers = map
            .get_node("triggers")
            .map(|n| self.triggers(n))
            .unwrap_or_default();
        for trigger in &triggers {
            // The variable exists for manual runs too, empty unless given.
            vars.entry(trigger.var.clone()).or_default();
        }
        let steps = match map.get_node("steps") {
            None => {
                self.at(
                    &map_start(map),
                    "a runbook needs `steps:`, a list of steps".into(),
                );
                Vec::new()
            }
            Some(Node::Sequence(items)) => {
                if items.is_empty() {
                    self.at(
                        items.span(),
                        "`steps` is empty; a runbook needs at least one step".into(),
                    );
                }
                if items.len() > MAX_STEPS {
                    self.at(
                        items.span(),
                        format!(
                            "{} steps; a runbook may have at most {MAX_STEPS}",
                            items.len()
                        ),
                    );
                }
                let mut steps = Vec::new();
                for (index, item) in items.iter().enumerate().take(MAX_STEPS) {
                    if let Some(step) = self.step(index, item, &steps, &vars) {
                        steps.push(step);
                    }
                }
                steps
            }
            Some(other) => {
                self.at(
                    other.span(),
                    format!(
                        "`steps` must be a list of steps (`- run: …`), not {}",
                        kind(other)
                    ),
                );
                Vec::new()
            }
        };
        Some(Runbook {
            id,
            path: path.to_owned(),
            name,
            description,
            tags,
            confirm,
            weight,
            env,
            vars,
            secrets,
            steps,
            triggers,
        })
    }

    fn step(
        &mut self,
        index: usize,
        node: &Node,
        earlier: &[Step],
        vars: &BTreeMap<String, String>,
    ) -> Option<Step> {
        let what = format!("step {}", index + 1);
        let map = self.mapping(node, &what)?;
        self.check_keys(map, STEP_KEYS, &what);

        let id = match map.get_node("id") {
            Some(n) => {
                let id = self.text(n, "`id`")?;
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    self.at(
                        n.span(),
                        format!("step id `{id}` may contain only letters, digits, `-` and `_`"),
                    );
                    return None;
                }
                if earlier.iter().any(|s| s.id == id) {
                    self.at(
                        n.span(),
                        format!("step id `{id}` is used twice; ids must be unique"),
                    );
                }
                id
            }
            None => format!("step-{}", index + 1),
        };

        let present: Vec<&str> = ACTION_KEYS
            .iter()
            .copied()
            .filter(|k| map.get_node(k).is_some())
            .collect();
        let action = match present.as_slice() {
            [] => {
                self.at(
                    &map_start(map),
                    format!(
                        "{what} does nothing: give it one of {}",
                        ACTION_KEYS.join(", ")
                    ),
                );
                None
            }
            [one] => self.action(one, map.get_node(one).unwrap()),
            several => {
                let second = map.get_node(several[1]).unwrap();
                self.at(
                    second.span(),
                    format!(
                        "{what} has both `{}` and `{}`; a step does one thing",
                        several[0], several[1]
                    ),
                );
                None
            }
        };

        let name = map
            .get_node("name")
            .and_then(|n| self.text(n, "`name`"))
            .or_else(|| match &action {
                Some(Action::Run(c)) => Some(c.display()),
                Some(Action::Approval { prompt }) => Some(prompt.clone()),
                _ => None,
            })
            .unwrap_or_else(|| id.clone());
        let timeout = map
            .get_node("timeout")
            .and_then(|n| self.duration(n, "`timeout`"))
            .unwrap_or(DEFAULT_TIMEOUT);
        let retries = map
            .get_node("retries")
            .and_then(|n| self.number(n, "`retries`", MAX_RETRIES))
            .unwrap_or(0) as u32;
        let backoff = map
            .get_node("backoff")
            .and_then(|n| self.duration(n, "`backoff`"))
            .unwrap_or(DEFAULT_BACKOFF);
        let on_failure = match map.get_node("on_failure") {
            None => OnFailure::Abort,
            Some(n) => match self.text(n, "`on_failure`").as_deref() {
                Some("abort") | None => OnFailure::Abort,
                Some("continue") => OnFailure::Continue,
                Some("rollback") => OnFailure::Rollback,
                Some(other) => {
                    self.at(
                        n.span(),
                        format!("`on_failure` is abort, continue or rollback, not `{other}`"),
                    );
                    OnFailure::Abort
                }
            },
        };
        let rollback = map
            .get_node("rollback")
            .and_then(|n| self.command(n, "`rollback`"));
        let verify = map
            .get_node("verify")
            .and_then(|n| self.command(n, "`verify`"));
        let expected = map
            .get_node("expected")
            .and_then(|n| self.expected(n))
            .unwrap_or(Expected::ExitCode(0));
        let env = map
            .get_node("env")
            .map(|n| self.text_map(n, "`env`"))
            .unwrap_or_default();
        let secrets = map
            .get_node("secrets")
            .map(|n| self.secret_map(n))
            .unwrap_or_default();
        let cwd = map.get_node("cwd").and_then(|n| {
            let dir = self.text(n, "`cwd`")?;
            if !Path::new(&dir).is_absolute() && !dir.starts_with("~/") {
                self.at(
                    n.span(),
                    format!("`cwd` must be an absolute path or start with ~/, not `{dir}`"),
                );
                return None;
            }
            Some(PathBuf::from(dir))
        });
        let when = map
            .get_node("when")
            .and_then(|n| self.condition(n, &id, earlier, vars));

        Some(Step {
            id,
            name,
            action: action?,
            timeout,
            retries,
            backoff,
            when,
            on_failure,
            rollback,
            env,
            secrets,
            cwd,
            verify,
            expected,
        })
    }

    fn action(&mut self, key: &str, node: &Node) -> Option<Action> {
        match key {
            "run" => self.command(node, "`run`").map(Action::Run),
            "approval" => {
                let prompt = self.text(node, "`approval`")?;
                if prompt.trim().is_empty() {
                    self.at(
                        node.span(),
                        "`approval` needs a question to show the approver".into(),
                    );
                    return None;
                }
                Some(Action::Approval { prompt })
            }
            "http" => {
                let map = self.mapping(node, "`http`")?;
                self.check_keys(map, HTTP_KEYS, "`http`");
                let Some(url_node) = map.get_node("url") else {
                    self.at(&map_start(map), "`http` needs `url:`".into());
                    return None;
                };
                let url = self.url(url_node, "`http.url`")?;
                let method = map
                    .get_node("method")
                    .and_then(|n| self.text(n, "`http.method`"))
                    .unwrap_or_else(|| "GET".into())
                    .to_uppercase();
                if !METHODS.contains(&method.as_str()) {
                    self.at(
                        map.get_node("method").unwrap().span(),
                        format!(
                            "`{method}` is not an HTTP method; use one of {}",
                            METHODS.join(", ")
                        ),
                    );
                    return None;
                }
                let status = match map.get_node("status") {
                    None => 200,
                    Some(n) => {
                        let s = self.number(n, "`http.status`", 599)?;
                        if s < 100 {
                            self.at(
                                n.span(),
                                format!("`http.status` must be 100 to 599, not {s}"),
                            );
                            return None;
                        }
                        s as u16
                    }
                };
                let body = map
                    .get_node("body")
                    .and_then(|n| self.text(n, "`http.body`"));
                Some(Action::Http(HttpCheck {
                    method,
                    url,
                    status,
                    body,
                }))
            }
            "wait_for" => {
                let map = self.mapping(node, "`wait_for`")?;
                self.check_keys(map, WAIT_KEYS, "`wait_for`");
                match (map.get_node("tcp"), map.get_node("http")) {
                    (Some(n), None) => {
                        let target = self.text(n, "`wait_for.tcp`")?;
                        let valid = target.rsplit_once(':').is_some_and(|(host, port)| {
                            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
                        });
                        if !valid {
                            self.at(n.span(), format!("`wait_for.tcp` is host:port, like 127.0.0.1:5432, not `{target}`"));
                            return None;
                        }
                        Some(Action::WaitFor(WaitTarget::Tcp(target)))
                    }
                    (None, Some(n)) => self
                        .url(n, "`wait_for.http`")
                        .map(|u| Action::WaitFor(WaitTarget::Http(u))),
                    _ => {
                        self.at(
                            &map_start(map),
                            "`wait_for` takes exactly one of `tcp:` or `http:`".into(),
                        );
                        None
                    }
                }
            }
            _ => None,
        }
    }

    fn url(&mut self, node: &Node, what: &str) -> Option<String> {
        let url = self.text(node, what)?;
        if !super::is_http_url(&url) {
            self.at(
                node.span(),
                format!("{what} must start with http:// or https://, not `{url}`"),
            );
            return None;
        }
        Some(url)
    }

    fn expected(&mut self, node: &Node) -> Option<Expected> {
        match node {
            Node::Scalar(s) => Some(Expected::Text(s.as_str().to_owned())),
            Node::Mapping(map) => {
                self.check_keys(map, EXPECTED_KEYS, "`expected`");
                if map.len() != 1 {
                    self.at(
                        &map_start(map),
                        "`expected` takes exactly one of exit_code, text or regex".into(),
                    );
                    return None;
                }
                let (key, value) = map.iter().next()?;
                match key.as_str() {
                    "exit_code" => {
                        let text = self.text(value, "`expected.exit_code`")?;
                        match text.parse::<i32>() {
                            Ok(code) if (0..=255).contains(&code) => Some(Expected::ExitCode(code)),
                            _ => {
                                self.at(
                                    value.span(),
                                    format!("`expected.exit_code` must be 0 to 255, not `{text}`"),
                                );
                                None
                            }
                        }
                    }
                    "text" => self.text(value, "`expected.text`").map(Expected::Text),
                    "regex" => {
                        let pattern = self.text(value, "`expected.regex`")?;
                        match regex::RegexBuilder::new(&pattern)
                            .size_limit(1 << 20)
                            .build()
                        {
                            Ok(re) => Some(Expected::Regex(re)),
                            Err(e) => {
                                self.at(
                                    value.span(),
                                    format!(
                                        "`expected.regex` is not a valid regular expression: {e}"
                                    ),
                                );
                                None
                            }
                        }
                    }
                    _ => None,
                }
            }
            other => {
                self.at(
                    other.span(),
                    "`expected` is text (exact output), or a mapping with exit_code, text or regex"
                        .into(),
                );
                None
            }
        }
    }

    fn condition(
        &mut self,
        node: &Node,
        own_id: &str,
        earlier: &[Step],
        vars: &BTreeMap<String, String>,
    ) -> Option<Condition> {
        let source = self.text(node, "`when`")?;
        let condition = match Condition::parse(&source) {
            Ok(c) => c,
            Err((offset, message)) => {
                let mut span = *node.span();
                if let Some(start) = span.start_mut() {
                    // Plain one-line scalars start where the text starts.
                    start.set_column(start.column() + source[..offset].chars().count());
                }
                self.at(&span, format!("in `when`: {message}"));
                return None;
            }
        };
        let known: HashSet<&str> = earlier.iter().map(|s| s.id.as_str()).collect();
        let mut ok = true;
        for id in condition.step_refs() {
            if id == own_id {
                self.at(node.span(), format!("`when` of step `{id}` refers to the step itself; a condition can only look at steps before it"));
                ok = false;
            } else if !known.contains(id.as_str()) {
                let before: Vec<&str> = earlier.iter().map(|s| s.id.as_str()).collect();
                self.at(
                    node.span(),
                    format!(
                        "`when` refers to step `{id}`, which is not an earlier step (later steps would make a cycle); steps before this one: {}",
                        if before.is_empty() { "none".to_string() } else { before.join(", ") }
                    ),
                );
                ok = false;
            }
        }
        for name in condition.var_refs() {
            if !vars.contains_key(&name) {
                self.at(
                    node.span(),
                    format!("`when` uses vars.{name}, which is not declared under `vars:`"),
                );
                ok = false;
            }
        }
        ok.then_some(condition)
    }
}

/// Where to point for a problem with a mapping as a whole: its first key (the mapping's own
/// marker sits after that key for block mappings).
fn map_start(map: &MarkedMappingNode) -> Span {
    map.keys().next().map(|k| *k.span()).unwrap_or(*map.span())
}

fn kind(node: &Node) -> &'static str {
    match node {
        Node::Scalar(_) => "text",
        Node::Mapping(_) => "a mapping",
        Node::Sequence(_) => "a list",
    }
}

/// The allowed word closest to a typo, if it is close enough to be a likely intent.
fn suggestion<'a>(typo: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(typo, a), *a))
        .filter(|(d, a)| *d <= 2 && *d < a.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
