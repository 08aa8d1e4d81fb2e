//! `Broadcast1`: OBS instances and their controls, stream sessions, NDI sources.

use super::caller;
use crate::broadcast::BroadcastHub;
use roxy_ipc::broadcast::{
    BroadcastSessionInfo, HealthThresholdsInfo, MeterInfo, NdiFindingInfo, NdiSourceInfo,
    ObsInstanceInfo, ObsStateInfo, SceneItemInfo,
};
use roxy_ipc::RoxyError;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{interface, Connection};

/// Longest name (scene, input, source, host) accepted from a caller.
const MAX_NAME: usize = 512;

pub struct BroadcastService {
    hub: Arc<BroadcastHub>,
}

impl BroadcastService {
    pub fn new(hub: Arc<BroadcastHub>) -> Self {
        Self { hub }
    }
}

fn bounded(field: &str, value: &str) -> Result<(), RoxyError> {
    if value.len() > MAX_NAME {
        return Err(RoxyError::InvalidInput(format!(
            "{field}: at most {MAX_NAME} bytes are allowed."
        )));
    }
    Ok(())
}

#[interface(name = "io.github.skybeam.Roxy.Broadcast1")]
impl BroadcastService {
    fn instances(&self) -> Vec<ObsInstanceInfo> {
        self.hub.instances()
    }

    async fn add_instance(
        &self,
        name: String,
        host: String,
        port: u16,
        password: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<ObsInstanceInfo, RoxyError> {
        bounded("host", &host)?;
        let result = self.hub.add(&name, &host, port, &password).await;
        self.audit(conn, &header, "broadcast.add", &name, &result)
            .await;
        result
    }

    async fn remove_instance(
        &self,
        name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let result = self.hub.remove(&name).await;
        self.audit(conn, &header, "broadcast.remove", &name, &result)
            .await;
        result
    }

    async fn set_password(
        &self,
        name: String,
        password: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let result = self.hub.set_password(&name, &password).await;
        self.audit(conn, &header, "broadcast.password", &name, &result)
            .await;
        result
    }

    fn reconnect(&self, name: String) -> Result<(), RoxyError> {
        self.hub.link(&name)?.reconnect();
        Ok(())
    }

    fn state(&self, instance: String) -> Result<ObsStateInfo, RoxyError> {
        Ok(self.hub.link(&instance)?.state())
    }

    async fn set_program_scene(&self, instance: String, scene: String) -> Result<(), RoxyError> {
        bounded("scene", &scene)?;
        self.hub.link(&instance)?.set_program_scene(&scene).await
    }

    async fn set_preview_scene(&self, instance: String, scene: String) -> Result<(), RoxyError> {
        bounded("scene", &scene)?;
        self.hub.link(&instance)?.set_preview_scene(&scene).await
    }

    async fn set_studio_mode(&self, instance: String, on: bool) -> Result<(), RoxyError> {
        self.hub.link(&instance)?.set_studio_mode(on).await
    }

    async fn transition(&self, instance: String) -> Result<(), RoxyError> {
        self.hub.link(&instance)?.transition().await
    }

    async fn stream(&self, instance: String, action: String) -> Result<(), RoxyError> {
        self.hub.link(&instance)?.stream(&action).await
    }

    async fn record(&self, instance: String, action: String) -> Result<String, RoxyError> {
        self.hub.link(&instance)?.record(&action).await
    }

    async fn replay_buffer(&self, instance: String, action: String) -> Result<String, RoxyError> {
        self.hub.link(&instance)?.replay_buffer(&action).await
    }

    async fn set_virtual_cam(&self, instance: String, on: bool) -> Result<(), RoxyError> {
        self.hub.link(&instance)?.set_virtual_cam(on).await
    }

    async fn scene_items(
        &self,
        instance: String,
        scene: String,
    ) -> Result<Vec<SceneItemInfo>, RoxyError> {
        bounded("scene", &scene)?;
        self.hub.link(&instance)?.scene_items(&scene).await
    }

    async fn set_item_visible(
        &self,
        instance: String,
        scene: String,
        source: String,
        visible: bool,
    ) -> Result<(), RoxyError> {
        bounded("scene", &scene)?;
        bounded("source", &source)?;
        self.hub
            .link(&instance)?
            .set_item_visible(&scene, &source, visible)
            .await
    }

    async fn set_muted(
        &self,
        instance: String,
        input: String,
        muted: bool,
    ) -> Result<(), RoxyError> {
        bounded("input", &input)?;
        self.hub.link(&instance)?.set_muted(&input, muted).await
    }

    async fn set_volume(&self, instance: String, input: String, db: f64) -> Result<(), RoxyError> {
        bounded("input", &input)?;
        self.hub.link(&instance)?.set_volume(&input, db).await
    }

    fn watch_meters(&self, instance: String) -> Result<(), RoxyError> {
        self.hub.link(&instance)?.watch_meters();
        Ok(())
    }

    async fn screenshot(&self, instance: String, width: u32) -> Result<Vec<u8>, RoxyError> {
        self.hub.link(&instance)?.screenshot(width).await
    }

    async fn sessions(&self, limit: u32) -> Result<Vec<BroadcastSessionInfo>, RoxyError> {
        self.hub.sessions(limit).await
    }

    fn health_thresholds(&self) -> HealthThresholdsInfo {
        self.hub.health_thresholds()
    }

    async fn set_health_thresholds(
        &self,
        thresholds: HealthThresholdsInfo,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> Result<(), RoxyError> {
        let result = self.hub.set_health_thresholds(&thresholds).await;
        let target = format!(
            "lost {} %, window {} s, disk {} MB",
            thresholds.lost_percent, thresholds.window_s, thresholds.disk_free_mb
        );
        self.audit(conn, &header, "broadcast.thresholds", &target, &result)
            .await;
        result
    }

    fn ndi_sources(&self) -> Vec<NdiSourceInfo> {
        self.hub.ndi.sources()
    }

    async fn ndi_diagnose(&self) -> Vec<NdiFindingInfo> {
        self.hub.ndi.diagnose().await
    }

    #[zbus(signal)]
    pub async fn instances_changed(
        emitter: &SignalEmitter<'_>,
        instances: Vec<ObsInstanceInfo>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn instance_changed(
        emitter: &SignalEmitter<'_>,
        instance: ObsInstanceInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn state_changed(
        emitter: &SignalEmitter<'_>,
        state: ObsStateInfo,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn meters(
        emitter: &SignalEmitter<'_>,
        instance: String,
        meters: Vec<MeterInfo>,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn record_state_changed(
        emitter: &SignalEmitter<'_>,
        instance: String,
        state: String,
        file: String,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub async fn ndi_sources_changed(
        emitter: &SignalEmitter<'_>,
        sources: Vec<NdiSourceInfo>,
    ) -> zbus::Result<()>;
}

impl BroadcastService {
    async fn audit<T>(
        &self,
        conn: &Connection,
        header: &Header<'_>,
        action: &str,
        name: &str,
        result: &Result<T, RoxyError>,
    ) {
        let actor = caller::describe(conn, header).await;
        let (outcome, detail) = match result {
            Ok(_) => ("ok", String::new()),
            Err(e) => ("failed", e.to_string()),
        };
        let _ = self
            .hub
            .store()
            .audit(&actor, action, &format!("obs:{name}"), outcome, &detail)
            .await;
    }
}
