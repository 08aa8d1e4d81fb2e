//! The homelab side: self-healing of containers and the host checks (TCP, HTTP, TLS, DNS,
//! ICMP) with their specs, results and uptime.

pub mod check;
pub mod heal;
