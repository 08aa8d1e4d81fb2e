//! Text or JSON output, and the one-line error contract.

use roxy_ipc::i18n::gettext;
use roxy_ipc::RoxyError;
use serde::Serialize;
use std::process::ExitCode;

/// Writes `text` and a newline to standard output.
pub fn line(text: &str) {
    write(&format!("{text}\n"));
}

/// Writes `text` to standard output. When the reader has gone (`roxyctl … | head -1`), roxyctl
/// ends quietly, as other command-line tools do, instead of panicking.
pub fn write(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or the text from `text` otherwise.
    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(s) => line(&s),
                Err(e) => eprintln!("roxyctl: {e}"),
            }
        } else {
            line(&text());
        }
    }

    /// One clear line on stderr (and a JSON object on stdout with `--json`); exit status 1.
    pub fn error(&self, e: &anyhow::Error) -> ExitCode {
        let (kind, message) = match e.downcast_ref::<RoxyError>() {
            Some(roxy) => (error_kind(roxy), roxy.human()),
            None => ("Failed", format!("{e:#}")),
        };
        if self.json {
            line(&serde_json::json!({ "error": { "kind": kind, "message": message } }).to_string());
        }
        eprintln!("roxyctl: {message}");
        ExitCode::FAILURE
    }
}

fn error_kind(e: &RoxyError) -> &'static str {
    match e {
        RoxyError::InvalidInput(_) => "InvalidInput",
        RoxyError::NotFound(_) => "NotFound",
        RoxyError::Unavailable(_) => "Unavailable",
        RoxyError::Denied(_) => "Denied",
        RoxyError::Failed(_) => "Failed",
        e if e.is_unreachable() => "Unreachable",
        RoxyError::ZBus(_) => "Bus",
    }
}

/// "3h 04m", "12m 30s", "42s".
pub fn duration(secs: u64) -> String {
    match secs {
        s if s >= 3600 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// "1.5 MiB" etc.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// "45 %" or "–" when unknown.
pub fn percent(progress: f64) -> String {
    if progress < 0.0 {
        "–".into()
    } else {
        format!("{:.0} %", progress * 100.0)
    }
}

/// "Running 45 % Check database integrity — jobs" with the given id column.
pub fn job_line(id: &str, job: &roxy_ipc::JobInfo) -> String {
    let mut line = format!(
        "{id} {:<11} {:>5}  {}",
        job.state.label(),
        percent(job.progress),
        job.title
    );
    if !job.message.is_empty() {
        line.push_str(" — ");
        line.push_str(&job.message);
    }
    line
}

/// Unix milliseconds as a UTC timestamp, or "–" for 0.
pub fn timestamp(ms: i64) -> String {
    if ms <= 0 {
        return "–".into();
    }
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms as u64);
    humantime::format_rfc3339_seconds(time).to_string()
}

pub fn no_jobs() -> String {
    gettext("No jobs yet.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(750), "12m 30s");
        assert_eq!(duration(3 * 3600 + 240), "3h 04m");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(percent(-1.0), "–");
        assert_eq!(percent(0.456), "46 %");
    }
}
