//! The homelab: containers through the Docker Engine API (Docker or Podman), with
//! self-healing.

pub mod containers;
mod engine;
mod healing;
mod logs;

pub use containers::Containers;
