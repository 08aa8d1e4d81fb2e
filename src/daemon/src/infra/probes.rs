//! One probe of each kind. Each returns how long it took and, when down, why.

use roxy_core::infra::check::Probe;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest response body read by an HTTP check.
const MAX_BODY: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub up: bool,
    pub latency_ms: f64,
    /// Days the certificate has left (TLS checks).
    pub cert_days: Option<f64>,
    /// Why it is down, or a short note when up ("HTTP 200", "valid until …").
    pub message: String,
}

impl Outcome {
    fn up(started: Instant, message: String) -> Self {
        Self {
            up: true,
            latency_ms: elapsed_ms(started),
            cert_days: None,
            message,
        }
    }

    fn down(started: Instant, message: String) -> Self {
        Self {
            up: false,
            latency_ms: elapsed_ms(started),
            cert_days: None,
            message,
        }
    }
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// What one check keeps between probes: its HTTP agent (kept-alive connections) and TLS
/// configuration.
pub struct Prober {
    probe: Probe,
    timeout: Duration,
    http: Option<ureq::Agent>,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Prober {
    pub fn new(probe: Probe, timeout: Duration) -> Self {
        let http = matches!(probe, Probe::Http { .. }).then(|| crate::http::agent(timeout));
        let tls = matches!(probe, Probe::Tls { .. }).then(tls_config);
        Self {
            probe,
            timeout,
            http,
            tls,
        }
    }

    pub async fn run(&self) -> Outcome {
        let started = Instant::now();
        let timeout = self.timeout;
        let outcome = match &self.probe {
            Probe::Tcp { host, port } => {
                let connect = tokio::net::TcpStream::connect((host.as_str(), *port));
                match tokio::time::timeout(timeout, connect).await {
                    Ok(Ok(_)) => Outcome::up(started, format!("{host}:{port} accepts")),
                    Ok(Err(e)) => Outcome::down(started, format!("{host}:{port}: {e}")),
                    Err(_) => Outcome::down(started, timed_out(timeout)),
                }
            }
            Probe::Http {
                url,
                status,
                keyword,
            } => {
                let agent = self.http.clone().expect("HTTP checks have an agent");
                let (url, status, keyword) = (url.clone(), *status, keyword.clone());
                blocking(started, move || {
                    http(&agent, &url, status, &keyword, started)
                })
                .await
            }
            Probe::Tls { host, port } => {
                let config = self.tls.clone().expect("TLS checks have a config");
                let (host, port) = (host.clone(), *port);
                blocking(started, move || tls(config, &host, port, timeout, started)).await
            }
            Probe::Dns { name, expect } => {
                let lookup = tokio::net::lookup_host((name.as_str(), 0));
                match tokio::time::timeout(timeout, lookup).await {
                    Ok(Ok(addresses)) => {
                        let addresses: Vec<String> =
                            addresses.map(|a| a.ip().to_string()).collect();
                        if !expect.is_empty() && !addresses.iter().any(|a| a == expect) {
                            Outcome::down(
                                started,
                                format!("{name} → {}, not {expect}", addresses.join(", ")),
                            )
                        } else {
                            Outcome::up(started, format!("{name} → {}", addresses.join(", ")))
                        }
                    }
                    Ok(Err(e)) => Outcome::down(started, format!("{name}: {e}")),
                    Err(_) => Outcome::down(started, timed_out(timeout)),
                }
            }
            Probe::Icmp { host } => icmp(host, timeout, started).await,
        };
        if outcome.up && started.elapsed() > timeout {
            return Outcome::down(started, timed_out(timeout));
        }
        outcome
    }
}

fn timed_out(timeout: Duration) -> String {
    format!("no answer within {}", humantime::format_duration(timeout))
}

async fn blocking(started: Instant, work: impl FnOnce() -> Outcome + Send + 'static) -> Outcome {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Outcome::down(started, e.to_string()))
}

fn http(agent: &ureq::Agent, url: &str, status: u16, keyword: &str, started: Instant) -> Outcome {
    let mut response = match agent.get(url).call() {
        Ok(response) => response,
        Err(ureq::Error::Timeout(_)) => return Outcome::down(started, "timed out".into()),
        Err(e) => return Outcome::down(started, format!("GET {url}: {e}")),
    };
    let got = response.status().as_u16();
    let body = if keyword.is_empty() {
        // Read (and drop) the body so the connection can be reused.
        let _ = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec();
        String::new()
    } else {
        // Bytes, not text: a page with some invalid UTF-8 can still contain the keyword;
        // a longer page is searched in its first megabyte.
        let mut reader = response.body_mut().as_reader();
        let mut bytes = Vec::new();
        let _ =
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut reader, MAX_BODY), &mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let status_ok = if status == 0 {
        (200..400).contains(&got)
    } else {
        got == status
    };
    if !status_ok {
        let expected = if status == 0 {
            "2xx or 3xx".to_owned()
        } else {
            status.to_string()
        };
        return Outcome::down(started, format!("HTTP {got}, expected {expected}"));
    }
    if !keyword.is_empty() && !body.contains(keyword) {
        return Outcome::down(started, format!("HTTP {got} without “{keyword}”"));
    }
    Outcome::up(started, format!("HTTP {got}"))
}

fn tls(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    port: u16,
    timeout: Duration,
    started: Instant,
) -> Outcome {
    use std::net::ToSocketAddrs;
    let down = |message: String| Outcome::down(started, message);
    let Some(address) = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return down(format!("{host}: cannot resolve"));
    };
    let mut socket = match std::net::TcpStream::connect_timeout(&address, timeout) {
        Ok(socket) => socket,
        Err(e) => return down(format!("{host}:{port}: {e}")),
    };
    let _ = socket.set_read_timeout(Some(timeout));
    let _ = socket.set_write_timeout(Some(timeout));
    let Ok(server_name) = rustls::pki_types::ServerName::try_from(host.to_owned()) else {
        return down(format!("“{host}” is not a valid server name"));
    };
    let mut tls = match rustls::ClientConnection::new(config, server_name) {
        Ok(tls) => tls,
        Err(e) => return down(e.to_string()),
    };
    while tls.is_handshaking() {
        if let Err(e) = tls.complete_io(&mut socket) {
            return down(format!("TLS handshake with {host}:{port}: {e}"));
        }
    }
    let Some(leaf) = tls.peer_certificates().and_then(|c| c.first()) else {
        return down(format!("{host}:{port} sent no certificate"));
    };
    let not_after = match not_after(leaf.as_ref()) {
        Ok(t) => t,
        Err(e) => return down(format!("cannot read the certificate: {e}")),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let days = (not_after.as_secs_f64() - now) / 86_400.0;
    let until = chrono::DateTime::from_timestamp(not_after.as_secs() as i64, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let mut outcome = if days > 0.0 {
        Outcome::up(started, format!("valid until {until} ({days:.1} days)"))
    } else {
        down(format!("expired on {until}"))
    };
    outcome.cert_days = Some(days);
    outcome
}

fn not_after(der: &[u8]) -> Result<Duration, String> {
    use x509_cert::der::Decode;
    let certificate = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
    Ok(certificate
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration())
}

async fn icmp(host: &str, timeout: Duration, started: Instant) -> Outcome {
    let seconds = timeout.as_secs().max(1).to_string();
    let output = tokio::process::Command::new("ping")
        .args(["-n", "-c", "1", "-W", &seconds, "--", host])
        .env("LC_ALL", "C")
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(timeout + Duration::from_secs(1), output).await {
        Ok(Ok(out)) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            // "time=0.045 ms": the round trip as ping measured it, without the process start.
            let rtt = text
                .split("time=")
                .nth(1)
                .and_then(|t| t.split_whitespace().next())
                .and_then(|t| t.parse::<f64>().ok());
            let mut outcome = Outcome::up(started, format!("{host} answers"));
            if let Some(rtt) = rtt {
                outcome.latency_ms = rtt;
            }
            outcome
        }
        Ok(Ok(_)) => Outcome::down(started, format!("{host} does not answer")),
        Ok(Err(e)) => Outcome::down(
            started,
            format!("cannot run ping: {e} (install iputils-ping)"),
        ),
        Err(_) => Outcome::down(started, timed_out(timeout)),
    }
}

/// A TLS client that accepts any certificate: the check reads the certificate's dates; its
/// trust is what the HTTPS check is for.
fn tls_config() -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ReadOnly(provider)))
        .with_no_client_auth();
    Arc::new(config)
}

#[derive(Debug)]
struct ReadOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for ReadOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
