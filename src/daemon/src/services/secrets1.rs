//! `Secrets1`: put secrets into the store, list and delete them. There is deliberately no
//! method that returns a value.

use super::caller;
use crate::runbooks::Engine;
use crate::secrets::{SecretStore, MAX_VALUE};
use roxy_ipc::i18n::gettext;
use roxy_ipc::RoxyError;
use std::sync::Arc;
use zbus::message::Header;
use zbus::{interface, Connection};

pub struct SecretsService {
    store: Arc<SecretStore>,
    engine: Arc<Engine>,
}

impl SecretsService {
    pub fn new(store: Arc<SecretStore>, engine: Arc<Engine>) -> Self {
        Self { store, engine }
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
}
