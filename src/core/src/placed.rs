//! A problem in a user-edited file, at the place it was found: what runbooks and the voice
//! intents file report, as `file:line:col: message`. Also how those YAML files are loaded,
//! so both refuse the same things in the same words.

use marked_yaml::loader::LoaderOptions;
use marked_yaml::types::Node;
use marked_yaml::LoadError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for PlacedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for PlacedError {}

impl PlacedError {
    /// A problem with the file as a whole (no line).
    pub fn whole(file: &Path, message: String) -> Self {
        Self {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message,
        }
    }
}

/// Loads a user-edited YAML file into nodes that remember their places. Refuses files over
/// `max_bytes` (naming `plural`, e.g. "runbooks") and duplicate keys; `top_level` says what the
/// file should be when it is not a mapping.
pub fn load_yaml(
    file: &Path,
    text: &str,
    max_bytes: usize,
    plural: &str,
    top_level: &str,
) -> Result<Node, PlacedError> {
    if text.len() > max_bytes {
        return Err(PlacedError::whole(
            file,
            format!(
                "the file has {} bytes; {plural} may have at most {max_bytes}",
                text.len()
            ),
        ));
    }
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| {
        let full = e.to_string();
        let (marker, message) = match &e {
            LoadError::TopLevelMustBeMapping(m) => (Some(*m), top_level.to_string()),
            LoadError::DuplicateKey(inner) => (
                inner.key.span().start().copied(),
                format!(
                    "`{}` appears twice in this mapping (first at line {})",
                    inner.key.as_str(),
                    inner.prev_key.span().start().map(|m| m.line()).unwrap_or(0)
                ),
            ),
            LoadError::ScanError(m, _) => (
                Some(*m),
                format!("YAML syntax error: {}", strip_marker(&full)),
            ),
            LoadError::UnexpectedAnchor(m)
            | LoadError::MappingKeyMustBeScalar(m)
            | LoadError::UnexpectedTag(m)
            | LoadError::TopLevelMustBeSequence(m) => (Some(*m), strip_marker(&full)),
        };
        let (line, column) = marker.map(|m| (m.line(), m.column())).unwrap_or((0, 0));
        PlacedError {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// marked-yaml's messages start with the place, which `PlacedError` shows already.
fn strip_marker(text: &str) -> String {
    text.split_once(": ")
        .map(|(_, rest)| rest)
        .unwrap_or(text)
        .to_owned()
}
