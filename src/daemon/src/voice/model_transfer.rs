//! Bringing a model file in from a local file or an http(s) URL: copied in chunks with
//! progress and cancellation into a hidden part file, which becomes the model only once it
//! has been checked (see `models.rs`).

use crate::supervisor::JobFailure;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Url(String),
}

impl Source {
    pub fn parse(source: &str) -> Result<Self, RoxyError> {
        let source = source.trim();
        if source.starts_with("http://") || source.starts_with("https://") {
            return Ok(Self::Url(source.to_string()));
        }
        let path = PathBuf::from(source.strip_prefix("file://").unwrap_or(source));
        if !path.is_absolute() {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("source: give an absolute file path or an http(s) URL, not “{}”."),
                &[&source],
            )));
        }
        if !path.is_file() {
            return Err(RoxyError::NotFound(fill(
                &gettext("source: there is no file at {}."),
                &[&path.display()],
            )));
        }
        Ok(Self::File(path))
    }

    /// The file name the source ends in ("ggml-base.en.bin").
    pub fn file_name(&self) -> String {
        match self {
            Self::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Self::Url(url) => {
                let path = url.split(['?', '#']).next().unwrap_or_default();
                path.rsplit('/').next().unwrap_or_default().to_string()
            }
        }
    }

    /// The same place with `suffix` added to the name: a Piper voice's `.json` beside it.
    pub fn with_suffix(&self, suffix: &str) -> Self {
        match self {
            Self::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                Self::File(name.into())
            }
            Self::Url(url) => {
                let (path, rest) = match url.find(['?', '#']) {
                    Some(at) => url.split_at(at),
                    None => (url.as_str(), ""),
                };
                Self::Url(format!("{path}{suffix}{rest}"))
            }
        }
    }

    /// For messages and logs: a URL without user, password or query (they may hold tokens).
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Url(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
                let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                let host = authority.rsplit('@').next().unwrap_or(authority);
                let path = path.split(['?', '#']).next().unwrap_or_default();
                let hidden = if url[scheme.len()..].contains(['?', '#']) {
                    "?…"
                } else {
                    ""
                };
                format!("{scheme}://{host}{path}{hidden}")
            }
        }
    }
}

/// Copies `source` to `dest` (created new), calling `progress(done, total)` after each chunk.
/// A cancelled or failed copy leaves no `dest` behind.
pub fn copy(
    source: &Source,
    dest: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<u64, JobFailure> {
    let existed = dest.exists();
    let result = copy_inner(source, dest, cancel, progress);
    if result.is_err() && !existed {
        let _ = std::fs::remove_file(dest);
    }
    result
}

fn copy_inner(
    source: &Source,
    dest: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<u64, JobFailure> {
    // A part file that exists belongs to another install of the same model still running.
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                JobFailure::Failed(gettext(
                    "This model is being installed already; wait for that install to end.",
                ))
            } else {
                write_failed(dest, &e)
            }
        })?;
    let copied = match source {
        Source::File(path) => {
            let mut file = std::fs::File::open(path).map_err(|e| read_failed(source, &e))?;
            let total = file.metadata().ok().map(|m| m.len());
            pump(&mut file, &mut out, dest, source, total, cancel, progress)?
        }
        Source::Url(url) => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_connect(Some(Duration::from_secs(15)))
                .timeout_recv_response(Some(Duration::from_secs(60)))
                // A server that stops sending mid-file would otherwise hold the job forever.
                .timeout_per_read(Some(Duration::from_secs(60)))
                .http_status_as_error(false)
                .build()
                .into();
            let mut response = agent.get(url).call().map_err(|e| {
                JobFailure::Failed(fill(
                    &gettext("Could not fetch {}: {}"),
                    &[&source.describe(), &e],
                ))
            })?;
            let status = response.status();
            if !status.is_success() {
                return Err(JobFailure::Failed(fill(
                    &gettext("{} answered HTTP {}; check the address."),
                    &[&source.describe(), &status.as_u16()],
                )));
            }
            let total = response
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            let mut body = response.body_mut().as_reader();
            pump(&mut body, &mut out, dest, source, total, cancel, progress)?
        }
    };
    out.sync_all().map_err(|e| write_failed(dest, &e))?;
    Ok(copied)
}

fn pump(
    from: &mut dyn Read,
    out: &mut std::fs::File,
    dest: &Path,
    source: &Source,
    total: Option<u64>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<u64, JobFailure> {
    let mut buffer = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(JobFailure::Cancelled);
        }
        let n = match from.read(&mut buffer) {
            Ok(0) => return Ok(done),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_failed(source, &e)),
        };
        out.write_all(&buffer[..n])
            .map_err(|e| write_failed(dest, &e))?;
        done += n as u64;
        progress(done, total);
    }
}

fn read_failed(source: &Source, e: &dyn std::fmt::Display) -> JobFailure {
    JobFailure::Failed(fill(
        &gettext("Could not read {}: {}"),
        &[&source.describe(), &e],
    ))
}

fn write_failed(dest: &Path, e: &std::io::Error) -> JobFailure {
    JobFailure::Failed(fill(
        &gettext("Could not write {}: {}"),
        &[&dest.display(), &e],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_its_last_segment_and_a_sibling_keeps_the_query() {
        let url = Source::Url("https://example.org/voices/en_US-joe.onnx?download=1".into());
        assert_eq!(url.file_name(), "en_US-joe.onnx");
        let Source::Url(config) = url.with_suffix(".json") else {
            panic!("a URL's sibling is a URL")
        };
        assert_eq!(
            config,
            "https://example.org/voices/en_US-joe.onnx.json?download=1"
        );
    }

    #[test]
    fn a_url_is_described_without_credentials_or_query() {
        let url = Source::Url("https://me:s3cret@example.org/v/joe.onnx?token=abc".into());
        assert_eq!(url.describe(), "https://example.org/v/joe.onnx?…");
        let plain = Source::Url("http://127.0.0.1:8080/m.bin".into());
        assert_eq!(plain.describe(), "http://127.0.0.1:8080/m.bin");
    }

    #[test]
    fn relative_and_missing_paths_are_refused_with_the_argument() {
        let relative = Source::parse("models/x.bin").unwrap_err().to_string();
        assert!(relative.contains("source:"), "{relative}");
        let missing = Source::parse("/nonexistent/x.bin").unwrap_err().to_string();
        assert!(missing.contains("/nonexistent/x.bin"), "{missing}");
    }

    #[test]
    fn a_cancelled_copy_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from.bin");
        std::fs::write(&from, vec![7u8; 3 * CHUNK]).unwrap();
        let dest = dir.path().join(".to.part");
        let cancel = AtomicBool::new(false);
        let mut seen = Vec::new();
        let copied = copy(
            &Source::File(from.clone()),
            &dest,
            &cancel,
            &mut |done, total| seen.push((done, total)),
        );
        assert!(matches!(copied, Ok(n) if n == 3 * CHUNK as u64));
        assert_eq!(
            seen.last(),
            Some(&(3 * CHUNK as u64, Some(3 * CHUNK as u64)))
        );
        std::fs::remove_file(&dest).unwrap();
        let cancelled = copy(&Source::File(from), &dest, &cancel, &mut |_, _| {
            cancel.store(true, Ordering::Relaxed)
        });
        assert!(matches!(cancelled, Err(JobFailure::Cancelled)));
        assert!(!dest.exists());
    }
}
