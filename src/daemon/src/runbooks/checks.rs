//! `http` and `wait_for` steps.

use roxy_core::runbook::{HttpCheck, WaitTarget};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Largest response body read for a check.
const MAX_BODY: u64 = 1024 * 1024;
const WAIT_INTERVAL: Duration = Duration::from_millis(250);

/// One request; Ok with a line for the log, or Err with why the check failed.
pub async fn http(check: &HttpCheck, timeout: Duration) -> Result<String, String> {
    let check = check.clone();
    tokio::task::spawn_blocking(move || {
        let request = ureq::http::Request::builder()
            .method(check.method.as_str())
            .uri(&check.url)
            .body(())
            .map_err(|e| format!("bad request for {}: {e}", check.url))?;
        let mut response = crate::http::agent(timeout)
            .run(request)
            .map_err(|e| format!("{} {}: {e}", check.method, check.url))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .unwrap_or_default();
        if status != check.status {
            return Err(format!(
                "{} {} answered {status}, expected {}",
                check.method, check.url, check.status
            ));
        }
        if let Some(needle) = &check.body {
            if !body.contains(needle.as_str()) {
                return Err(format!(
                    "the response of {} does not contain “{needle}”",
                    check.url
                ));
            }
        }
        Ok(format!("{} {} → {status}", check.method, check.url))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Waits until the target answers, the timeout passes or the job is cancelled.
pub async fn wait_for(
    target: &WaitTarget,
    timeout: Duration,
    cancel: &AtomicBool,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let up = match target {
            WaitTarget::Tcp(address) => tokio::time::timeout(
                WAIT_INTERVAL,
                tokio::net::TcpStream::connect(address.as_str()),
            )
            .await
            .is_ok_and(|r| r.is_ok()),
            WaitTarget::Http(url) => {
                let check = HttpCheck {
                    method: "GET".into(),
                    url: url.clone(),
                    status: 200,
                    body: None,
                };
                http(&check, WAIT_INTERVAL * 4).await.is_ok()
            }
        };
        let what = match target {
            WaitTarget::Tcp(a) => a.clone(),
            WaitTarget::Http(u) => u.clone(),
        };
        if up {
            return Ok(format!("{what} is up (after {attempts} attempts)"));
        }
        if cancel.load(Ordering::SeqCst) {
            return Err("cancelled".into());
        }
        if Instant::now() + WAIT_INTERVAL >= deadline {
            return Err(format!(
                "{what} did not come up within {}",
                humantime_short(timeout)
            ));
        }
        tokio::time::sleep(WAIT_INTERVAL).await;
    }
}

/// `250 ms`, `30 s`, `1 min 35 s`.
pub fn humantime_short(d: Duration) -> String {
    let secs = d.as_secs();
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else if secs < 60 {
        format!("{secs} s")
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    }
}
