//! Broadcast: one link per OBS instance (see `link`), their controls, stream health and
//! sessions, and NDI discovery. `Broadcast1` serves it on the bus.

mod control;
mod events;
mod link;
pub mod ndi;
mod state;

use crate::alerting::AlertManager;
use crate::notifications::Notices;
use crate::secrets::SecretStore;
use crate::tray::Tray;
pub use link::Link;
use roxy_core::alerts::EVENT_RULES;
use roxy_core::broadcast::{secret_name, InstanceError, ObsInstance, Thresholds};
use roxy_core::Store;
use roxy_ipc::broadcast::{BroadcastSessionInfo, HealthThresholdsInfo, ObsInstanceInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use zbus::Connection;
use zeroize::Zeroizing;

/// What every link needs from the rest of roxyd.
pub struct Context {
    pub conn: Connection,
    pub store: Store,
    pub secrets: Arc<SecretStore>,
    pub notices: Arc<Notices>,
    /// Health issues are listed as alerts too (the links send their own notices).
    pub alerts: Arc<AlertManager>,
    /// The health rules' limits, the same for every instance.
    thresholds: Mutex<Thresholds>,
    /// The tray, once it is up; it offers recording on every connected instance.
    tray: std::sync::OnceLock<Arc<Tray>>,
    /// Connected instances and whether each records, as the tray shows them.
    recordings: Mutex<BTreeMap<String, bool>>,
}

impl Context {
    pub fn thresholds(&self) -> Thresholds {
        *self.thresholds.lock().unwrap()
    }

    /// Updates an instance's tray entry (`None`: not connected, no entry).
    pub async fn set_recording(&self, instance: &str, recording: Option<bool>) {
        {
            let mut map = self.recordings.lock().unwrap();
            if map.get(instance).copied() == recording {
                return;
            }
            match recording {
                Some(on) => map.insert(instance.to_owned(), on),
                None => map.remove(instance),
            };
        }
        self.show_recordings().await;
    }

    async fn show_recordings(&self) {
        let Some(tray) = self.tray.get() else { return };
        let list = self
            .recordings
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        tray.show_recordings(list).await;
    }
}

pub struct BroadcastHub {
    ctx: Arc<Context>,
    links: Mutex<BTreeMap<String, Arc<Link>>>,
    pub ndi: Arc<ndi::NdiBrowser>,
}

fn instance_error(e: InstanceError) -> RoxyError {
    {
        match e {
            InstanceError::NotFound(_) => RoxyError::NotFound(e.to_string()),
            InstanceError::Store(_) => RoxyError::Failed(e.to_string()),
            _ => RoxyError::InvalidInput(e.to_string()),
        }
    }
}

impl BroadcastHub {
    /// Starts a link for every stored instance; each connects (and keeps trying) on its own.
    pub async fn start(
        conn: Connection,
        store: Store,
        secrets: Arc<SecretStore>,
        notices: Arc<Notices>,
        alerts: Arc<AlertManager>,
    ) -> Arc<Self> {
        let thresholds = store.health_thresholds().await.unwrap_or_else(|e| {
            tracing::error!("cannot read the stream-health thresholds: {e}");
            Thresholds::default()
        });
        let instances = store.obs_instances().await.unwrap_or_else(|e| {
            tracing::error!("cannot read the OBS instances: {e}");
            Vec::new()
        });
        let ndi = ndi::NdiBrowser::new(conn.clone());
        let ctx = Arc::new(Context {
            conn,
            store,
            secrets,
            notices,
            alerts,
            thresholds: Mutex::new(thresholds),
            tray: std::sync::OnceLock::new(),
            recordings: Mutex::new(BTreeMap::new()),
        });
        let links = instances
            .into_iter()
            .map(|i| (i.name.clone(), Link::start(i, ctx.clone())))
            .collect();
        Arc::new(Self {
            ctx,
            links: Mutex::new(links),
            ndi,
        })
    }

    /// From now on the tray offers Start/Stop Recording for each connected instance.
    pub async fn attach_tray(&self, tray: Arc<Tray>) {
        let _ = self.ctx.tray.set(tray);
        self.ctx.show_recordings().await;
    }

    pub fn store(&self) -> &Store {
        &self.ctx.store
    }

    pub fn instances(&self) -> Vec<ObsInstanceInfo> {
        self.links
            .lock()
            .unwrap()
            .values()
            .map(|l| l.info())
            .collect()
    }

    /// The named instance; "" means the first one.
    pub fn link(&self, name: &str) -> Result<Arc<Link>, RoxyError> {
        let links = self.links.lock().unwrap();
        let found = if name.is_empty() {
            links.values().next()
        } else {
            links.get(name)
        };
        found.cloned().ok_or_else(|| {
            if links.is_empty() {
                RoxyError::NotFound(gettext(
                    "No OBS instance is set up. Add one with “roxyctl obs add NAME --host HOST --port 4455” or in the Broadcast panel.",
                ))
            } else {
                let names: Vec<&str> = links.keys().map(String::as_str).collect();
                RoxyError::NotFound(fill(
                    &gettext("instance: there is no OBS instance “{}”. Instances: {}."),
                    &[&name, &names.join(", ")],
                ))
            }
        })
    }

    pub async fn add(
        &self,
        name: &str,
        host: &str,
        port: u16,
        password: &str,
    ) -> Result<ObsInstanceInfo, RoxyError> {
        let instance = ObsInstance::new(name, host, port).map_err(instance_error)?;
        self.ctx
            .store
            .add_obs_instance(&instance)
            .await
            .map_err(instance_error)?;
        if let Err(e) = self.store_password(name, password).await {
            let _ = self.ctx.store.remove_obs_instance(name).await;
            return Err(e);
        }
        let link = Link::start(instance, self.ctx.clone());
        let info = link.info();
        self.links.lock().unwrap().insert(name.to_owned(), link);
        self.announce_instances().await;
        Ok(info)
    }

    pub async fn remove(&self, name: &str) -> Result<(), RoxyError> {
        self.ctx
            .store
            .remove_obs_instance(name)
            .await
            .map_err(instance_error)?;
        if let Some(link) = self.links.lock().unwrap().remove(name) {
            link.stop();
        }
        self.ctx.set_recording(name, None).await;
        self.announce_instances().await;
        // Nothing is left to resolve them later.
        for (rule, _) in EVENT_RULES.iter().filter(|(r, _)| r.starts_with("obs-")) {
            self.ctx.alerts.clear_silently(rule, name).await;
        }
        // A missing keyring only leaves the password behind; the instance is gone either way.
        if let Err(e) = self.ctx.secrets.delete(&secret_name(name)).await {
            tracing::warn!("OBS password of {name} not removed: {e}");
        }
        Ok(())
    }

    async fn announce_instances(&self) {
        let instances = self.instances();
        if let Ok(emitter) =
            zbus::object_server::SignalEmitter::new(&self.ctx.conn, roxy_ipc::names::DAEMON_PATH)
        {
            let _ = crate::services::broadcast1::BroadcastService::instances_changed(
                &emitter, instances,
            )
            .await;
        }
    }

    pub async fn set_password(&self, name: &str, password: &str) -> Result<(), RoxyError> {
        if name.is_empty() {
            return Err(RoxyError::InvalidInput(gettext(
                "name: say which OBS instance the password is for.",
            )));
        }
        let link = self.link(name)?;
        self.store_password(name, password).await?;
        let password = (!password.is_empty()).then(|| Zeroizing::new(password.to_owned()));
        link.set_password(password).await;
        Ok(())
    }

    async fn store_password(&self, name: &str, password: &str) -> Result<(), RoxyError> {
        if password.len() > crate::secrets::MAX_VALUE {
            return Err(RoxyError::InvalidInput(gettext(
                "password: at most 16 KiB is allowed.",
            )));
        }
        let secret = secret_name(name);
        if password.is_empty() {
            // Nothing stored and no keyring is fine: OBS without authentication needs none.
            if let Err(e) = self.ctx.secrets.delete(&secret).await {
                tracing::debug!("no OBS password to remove for {name}: {e}");
            }
            return Ok(());
        }
        Ok(self.ctx.secrets.set(&secret, password).await?)
    }

    pub fn health_thresholds(&self) -> HealthThresholdsInfo {
        let t = self.ctx.thresholds();
        HealthThresholdsInfo {
            lost_percent: t.lost_percent,
            window_s: t.window_s(),
            disk_free_mb: t.disk_free_mb,
        }
    }

    /// Checks, stores and applies new limits to every instance from its next sample on.
    pub async fn set_health_thresholds(
        &self,
        wanted: &HealthThresholdsInfo,
    ) -> Result<(), RoxyError> {
        let thresholds = Thresholds::new(wanted.lost_percent, wanted.window_s, wanted.disk_free_mb)
            .map_err(|e| RoxyError::InvalidInput(e.to_string()))?;
        self.ctx
            .store
            .set_health_thresholds(&thresholds)
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        *self.ctx.thresholds.lock().unwrap() = thresholds;
        for link in self.links.lock().unwrap().values() {
            link.health.lock().unwrap().set_thresholds(thresholds);
        }
        Ok(())
    }

    pub async fn sessions(&self, limit: u32) -> Result<Vec<BroadcastSessionInfo>, RoxyError> {
        let sessions = self
            .ctx
            .store
            .sessions(limit.clamp(1, 1000))
            .await
            .map_err(|e| RoxyError::Failed(e.to_string()))?;
        Ok(sessions
            .into_iter()
            .map(|s| BroadcastSessionInfo {
                id: s.id,
                instance: s.instance,
                kind: s.kind.id().into(),
                started_ms: s.started_at,
                ended_ms: s.ended_at.unwrap_or(0),
                file: s.file,
                dropped_frames: s.dropped_frames,
                total_frames: s.total_frames,
            })
            .collect())
    }

    pub fn shutdown(&self) {
        for link in self.links.lock().unwrap().values() {
            link.stop();
        }
        self.ndi.shutdown();
    }
}
