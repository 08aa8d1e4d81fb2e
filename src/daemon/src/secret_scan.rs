//! The secret-scan job: walks a folder for plaintext credentials and keeps what it found
//! (masked) for `Secrets1.Findings`; `import` moves one found value into the secret store.

use crate::notifications::{Event, Notices};
use crate::secrets::SecretStore;
use crate::supervisor::{JobFailure, Supervisor};
use roxy_core::notify::EventKind;
use roxy_core::secret_scan::{files_to_scan, read_text, scan_text, Finding};
use roxy_ipc::i18n::{fill, gettext, ngettext};
use roxy_ipc::names::job_id_from_path;
use roxy_ipc::{RoxyError, SecretFinding};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zbus::zvariant::OwnedObjectPath;

/// Scans whose findings are kept.
const KEPT_SCANS: usize = 10;

type Findings = Arc<Mutex<Vec<Finding>>>;

#[derive(Default)]
pub struct SecretScanner {
    /// Job id → what that scan found.
    scans: Mutex<BTreeMap<u64, Findings>>,
}

/// Where people keep documents: `$XDG_DOCUMENTS_DIR`, else `~/Documents`.
pub fn documents_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DOCUMENTS_DIR") {
        return dir.into();
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    Path::new(&home).join("Documents")
}

fn found_event(folder: &str, count: u32) -> Event {
    Event {
        kind: EventKind::SecretsFound,
        source: format!("secret-scan:{folder}"),
        key: "secret-scan".into(),
        summary: fill(
            &ngettext(
                "Secret scan found {} possible credential",
                "Secret scan found {} possible credentials",
                count,
            ),
            &[&count],
        ),
        body: fill(
            &gettext("In {}. Move them into the secret store with `roxyctl secret import`."),
            &[&folder],
        ),
        actions: vec![("default".into(), gettext("Open"))],
    }
}

impl SecretScanner {
    pub async fn start(
        &self,
        supervisor: &Arc<Supervisor>,
        notices: Arc<Notices>,
        folder: &str,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let root = if folder.is_empty() {
            documents_dir()
        } else {
            PathBuf::from(folder)
        };
        if !root.is_absolute() || !root.is_dir() {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("“{}” is not a folder; give an absolute path to a folder."),
                &[&root.display()],
            )));
        }
        let findings: Findings = Arc::default();
        let found = findings.clone();
        let counted = findings.clone();
        let folder = root.display().to_string();
        let title = fill(&gettext("Secret scan of {}"), &[&folder]);
        let store = supervisor.store().clone();
        let path = supervisor
            .spawn("secret-scan", title, move |job| async move {
                let cancel = job.cancel_flag();
                let result = tokio::task::spawn_blocking(move || {
                    let files = files_to_scan(&root);
                    for (i, file) in files.iter().enumerate() {
                        if cancel.load(std::sync::atomic::Ordering::SeqCst) {
                            return Err(JobFailure::Cancelled);
                        }
                        job.progress(i as f64 / files.len().max(1) as f64, None);
                        let Some(text) = read_text(file) else {
                            continue;
                        };
                        for finding in scan_text(file, &text) {
                            job.log(finding.to_string());
                            found.lock().unwrap().push(finding);
                        }
                    }
                    let count = found.lock().unwrap().len();
                    Ok(fill(
                        &ngettext(
                            "{} possible credential in {} files.",
                            "{} possible credentials in {} files.",
                            count as u32,
                        ),
                        &[&count, &files.len()],
                    ))
                })
                .await
                .unwrap_or_else(|e| Err(JobFailure::Failed(e.to_string())));
                let count = counted.lock().unwrap().len() as u32;
                if count > 0 {
                    notices.publish(found_event(&folder, count)).await;
                }
                if result.is_ok() {
                    // The scorecard's secret measure reads the newest of these.
                    let _ = store
                        .audit(
                            "daemon",
                            "secret.scan.done",
                            &folder,
                            "ok",
                            &count.to_string(),
                        )
                        .await;
                }
                result
            })
            .await?;
        if let Some(id) = job_id_from_path(path.as_str()) {
            let mut scans = self.scans.lock().unwrap();
            scans.insert(id, findings);
            while scans.len() > KEPT_SCANS {
                scans.pop_first();
            }
        }
        Ok(path)
    }

    pub fn findings(&self, job_id: u64) -> Result<Vec<SecretFinding>, RoxyError> {
        let findings = self
            .scans
            .lock()
            .unwrap()
            .get(&job_id)
            .cloned()
            .ok_or_else(|| {
                RoxyError::NotFound(fill(
                    &gettext("Job {} is not one of the last secret scans."),
                    &[&job_id],
                ))
            })?;
        let findings = findings.lock().unwrap();
        Ok(findings
            .iter()
            .map(|f| SecretFinding {
                file: f.file.display().to_string(),
                line: f.line as u32,
                column: f.column as u32,
                kind: f.kind.to_owned(),
                masked: f.masked.clone(),
            })
            .collect())
    }
}

/// Stores the credential found at `file`:`line`:`column` as `name`. The file is read and
/// scanned again, so only a value the scanner recognises can be taken.
pub async fn import(
    store: &SecretStore,
    file: &str,
    line: u32,
    column: u32,
    name: &str,
) -> Result<(), RoxyError> {
    crate::secrets::check_name(name)?;
    let path = PathBuf::from(file);
    let text = read_text(&path)
        .ok_or_else(|| RoxyError::NotFound(fill(&gettext("Cannot read {} as text."), &[&file])))?;
    let finding = scan_text(&path, &text)
        .into_iter()
        .find(|f| f.line == line as usize && f.column == column as usize)
        .ok_or_else(|| {
            RoxyError::NotFound(fill(
                &gettext("No credential at {}:{}:{} (the file may have changed); scan again."),
                &[&file, &line, &column],
            ))
        })?;
    let value = zeroize::Zeroizing::new(
        text.lines()
            .nth(finding.line - 1)
            .map(|l| l[finding.range.clone()].to_owned())
            .unwrap_or_default(),
    );
    Ok(store.set(name, &value).await?)
}
