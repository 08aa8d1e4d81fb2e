//! Database maintenance jobs: integrity check and online backup.

use crate::supervisor::{JobFailure, Supervisor};
use roxy_core::maintenance::{self, MaintenanceError};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::path::PathBuf;
use std::sync::Arc;
use zbus::zvariant::OwnedObjectPath;

/// Job kind of the integrity check; the daemon's health follows its latest result.
pub const CHECK_KIND: &str = "database-check";

pub async fn start_check(sup: &Arc<Supervisor>) -> Result<OwnedObjectPath, RoxyError> {
    let database = sup.store().path().to_owned();
    sup.spawn(
        "database-check",
        gettext("Check database integrity"),
        move |job| async move {
            let cancel = job.cancel_flag();
            let reporter = job.clone();
            let report = tokio::task::spawn_blocking(move || {
                maintenance::integrity_check(&database, &cancel, |fraction, table| {
                    if !table.is_empty() {
                        reporter.log(fill(&gettext("Checking {}"), &[&table]));
                    }
                    reporter.progress(fraction, Some(table.to_owned()));
                })
            })
            .await
            .map_err(|e| JobFailure::Failed(e.to_string()))?
            .map_err(failure)?;
            if report.problems.is_empty() {
                Ok(fill(
                    &gettext("No problems found in {} tables."),
                    &[&report.objects_checked],
                ))
            } else {
                for line in &report.problems {
                    job.log(line.clone());
                }
                Err(JobFailure::Failed(fill(
                    &gettext("Found {} problems; the first: {}"),
                    &[&report.problems.len(), &report.problems[0]],
                )))
            }
        },
    )
    .await
}

pub async fn start_backup(
    sup: &Arc<Supervisor>,
    destination: &str,
) -> Result<OwnedObjectPath, RoxyError> {
    let dest = PathBuf::from(destination);
    maintenance::validate_backup_destination(&dest)
        .map_err(|e| RoxyError::InvalidInput(destination_error(&e)))?;
    let database = sup.store().path().to_owned();
    let title = fill(&gettext("Back up database to {}"), &[&dest.display()]);
    sup.spawn("database-backup", title, move |job| async move {
        let cancel = job.cancel_flag();
        let reporter = job.clone();
        let target = dest.clone();
        let report = tokio::task::spawn_blocking(move || {
            maintenance::backup(&database, &target, &cancel, |fraction| {
                reporter.progress(fraction, None)
            })
        })
        .await
        .map_err(|e| JobFailure::Failed(e.to_string()))?
        .map_err(failure)?;
        Ok(fill(
            &gettext("Backed up {} pages ({} bytes) to {}."),
            &[&report.pages, &report.bytes, &dest.display()],
        ))
    })
    .await
}

/// The translated sentence for a refused backup destination.
fn destination_error(e: &MaintenanceError) -> String {
    match e {
        MaintenanceError::DestinationExists(p) => fill(
            &gettext("The backup destination {} already exists; Roxy never overwrites files. Choose a new file name."),
            &[&p.display()],
        ),
        MaintenanceError::DestinationNotAbsolute(p) => fill(
            &gettext("The backup destination must be an absolute path, not “{}”."),
            &[&p.display()],
        ),
        MaintenanceError::NoSuchFolder(p) => {
            fill(&gettext("The folder {} does not exist."), &[&p.display()])
        }
        other => other.to_string(),
    }
}

fn failure(e: MaintenanceError) -> JobFailure {
    match e {
        MaintenanceError::Cancelled => JobFailure::Cancelled,
        other => JobFailure::Failed(other.to_string()),
    }
}
