//! The OBS instances to connect to. Host and port live in the database; the password lives in
//! the secret store under [`secret_name`].

use crate::store::{Store, StoreError};
use crate::time::now_ms;
use sqlx::Row;

/// obs-websocket's default port.
pub const DEFAULT_PORT: u16 = 4455;
/// More would be a studio Roxy is not made for; each instance holds a connection open.
pub const MAX_INSTANCES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObsInstance {
    pub name: String,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("name: “{0}” is not allowed; use 1 to 32 lowercase letters, digits, “-” and “_”, starting with a letter or digit.")]
    Name(String),
    #[error("host: “{0}” is not a host name or IP address.")]
    Host(String),
    #[error("port: 0 is not a port; use 1 to 65535 (obs-websocket's default is 4455).")]
    Port,
    #[error("An OBS instance named “{0}” exists already.")]
    Exists(String),
    #[error("There is no OBS instance named “{0}”.")]
    NotFound(String),
    #[error("At most {MAX_INSTANCES} OBS instances can be added.")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The secret that holds an instance's obs-websocket password.
pub fn secret_name(instance: &str) -> String {
    format!("obs.{instance}")
}

impl ObsInstance {
    /// Checks every field; the error names the field and what is allowed.
    pub fn new(name: &str, host: &str, port: u16) -> Result<Self, InstanceError> {
        let name_ok = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && name.as_bytes()[0].is_ascii_alphanumeric();
        if !name_ok {
            return Err(InstanceError::Name(name.to_owned()));
        }
        if !valid_host(host) {
            return Err(InstanceError::Host(host.to_owned()));
        }
        if port == 0 {
            return Err(InstanceError::Port);
        }
        Ok(Self {
            name: name.to_owned(),
            host: host.to_owned(),
            port,
        })
    }
}

fn valid_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    (1..=253).contains(&host.len())
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

impl Store {
    /// Every instance, by name.
    pub async fn obs_instances(&self) -> Result<Vec<ObsInstance>, StoreError> {
        let rows = sqlx::query("SELECT name, host, port FROM obs_instances ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| ObsInstance {
                name: r.get("name"),
                host: r.get("host"),
                port: u16::try_from(r.get::<i64, _>("port")).unwrap_or(DEFAULT_PORT),
            })
            .collect())
    }

    pub async fn add_obs_instance(&self, instance: &ObsInstance) -> Result<(), InstanceError> {
        let existing = self.obs_instances().await?;
        if existing.iter().any(|i| i.name == instance.name) {
            return Err(InstanceError::Exists(instance.name.clone()));
        }
        if existing.len() >= MAX_INSTANCES {
            return Err(InstanceError::TooMany);
        }
        sqlx::query("INSERT INTO obs_instances (name, host, port, created_at) VALUES (?, ?, ?, ?)")
            .bind(&instance.name)
            .bind(&instance.host)
            .bind(i64::from(instance.port))
            .bind(now_ms())
            .execute(self.pool())
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn remove_obs_instance(&self, name: &str) -> Result<(), InstanceError> {
        let done = sqlx::query("DELETE FROM obs_instances WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await
            .map_err(StoreError::from)?;
        if done.rows_affected() == 0 {
            return Err(InstanceError::NotFound(name.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked() {
        assert!(ObsInstance::new("studio", "127.0.0.1", 4455).is_ok());
        assert!(ObsInstance::new("cam-2", "obs.lan", 4456).is_ok());
        assert!(ObsInstance::new("b", "::1", 1).is_ok());
        assert!(matches!(
            ObsInstance::new("Studio", "h", 1),
            Err(InstanceError::Name(_))
        ));
        assert!(matches!(
            ObsInstance::new("-x", "h", 1),
            Err(InstanceError::Name(_))
        ));
        assert!(matches!(
            ObsInstance::new("x", "ws://h", 1),
            Err(InstanceError::Host(_))
        ));
        assert!(matches!(
            ObsInstance::new("x", "", 1),
            Err(InstanceError::Host(_))
        ));
        assert!(matches!(
            ObsInstance::new("x", "h", 0),
            Err(InstanceError::Port)
        ));
    }

    #[tokio::test]
    async fn instances_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let studio = ObsInstance::new("studio", "127.0.0.1", 4455).unwrap();
        store.add_obs_instance(&studio).await.unwrap();
        assert!(matches!(
            store.add_obs_instance(&studio).await,
            Err(InstanceError::Exists(_))
        ));
        assert_eq!(store.obs_instances().await.unwrap(), vec![studio]);
        store.remove_obs_instance("studio").await.unwrap();
        assert!(matches!(
            store.remove_obs_instance("studio").await,
            Err(InstanceError::NotFound(_))
        ));
        assert!(store.obs_instances().await.unwrap().is_empty());
    }
}
