//! The Roxy Command Center GUI. It talks only to roxyd over D-Bus, never to the database.
//!
//! A library as well as a binary so component tests can build the real window.

pub mod about;
pub mod application;
pub mod banner;
pub mod chart;
pub mod config;
pub mod confirm;
pub mod connection;
pub mod form_dialog;
pub mod jobs;
pub mod panel;
pub mod panels;
pub mod preferences;
pub mod screenshot;
pub mod settings;

pub use application::{App, AppInit};
