//! The homelab: containers through the Docker Engine API (Docker or Podman), with
//! self-healing, systemd units, and checks of hosts and services (TCP, HTTP, TLS, DNS, ICMP).

pub mod checks;
pub mod containers;
mod engine;
mod healing;
mod logs;
mod probes;
mod tracked;
mod units;

pub use checks::Checks;
pub use containers::Containers;
pub use units::Units;
