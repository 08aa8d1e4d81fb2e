//! `Secrets1`: put secrets into the store, list and delete them. There is deliberately no
//! method that returns a value.

use super::caller;
use crate::runbooks::Engine;
use crate::secret_scan::SecretScanner;
use crate::secrets::{SecretStore, MAX_VALUE};
use crate::supervisor::Supervisor;
use roxy_ipc::i18n::gettext;
use roxy_ipc::{RoxyError, SecretFinding};
use std::sync::Arc;
use zbus::message::Header;
use zbus::zvariant::OwnedObjectPath;
use zbus::{interface, Connection};

pub struct SecretsService {
    store: Arc<SecretStore>,
    engine: Arc<Engine>,
    supervisor: Arc<Supervisor>,
    scanner: SecretScanner,
}

impl SecretsService {
    pub fn new(store: Arc<SecretStore>, engine: Arc<Engine>, supervisor: Arc<Supervisor>) -> Self {
        Self {
            store,
            engine,
            supervisor,
            scanner: SecretScanner::default(),
        }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Secrets1")]
impl SecretsService {
    /// Stores `value` under `name`, replacing an older value.
    async fn set(
        &self,
        name: String,
        value: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let value = zeroize::Zeroizing::new(value);
        if value.is_empty() || value.len() > MAX_VALUE {
            return Err(RoxyError::InvalidInput(gettext(
                "A secret value must have 1 to 16384 bytes.",
            )));
        }
        let actor = caller::describe(connection, &header).await;
        let result = self.store.set(&name, &value).await;
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        self.engine
            .audit(&actor, "secret.set", &name, outcome, "")
            .await;
        Ok(result?)
    }

    async fn delete(
        &self,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<bool, RoxyError> {
        let actor = caller::describe(connection, &header).await;
        let found = self.store.delete(&name).await?;
        self.engine
            .audit(
                &actor,
                "secret.delete",
                &name,
                if found { "ok" } else { "not found" },
                "",
            )
            .await;
        Ok(found)
    }

    /// Names only.
    async fn list(&self) -> Result<Vec<String>, RoxyError> {
        Ok(self.store.names().await?)
    }

    /// Starts a job that looks for plaintext credentials under `folder` (empty: the
    /// documents folder).
    async fn scan(
        &self,
        folder: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<OwnedObjectPath, RoxyError> {
        let actor = caller::describe(connection, &header).await;
        let path = self
            .scanner
            .start(&self.supervisor, self.engine.notices().clone(), &folder)
            .await?;
        self.engine
            .audit(&actor, "secret.scan", &folder, "started", path.as_str())
            .await;
        Ok(path)
    }

    /// What the scan job `job_id` found so far (masked).
    async fn findings(&self, job_id: u64) -> Result<Vec<SecretFinding>, RoxyError> {
        self.scanner.findings(job_id)
    }

    /// Moves the credential found at file:line:column into the store as `name`.
    async fn import(
        &self,
        file: String,
        line: u32,
        column: u32,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] connection: &Connection,
    ) -> Result<(), RoxyError> {
        let actor = caller::describe(connection, &header).await;
        let result = crate::secret_scan::import(&self.store, &file, line, column, &name).await;
        self.engine
            .audit(
                &actor,
                "secret.import",
                &name,
                if result.is_ok() { "ok" } else { "failed" },
                &format!("{file}:{line}:{column}"),
            )
            .await;
        result
    }
}
