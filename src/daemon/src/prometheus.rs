//! Optional Prometheus text exposition of every current value on a loopback port (off by
//! default): `GET /metrics`. Names follow Prometheus' rules, with labels for the parts that
//! vary (`roxy_check_up{check="web"}`).

use crate::alerting::AlertManager;
use roxy_core::Store;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, Weak};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The setting holding the port; absent or 0 means off.
pub const PORT_SETTING: &str = "metrics.prometheus_port";

pub struct Exporter {
    alerts: Weak<AlertManager>,
    store: Store,
    server: Mutex<Option<(u16, tokio::task::AbortHandle)>>,
}

impl Exporter {
    pub async fn start(alerts: &Arc<AlertManager>, store: Store) -> Arc<Self> {
        let exporter = Arc::new(Self {
            alerts: Arc::downgrade(alerts),
            store,
            server: Mutex::default(),
        });
        let port = exporter
            .store
            .setting(PORT_SETTING)
            .await
            .ok()
            .flatten()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if let Err(e) = exporter.listen(port).await {
            tracing::warn!("Prometheus exposition stays off: {e}");
        }
        exporter
    }

    pub fn port(&self) -> u16 {
        self.server.lock().unwrap().as_ref().map_or(0, |(p, _)| *p)
    }

    /// Serves on `127.0.0.1:port` (0: stop) and remembers the choice.
    pub async fn set_port(&self, port: u16) -> Result<(), String> {
        self.listen(port).await?;
        self.store
            .set_setting(PORT_SETTING, &port.to_string())
            .await
            .map_err(|e| e.to_string())
    }

    async fn listen(&self, port: u16) -> Result<(), String> {
        if port != 0 && self.port() == port {
            return Ok(());
        }
        if port == 0 {
            if let Some((_, task)) = self.server.lock().unwrap().take() {
                task.abort();
            }
            return Ok(());
        }
        // Bound first: a port that is taken leaves the running exposition as it was.
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
        if let Some((_, task)) = self.server.lock().unwrap().take() {
            task.abort();
        }
        tracing::info!(port, "Prometheus exposition on loopback");
        let alerts = self.alerts.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let alerts = alerts.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 1024];
                    let n = stream.read(&mut request).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&request[..n]);
                    let response = if head.starts_with("GET /metrics") {
                        let body = alerts
                            .upgrade()
                            .map(|a| exposition(&a.current_values()))
                            .unwrap_or_default();
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    } else {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_owned()
                    };
                    let _ = stream.write_all(response.as_bytes()).await;
                });
            }
        })
        .abort_handle();
        *self.server.lock().unwrap() = Some((port, task));
        Ok(())
    }
}

/// `[a-zA-Z0-9_]` only.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A label's name and value.
type Label = Option<(&'static str, String)>;

/// A Roxy metric name as a Prometheus family and its label, if any.
fn family(name: &str) -> (String, Label) {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        ["check", rest @ .., what] if !rest.is_empty() => (
            format!("roxy_check_{}", sanitize(what)),
            Some(("check", rest.join("."))),
        ),
        ["cpu", core] => (
            "roxy_cpu_core_pct".into(),
            Some(("core", (*core).to_owned())),
        ),
        ["temp", sensor] => (
            "roxy_temperature_celsius".into(),
            Some(("sensor", (*sensor).to_owned())),
        ),
        ["gpu", card, what] => (
            format!("roxy_gpu_{}", sanitize(what)),
            Some(("card", (*card).to_owned())),
        ),
        _ => (format!("roxy_{}", sanitize(name)), None),
    }
}

pub fn exposition(values: &[(String, f64)]) -> String {
    let mut families: BTreeMap<String, Vec<(Label, f64)>> = BTreeMap::new();
    for (name, value) in values {
        let (family, label) = family(name);
        let samples = families.entry(family).or_default();
        // `a.b` and `a_b` map to one name; a scrape may not hold the same series twice.
        if !samples.iter().any(|(l, _)| *l == label) {
            samples.push((label, *value));
        }
    }
    let mut out = String::new();
    for (family, samples) in families {
        let _ = writeln!(out, "# TYPE {family} gauge");
        for (label, value) in samples {
            match label {
                Some((key, value_text)) => {
                    let _ = writeln!(out, "{family}{{{key}=\"{}\"}} {value}", escape(&value_text));
                }
                None => {
                    let _ = writeln!(out, "{family} {value}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels_follow_prometheus_rules() {
        let text = exposition(&[
            ("cpu".into(), 12.5),
            ("cpu.1".into(), 3.0),
            ("check.web.api.up".into(), 1.0),
            ("mem.used_pct".into(), 40.0),
            ("temp.coretemp_package_id_0".into(), 51.0),
        ]);
        assert!(
            text.contains("# TYPE roxy_cpu gauge\nroxy_cpu 12.5\n"),
            "{text}"
        );
        assert!(text.contains("roxy_cpu_core_pct{core=\"1\"} 3\n"), "{text}");
        assert!(
            text.contains("roxy_check_up{check=\"web.api\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("roxy_mem_used_pct 40\n"), "{text}");
        assert!(text.contains("roxy_temperature_celsius{sensor=\"coretemp_package_id_0\"} 51\n"));
        let clash = exposition(&[("a.b".into(), 1.0), ("a_b".into(), 2.0)]);
        assert_eq!(clash.matches("\nroxy_a_b ").count(), 1, "{clash}");
    }
}
