//! One connection to the session bus and the proxies of roxyd built on it.

use crate::names::{DAEMON_BUS_NAME, DAEMON_PATH};
use crate::proxies::{
    Broadcast1Proxy, Crm1Proxy, Daemon1Proxy, Docs1Proxy, Infra1Proxy, Job1Proxy, Jobs1Proxy,
    Metrics1Proxy, Notifications1Proxy, Runbooks1Proxy, Secrets1Proxy, Voice1Proxy,
};
use crate::RoxyError;
use zbus::fdo::NameOwnerChangedStream;
use zbus::message::Type as MessageType;
use zbus::proxy::CacheProperties;
use zbus::{Connection, MatchRule, MessageStream};

/// A client of roxyd. Calls made through it start the daemon by D-Bus activation when it is
/// not running.
#[derive(Clone, Debug)]
pub struct Client {
    connection: Connection,
}

impl Client {
    /// Connects to the session bus of this login (`DBUS_SESSION_BUS_ADDRESS`).
    pub async fn session() -> Result<Self, RoxyError> {
        Ok(Self {
            connection: Connection::session().await?,
        })
    }

    pub fn from_connection(connection: Connection) -> Self {
        Self { connection }
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub async fn daemon(&self) -> Result<Daemon1Proxy<'static>, RoxyError> {
        Ok(Daemon1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn jobs(&self) -> Result<Jobs1Proxy<'static>, RoxyError> {
        Ok(Jobs1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn runbooks(&self) -> Result<Runbooks1Proxy<'static>, RoxyError> {
        Ok(Runbooks1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn metrics(&self) -> Result<Metrics1Proxy<'static>, RoxyError> {
        Ok(Metrics1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn broadcast(&self) -> Result<Broadcast1Proxy<'static>, RoxyError> {
        Ok(Broadcast1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn voice(&self) -> Result<Voice1Proxy<'static>, RoxyError> {
        Ok(Voice1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn crm(&self) -> Result<Crm1Proxy<'static>, RoxyError> {
        Ok(Crm1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn docs(&self) -> Result<Docs1Proxy<'static>, RoxyError> {
        Ok(Docs1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn infra(&self) -> Result<Infra1Proxy<'static>, RoxyError> {
        Ok(Infra1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn notifications(&self) -> Result<Notifications1Proxy<'static>, RoxyError> {
        Ok(Notifications1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn secrets(&self) -> Result<Secrets1Proxy<'static>, RoxyError> {
        Ok(Secrets1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(DAEMON_PATH)?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub async fn job(&self, path: &str) -> Result<Job1Proxy<'static>, RoxyError> {
        Ok(Job1Proxy::builder(&self.connection)
            .destination(DAEMON_BUS_NAME)?
            .path(path.to_owned())?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    /// Every signal roxyd sends under its root path, in the order it sent them (job list
    /// changes and job log lines alike). Survives daemon restarts: the bus matches the
    /// well-known name, whoever owns it.
    pub async fn daemon_signals(&self) -> Result<MessageStream, RoxyError> {
        let rule = MatchRule::builder()
            .msg_type(MessageType::Signal)
            .sender(DAEMON_BUS_NAME)?
            .path_namespace(DAEMON_PATH)?
            .build();
        Ok(MessageStream::for_match_rule(rule, &self.connection, Some(1024)).await?)
    }

    /// Changes of roxyd's bus name owner: it started, stopped or was replaced.
    pub async fn daemon_owner_changes(&self) -> Result<NameOwnerChangedStream, RoxyError> {
        let dbus = zbus::fdo::DBusProxy::new(&self.connection).await?;
        Ok(dbus
            .receive_name_owner_changed_with_args(&[(0, DAEMON_BUS_NAME)])
            .await?)
    }

    /// Whether roxyd currently owns its bus name (does not start it).
    pub async fn daemon_running(&self) -> Result<bool, RoxyError> {
        let dbus = zbus::fdo::DBusProxy::new(&self.connection).await?;
        let name = zbus::names::BusName::try_from(DAEMON_BUS_NAME).map_err(zbus::Error::from)?;
        Ok(dbus.name_has_owner(name).await?)
    }
}
