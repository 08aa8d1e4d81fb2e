//! A problem in a runbook file, at the place it was found.

pub type RunbookError = crate::placed::PlacedError;
