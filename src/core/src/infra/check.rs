//! Check specs: what to probe (from the target's scheme), how often, and what counts as up.
//! Probing is roxyd's job; results become metrics (`check.<name>.up`, `.latency_ms`,
//! `.cert_days`) so history, uptime and alert rules work the same as for host metrics.

use crate::store::{Store, StoreError};
use sqlx::Row;
use std::time::Duration;

pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
pub const MAX_INTERVAL: Duration = Duration::from_secs(24 * 3600);
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);
/// At most this many checks, so a typo in a script cannot start a flood.
pub const MAX_CHECKS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Connect to `host:port`.
    Tcp { host: String, port: u16 },
    /// GET the URL; up when the status matches (any 2xx/3xx when `status` is 0) and the body
    /// contains `keyword` (when not empty).
    Http {
        url: String,
        status: u16,
        keyword: String,
    },
    /// Handshake with `host:port`; up while the certificate has more than 0 days left. The
    /// days left become `check.<name>.cert_days`.
    Tls { host: String, port: u16 },
    /// Resolve `name`; up when it resolves (to `expect`, when given).
    Dns { name: String, expect: String },
    /// One echo request through the system `ping`.
    Icmp { host: String },
}

impl Probe {
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Tcp { .. } => "tcp",
            Probe::Http { .. } => "http",
            Probe::Tls { .. } => "tls",
            Probe::Dns { .. } => "dns",
            Probe::Icmp { .. } => "icmp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    pub name: String,
    /// As typed: `https://example.org/health`, `tcp://nas:22`, `tls://nas:443`,
    /// `dns://nas.lan`, `icmp://192.168.1.1`.
    pub target: String,
    pub probe: Probe,
    pub interval: Duration,
    pub timeout: Duration,
    /// Days of certificate validity below which a TLS check shows as expiring in the panel
    /// and `roxyctl infra checks` (the default `certificate-expiring` alert rule uses its own
    /// threshold on `cert_days`, 14 days).
    pub warn_days: u32,
    pub enabled: bool,
}

/// What a person typed for one check, field by field.
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    pub name: String,
    pub target: String,
    pub interval_ms: u64,
    /// 0: the smaller of the interval and 10 s.
    pub timeout_ms: u64,
    pub keyword: String,
    /// 0: any 2xx or 3xx.
    pub status: u16,
    pub warn_days: u32,
    pub expect: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("check field `{field}`: {problem}")]
pub struct CheckError {
    pub field: &'static str,
    pub problem: String,
}

fn invalid(field: &'static str, problem: impl Into<String>) -> CheckError {
    CheckError {
        field,
        problem: problem.into(),
    }
}

impl CheckSpec {
    pub fn parse(input: &CheckInput) -> Result<Self, CheckError> {
        if !crate::runbook::is_secret_name(&input.name) {
            return Err(invalid(
                "name",
                format!(
                    "“{}” must be 1–64 letters, digits, “-”, “_” or “.”",
                    input.name
                ),
            ));
        }
        let probe = parse_target(input)?;
        let interval = Duration::from_millis(input.interval_ms);
        if interval < MIN_INTERVAL || interval > MAX_INTERVAL {
            return Err(invalid(
                "interval",
                format!("{} ms is outside 1 s – 24 h", input.interval_ms),
            ));
        }
        let timeout = if input.timeout_ms == 0 {
            interval.min(Duration::from_secs(10))
        } else {
            Duration::from_millis(input.timeout_ms)
        };
        if timeout < Duration::from_millis(100) || timeout > MAX_TIMEOUT {
            return Err(invalid(
                "timeout",
                format!("{} ms is outside 100 ms – 60 s", input.timeout_ms),
            ));
        }
        if input.warn_days > 3650 {
            return Err(invalid("warn_days", "must be at most 3650"));
        }
        Ok(Self {
            name: input.name.clone(),
            target: input.target.clone(),
            probe,
            interval,
            timeout,
            warn_days: if input.warn_days == 0 {
                14
            } else {
                input.warn_days
            },
            enabled: true,
        })
    }

    /// The fields as typed, for saving and showing.
    pub fn input(&self) -> CheckInput {
        let (keyword, status, expect) = match &self.probe {
            Probe::Http {
                keyword, status, ..
            } => (keyword.clone(), *status, String::new()),
            Probe::Dns { expect, .. } => (String::new(), 0, expect.clone()),
            _ => (String::new(), 0, String::new()),
        };
        CheckInput {
            name: self.name.clone(),
            target: self.target.clone(),
            interval_ms: self.interval.as_millis() as u64,
            timeout_ms: self.timeout.as_millis() as u64,
            keyword,
            status,
            warn_days: self.warn_days,
            expect,
        }
    }

    /// The metric names this check reports.
    pub fn metric(&self, what: &str) -> String {
        format!("check.{}.{what}", self.name)
    }
}

fn parse_target(input: &CheckInput) -> Result<Probe, CheckError> {
    let target = input.target.trim();
    let Some((scheme, rest)) = target.split_once("://") else {
        return Err(invalid(
            "target",
            format!("“{target}” needs a scheme: https://…, http://…, tcp://HOST:PORT, tls://HOST[:PORT], dns://NAME or icmp://HOST"),
        ));
    };
    let host_port = |default_port: Option<u16>| -> Result<(String, u16), CheckError> {
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            // An IPv6 address in brackets, with or without a port.
            Some((host, port)) if !host.is_empty() && !port.contains(']') => (host, Some(port)),
            _ => (rest, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', ' ', '@']) {
            return Err(invalid("target", format!("“{target}” has no usable host")));
        }
        let port = match (port, default_port) {
            (Some(p), _) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| invalid("target", format!("“{p}” is not a port (1–65535)")))?,
            (None, Some(p)) => p,
            (None, None) => {
                return Err(invalid(
                    "target",
                    format!("“{target}” needs a port, like tcp://nas:22"),
                ))
            }
        };
        Ok((host.to_owned(), port))
    };
    let plain_host = || -> Result<String, CheckError> {
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains(['/', ' ', '@', ':']) && !host.contains("::") {
            return Err(invalid("target", format!("“{target}” has no usable host")));
        }
        Ok(host.to_owned())
    };
    let probe = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => {
            if !crate::runbook::is_http_url(target) {
                return Err(invalid(
                    "target",
                    format!("“{target}” is not an http(s) URL with a host"),
                ));
            }
            if input.status != 0 && !(100..=599).contains(&input.status) {
                return Err(invalid(
                    "status",
                    format!("{} is not an HTTP status (100–599)", input.status),
                ));
            }
            Probe::Http {
                url: target.to_owned(),
                status: input.status,
                keyword: input.keyword.clone(),
            }
        }
        "tcp" => {
            let (host, port) = host_port(None)?;
            Probe::Tcp { host, port }
        }
        "tls" => {
            let (host, port) = host_port(Some(443))?;
            Probe::Tls { host, port }
        }
        "dns" => Probe::Dns {
            name: plain_host()?,
            expect: input.expect.trim().to_owned(),
        },
        "icmp" | "ping" => Probe::Icmp {
            host: plain_host()?,
        },
        other => {
            return Err(invalid(
                "target",
                format!("“{other}://” is not one of: http, https, tcp, tls, dns, icmp, ping"),
            ))
        }
    };
    if !input.keyword.is_empty() && !matches!(probe, Probe::Http { .. }) {
        return Err(invalid("keyword", "only HTTP(S) checks look for a keyword"));
    }
    if !input.expect.is_empty() && !matches!(probe, Probe::Dns { .. }) {
        return Err(invalid("expect", "only DNS checks expect an address"));
    }
    Ok(probe)
}

/// A change of a check between up and down.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckEvent {
    pub check: String,
    pub at_ms: i64,
    pub up: bool,
    pub message: String,
}

impl Store {
    pub async fn checks(&self) -> Result<Vec<CheckSpec>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, target, interval_ms, timeout_ms, keyword, status, warn_days, expect, enabled
             FROM checks ORDER BY name",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let input = CheckInput {
                    name: row.get("name"),
                    target: row.get("target"),
                    interval_ms: row.get::<i64, _>("interval_ms").max(0) as u64,
                    timeout_ms: row.get::<i64, _>("timeout_ms").max(0) as u64,
                    keyword: row.get("keyword"),
                    status: row.get::<i64, _>("status").clamp(0, 599) as u16,
                    warn_days: row.get::<i64, _>("warn_days").clamp(0, 3650) as u32,
                    expect: row.get("expect"),
                };
                // Rows are validated on the way in; one that no longer parses is skipped.
                let mut spec = CheckSpec::parse(&input).ok()?;
                spec.enabled = row.get::<i64, _>("enabled") != 0;
                Some(spec)
            })
            .collect())
    }

    /// Adds the check or replaces the one with its name.
    pub async fn save_check(&self, spec: &CheckSpec) -> Result<(), StoreError> {
        let input = spec.input();
        sqlx::query(
            "INSERT INTO checks (name, target, interval_ms, timeout_ms, keyword, status, warn_days, expect, enabled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (name) DO UPDATE SET target = ?2, interval_ms = ?3, timeout_ms = ?4,
                keyword = ?5, status = ?6, warn_days = ?7, expect = ?8, enabled = ?9",
        )
        .bind(&input.name)
        .bind(&input.target)
        .bind(input.interval_ms as i64)
        .bind(input.timeout_ms as i64)
        .bind(&input.keyword)
        .bind(i64::from(input.status))
        .bind(i64::from(input.warn_days))
        .bind(&input.expect)
        .bind(spec.enabled)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn remove_check(&self, name: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("DELETE FROM checks WHERE name = ?1")
            .bind(name)
            .execute(self.pool())
            .await?
            .rows_affected()
            > 0)
    }

    pub async fn record_check_events(&self, events: &[CheckEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for e in events {
            sqlx::query(
                "INSERT INTO check_events (check_name, at, up, message) VALUES (?1, ?2, ?3, ?4)",
            )
            .bind(&e.check)
            .bind(e.at_ms)
            .bind(e.up)
            .bind(&e.message)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest `limit` state changes of a check, newest first.
    pub async fn check_events(
        &self,
        check: &str,
        limit: u32,
    ) -> Result<Vec<CheckEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT check_name, at, up, message FROM check_events WHERE check_name = ?1
             ORDER BY at DESC, id DESC LIMIT ?2",
        )
        .bind(check)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| CheckEvent {
                check: r.get("check_name"),
                at_ms: r.get("at"),
                up: r.get::<i64, _>("up") != 0,
                message: r.get("message"),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(target: &str) -> CheckInput {
        CheckInput {
            name: "c".into(),
            target: target.into(),
            interval_ms: 1000,
            ..Default::default()
        }
    }

    #[test]
    fn the_scheme_picks_the_probe() {
        let probe = |t: &str| CheckSpec::parse(&input(t)).unwrap().probe;
        assert_eq!(
            probe("tcp://nas:22"),
            Probe::Tcp {
                host: "nas".into(),
                port: 22
            }
        );
        assert_eq!(
            probe("tls://example.org"),
            Probe::Tls {
                host: "example.org".into(),
                port: 443
            }
        );
        assert_eq!(
            probe("tcp://[::1]:8080"),
            Probe::Tcp {
                host: "::1".into(),
                port: 8080
            }
        );
        assert!(matches!(
            probe("https://example.org/health"),
            Probe::Http { status: 0, .. }
        ));
        assert_eq!(
            probe("dns://nas.lan"),
            Probe::Dns {
                name: "nas.lan".into(),
                expect: String::new()
            }
        );
        assert_eq!(
            probe("ping://10.0.0.1"),
            Probe::Icmp {
                host: "10.0.0.1".into()
            }
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let err = |i: CheckInput| CheckSpec::parse(&i).unwrap_err();
        assert_eq!(err(input("nas:22")).field, "target");
        assert!(err(input("tcp://nas")).problem.contains("needs a port"));
        assert!(err(input("tcp://nas:99999")).problem.contains("“99999”"));
        assert!(err(input("gopher://x")).problem.contains("“gopher://”"));
        let mut fast = input("tcp://nas:22");
        fast.interval_ms = 200;
        assert_eq!(err(fast).field, "interval");
        let mut keyword = input("tcp://nas:22");
        keyword.keyword = "ok".into();
        assert_eq!(err(keyword).field, "keyword");
        let mut status = input("http://nas/");
        status.status = 42;
        assert_eq!(err(status).field, "status");
        let mut name = input("tcp://nas:22");
        name.name = "a b".into();
        assert_eq!(err(name).field, "name");
    }

    #[test]
    fn the_timeout_defaults_to_the_interval_up_to_ten_seconds() {
        assert_eq!(
            CheckSpec::parse(&input("tcp://nas:22")).unwrap().timeout,
            Duration::from_secs(1)
        );
        let mut slow = input("tcp://nas:22");
        slow.interval_ms = 60_000;
        assert_eq!(
            CheckSpec::parse(&slow).unwrap().timeout,
            Duration::from_secs(10)
        );
    }

    #[tokio::test]
    async fn checks_round_trip_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let mut web = input("https://example.org/");
        web.name = "web".into();
        web.keyword = "ok".into();
        web.status = 200;
        let spec = CheckSpec::parse(&web).unwrap();
        store.save_check(&spec).await.unwrap();
        assert_eq!(store.checks().await.unwrap(), vec![spec.clone()]);
        store
            .record_check_events(&[CheckEvent {
                check: "web".into(),
                at_ms: 5,
                up: false,
                message: "refused".into(),
            }])
            .await
            .unwrap();
        assert_eq!(store.check_events("web", 10).await.unwrap().len(), 1);
        assert!(store.remove_check("web").await.unwrap());
        assert!(store.checks().await.unwrap().is_empty());
    }
}
