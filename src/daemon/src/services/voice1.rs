//! `Voice1`: the listening loop, typed sentences, intents and the voice log.

use crate::voice::VoiceHub;
use roxy_ipc::voice::{
    HeardInfo, IntentMatchInfo, IntentsInfo, ModelInfo, VoiceStatusInfo, WakeInfo, WakeSampleInfo,
};
use roxy_ipc::RoxyError;
use std::sync::Arc;
use zbus::interface;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;

pub struct VoiceService {
    hub: Arc<VoiceHub>,
}

impl VoiceService {
    pub fn new(hub: Arc<VoiceHub>) -> Self {
        Self { hub }
    }
}

#[interface(name = "io.github.skybeam.Roxy.Voice1")]
impl VoiceService {
    async fn status(&self) -> VoiceStatusInfo {
        self.hub.status().await
    }

    async fn listen(&self) -> Result<(), RoxyError> {
        self.hub.listen().await
    }

    async fn set_mode(&self, mode: String) -> Result<(), RoxyError> {
        self.hub.set_mode(&mode).await
    }

    async fn devices(&self) -> Vec<String> {
        tokio::task::spawn_blocking(roxy_voice::input_devices)
            .await
            .unwrap_or_default()
    }

    async fn set_device(&self, device: String) -> Result<(), RoxyError> {
        self.hub.set_device(&device).await
    }

    async fn say(&self, sentence: String) -> Result<HeardInfo, RoxyError> {
        self.hub.say(&sentence).await
    }

    async fn test(&self, sentence: String) -> Result<Vec<IntentMatchInfo>, RoxyError> {
        self.hub.test(&sentence).await
    }

    async fn intents(&self) -> IntentsInfo {
        self.hub.intents().await
    }

    async fn log(&self, limit: u32) -> Result<Vec<HeardInfo>, RoxyError> {
        self.hub.log(limit).await
    }

    fn cancel(&self) {
        self.hub.cancel();
    }

    async fn speak(&self, text: String) -> Result<(u32, bool), RoxyError> {
        self.hub.speak(&text).await
    }

    async fn wake_status(&self) -> WakeInfo {
        self.hub.wake_status()
    }

    async fn record_wake_sample(&self) -> Result<WakeSampleInfo, RoxyError> {
        self.hub.record_wake_sample().await
    }

    fn clear_wake_samples(&self) {
        self.hub.clear_wake_samples();
    }

    async fn train_wake(&self, name: String, phrase: String) -> Result<WakeInfo, RoxyError> {
        self.hub.train_wake(&name, &phrase).await
    }

    async fn use_wake(&self, name: String) -> Result<WakeInfo, RoxyError> {
        self.hub.use_wake(&name).await
    }

    async fn remove_wake(&self, name: String) -> Result<WakeInfo, RoxyError> {
        self.hub.remove_wake(&name).await
    }

    async fn set_wake_sensitivity(&self, sensitivity: f64) -> Result<WakeInfo, RoxyError> {
        self.hub.set_wake_sensitivity(sensitivity).await
    }

    async fn models(&self) -> Vec<ModelInfo> {
        self.hub.models().await
    }

    async fn install_model(
        &self,
        kind: String,
        source: String,
    ) -> Result<OwnedObjectPath, RoxyError> {
        self.hub.install_model(&kind, &source).await
    }

    async fn use_model(&self, kind: String, name: String) -> Result<OwnedObjectPath, RoxyError> {
        self.hub.use_model(&kind, &name).await
    }

    async fn remove_model(&self, kind: String, name: String) -> Result<(), RoxyError> {
        self.hub.remove_model(&kind, &name).await
    }

    // Emitted by the hub with `Connection::emit_signal`; declared here so introspection (and
    // the GUI's proxies) know them.
    #[zbus(signal)]
    async fn voice_state_changed(emitter: &SignalEmitter<'_>, state: &str) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn heard(emitter: &SignalEmitter<'_>, entry: HeardInfo) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn level(emitter: &SignalEmitter<'_>, db: f64) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn intents_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn models_changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}
