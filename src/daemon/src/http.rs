//! The one way roxyd makes HTTP clients: a global time limit, and statuses returned to the
//! caller instead of turned into errors (each caller decides what an answer means).

use std::time::Duration;

pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}
