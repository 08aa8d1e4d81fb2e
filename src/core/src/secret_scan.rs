//! Finding plaintext credentials in files: known key formats, private keys, and
//! high-entropy values assigned to names such as `password` or `api_key`.
//!
//! A finding keeps the byte range of the value in its line, so the daemon can move exactly that
//! value into the secret store; what people see is only the masked form.

use regex::Regex;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Files larger than this are skipped (logs, databases, media).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Folders that hold tools' data rather than documents.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", ".cache", "__pycache__"];
/// A value assigned to a secret-looking name counts when it looks random at least this much
/// (Shannon entropy in bits per character).
const MIN_ENTROPY: f64 = 3.0;
const MIN_ASSIGNED_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub kind: &'static str,
    /// The value with all but a hint hidden.
    pub masked: String,
    /// Where the value is in its line (bytes).
    pub range: Range<usize>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} {}",
            self.file.display(),
            self.line,
            self.column,
            self.kind,
            self.masked
        )
    }
}

struct Pattern {
    kind: &'static str,
    regex: Regex,
}

fn patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            ("private key", r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
            ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
            ("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{60,}\b"),
            ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
            ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
            ("Stripe key", r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"),
            ("API key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}"),
        ]
        .into_iter()
        .map(|(kind, re)| Pattern {
            kind,
            regex: Regex::new(re).expect("built-in pattern"),
        })
        .collect()
    })
}

/// `name = value`, `name: value`, `"name": "value"` where the name says "secret".
fn assignment() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)["']?[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|credential)[A-Za-z0-9_.-]*["']?\s*[:=]\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s,;#"']+))"#,
        )
        .expect("built-in pattern")
    })
}

/// Bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0.0_f64;
    for c in text.chars() {
        *counts.entry(c).or_insert(0.0_f64) += 1.0;
        total += 1.0;
    }
    counts
        .values()
        .map(|n| {
            let p = n / total;
            -p * p.log2()
        })
        .sum()
}

/// Values that only stand for a secret: references, templates, examples.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_lowercase();
    value.starts_with('$')
        || value.starts_with('<')
        || value.starts_with('{')
        || value.starts_with('%')
        || lower.contains("example")
        || lower.contains("changeme")
        || lower.contains("placeholder")
        || lower.contains("your_")
        || lower.contains("your-")
        || value
            .chars()
            .all(|c| c == value.chars().next().unwrap_or('x'))
        || value.contains("••")
        || value.contains('(')
}

/// `value` with only a hint left: the first four characters of long values.
pub fn mask(value: &str) -> String {
    let count = value.chars().count();
    let shown = if count >= 16 { 4 } else { 0 };
    let head: String = value.chars().take(shown).collect();
    format!("{head}{} ({count} characters)", "•".repeat(6))
}

/// Every credential in `text`, which was read from `file`.
pub fn scan_text(file: &Path, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut taken: Vec<Range<usize>> = Vec::new();
        let mut add = |kind: &'static str, range: Range<usize>, findings: &mut Vec<Finding>| {
            if taken
                .iter()
                .any(|t| t.start < range.end && range.start < t.end)
            {
                return;
            }
            taken.push(range.clone());
            findings.push(Finding {
                file: file.to_owned(),
                line: index + 1,
                column: line[..range.start].chars().count() + 1,
                kind,
                masked: mask(&line[range.clone()]),
                range,
            });
        };
        for pattern in patterns() {
            for m in pattern.regex.find_iter(line) {
                add(pattern.kind, m.range(), &mut findings);
            }
        }
        for caps in assignment().captures_iter(line) {
            let Some(value) = caps.get(1).or(caps.get(2)).or(caps.get(3)) else {
                continue;
            };
            let text = value.as_str();
            if text.len() >= MIN_ASSIGNED_LEN
                && !is_placeholder(text)
                && entropy(text) >= MIN_ENTROPY
            {
                add("password or token", value.range(), &mut findings);
            }
        }
    }
    findings
}

/// Files under `root` worth reading: not in tool folders, not huge, not symlinks.
pub fn files_to_scan(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                let name = entry.file_name();
                if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                    pending.push(path);
                }
            } else if kind.is_file() && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE_BYTES) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text of `path`, or `None` for binary files.
pub fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Built from parts so no credential-shaped text sits in the source tree.
    fn github() -> String {
        format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")
    }

    fn kinds(text: &str) -> Vec<(usize, &'static str)> {
        scan_text(Path::new("f"), text)
            .into_iter()
            .map(|f| (f.line, f.kind))
            .collect()
    }

    #[test]
    fn known_formats_and_private_keys_are_found() {
        let aws = format!("AKIA{}", "Q4X7ZP2M9K3J8H5B");
        let text = format!(
            "token: {}\nkey_id = {aws}\n-----BEGIN OPENSSH {}-----\n",
            github(),
            "PRIVATE KEY"
        );
        assert_eq!(
            kinds(&text),
            [
                (1, "GitHub token"),
                (2, "AWS access key"),
                (3, "private key")
            ]
        );
    }

    #[test]
    fn random_values_of_secret_names_are_found_with_their_place() {
        let text =
            "{\n  \"client_secret\": \"Zq8vN3kP0wL5tR2y\",\n  \"user\": \"Zq8vN3kP0wL5tR2y\"\n}\n";
        let findings = scan_text(Path::new("c.json"), text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!((f.line, f.column), (2, 21));
        assert_eq!(
            &text.lines().nth(1).unwrap()[f.range.clone()],
            "Zq8vN3kP0wL5tR2y"
        );
        assert_eq!(f.masked, "Zq8v•••••• (16 characters)");
        assert_eq!(
            f.to_string(),
            "c.json:2:21: password or token Zq8v•••••• (16 characters)"
        );
    }

    #[test]
    fn clean_text_and_placeholders_are_not_findings() {
        let text = "password: changeme\ntoken = ${NTFY_TOKEN}\napi_key: <your key>\n\
                    secret = get_secret(name)\npassword = aaaaaaaaaaaa\nshort_token: abc\n\
                    The password policy says: use a manager.\n";
        assert_eq!(kinds(text), []);
    }

    #[test]
    fn entropy_separates_words_from_noise() {
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("Zq8vN3kP0wL5tR2y") > 3.5);
    }
}
