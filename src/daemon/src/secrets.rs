//! The secret store: one small API over the Secret Service (GNOME Keyring, KWallet…), or the
//! sandbox's file keyring under Flatpak (both through oo7).
//!
//! Values go in through [`SecretStore::set`] and come out only inside roxyd (for a step's
//! environment, a webhook token…). They are never written to the database, YAML, logs, D-Bus
//! replies or `--json` output; runs that use them mask them in their output.

use oo7::Keyring;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::APP_ID;
use roxy_ipc::RoxyError;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

/// Larger values are refused (a private key fits easily).
pub const MAX_VALUE: usize = 16 * 1024;
const NAME_ATTRIBUTE: &str = "roxy-name";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    InvalidName(String),
}

impl From<SecretError> for RoxyError {
    fn from(e: SecretError) -> Self {
        match e {
            SecretError::Unavailable(m) => RoxyError::Unavailable(m),
            SecretError::InvalidName(m) => RoxyError::InvalidInput(m),
        }
    }
}

fn unavailable(e: impl std::fmt::Display) -> SecretError {
    SecretError::Unavailable(fill(
        &gettext("The secret store is not available ({}). Start a Secret Service such as GNOME Keyring and unlock it."),
        &[&e],
    ))
}

pub fn check_name(name: &str) -> Result<(), SecretError> {
    if roxy_core::runbook::is_secret_name(name) {
        Ok(())
    } else {
        Err(SecretError::InvalidName(fill(
            &gettext("“{}” is not a secret name: use up to 64 letters, digits, “-”, “_” and “.”."),
            &[&name],
        )))
    }
}

/// Connects on first use, so roxyd starts (and runs everything else) without a keyring.
#[derive(Default)]
pub struct SecretStore {
    keyring: Mutex<Option<Keyring>>,
}

impl SecretStore {
    async fn with_keyring<T>(
        &self,
        f: impl AsyncFnOnce(&Keyring) -> Result<T, oo7::Error>,
    ) -> Result<T, SecretError> {
        let mut slot = self.keyring.lock().await;
        if slot.is_none() {
            let keyring = Keyring::new().await.map_err(unavailable)?;
            if keyring.is_locked().await.map_err(unavailable)? {
                keyring.unlock().await.map_err(unavailable)?;
            }
            *slot = Some(keyring);
        }
        let keyring = slot.as_ref().expect("set above");
        match f(keyring).await {
            Ok(value) => Ok(value),
            Err(e) => {
                // The service may have restarted; connect afresh next time.
                *slot = None;
                Err(unavailable(e))
            }
        }
    }

    pub async fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        check_name(name)?;
        let label = format!("Roxy: {name}");
        self.with_keyring(async |k| k.create_item(&label, &attributes(name), value, true).await)
            .await
    }

    pub async fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, SecretError> {
        check_name(name)?;
        self.with_keyring(async |k| {
            let items = k.search_items(&attributes(name)).await?;
            let Some(item) = items.first() else {
                return Ok(None);
            };
            let secret = item.secret().await?;
            Ok(Some(Zeroizing::new(
                String::from_utf8_lossy(secret.as_bytes()).into_owned(),
            )))
        })
        .await
    }

    /// Whether there was such a secret.
    pub async fn delete(&self, name: &str) -> Result<bool, SecretError> {
        check_name(name)?;
        self.with_keyring(async |k| {
            let found = !k.search_items(&attributes(name)).await?.is_empty();
            if found {
                k.delete(&attributes(name)).await?;
            }
            Ok(found)
        })
        .await
    }

    /// The names of Roxy's secrets, sorted.
    pub async fn names(&self) -> Result<Vec<String>, SecretError> {
        self.with_keyring(async |k| {
            let mut names = Vec::new();
            for item in k.search_items(&[("application", APP_ID)]).await? {
                if let Some(name) = item.attributes().await?.get(NAME_ATTRIBUTE) {
                    names.push(name.clone());
                }
            }
            names.sort();
            names.dedup();
            Ok(names)
        })
        .await
    }
}

fn attributes(name: &str) -> [(&'static str, &str); 2] {
    [("application", APP_ID), (NAME_ATTRIBUTE, name)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("obs-password").is_ok());
        assert!(check_name("ntfy.token_2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("has space").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
    }
}
