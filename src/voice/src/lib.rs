//! Roxy voice audio path.
