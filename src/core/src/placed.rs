//! A problem in a user-edited file, at the place it was found: what runbooks and the voice
//! intents file report, as `file:line:col: message`.

use std::path::PathBuf;

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
