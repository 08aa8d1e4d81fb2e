//! The controls: each one a request to the connected OBS, checked against the mirrored state
//! first so a wrong name gets an answer that lists the right ones.

use super::link::Link;
use obws::error::Error as ObsError;
use obws::requests::inputs::Volume;
use obws::requests::scene_items::SetEnabled;
use obws::requests::sources::TakeScreenshot;
use obws::responses::StatusCode;
use roxy_ipc::broadcast::SceneItemInfo;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::RoxyError;
use std::time::Duration;

pub const VOLUME_DB: std::ops::RangeInclusive<f64> = -100.0..=26.0;
pub const SCREENSHOT_WIDTH: std::ops::RangeInclusive<u32> = 8..=1920;

/// Longest wait for OBS' answer to one request. A request in flight when OBS dies is never
/// answered; without this the caller (and the GUI behind it) would wait forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

impl Link {
    /// One request to OBS, with its answer mapped to Roxy's errors and a time limit.
    async fn ask<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, ObsError>>,
    ) -> Result<T, RoxyError> {
        match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
            Ok(answer) => answer.map_err(|e| self.obs_error(e)),
            Err(_) => Err(RoxyError::Unavailable(fill(
                &gettext("OBS “{}” did not answer within 10 seconds."),
                &[&self.name()],
            ))),
        }
    }

    fn obs_error(&self, e: ObsError) -> RoxyError {
        match e {
            ObsError::Api { code, message } => {
                let text = fill(
                    &gettext("OBS “{}” refused: {}"),
                    &[
                        &self.name(),
                        &message.unwrap_or_else(|| format!("{code:?}")),
                    ],
                );
                match code {
                    StatusCode::ResourceNotFound => RoxyError::NotFound(text),
                    StatusCode::OutputRunning
                    | StatusCode::OutputNotRunning
                    | StatusCode::StudioModeNotActive
                    | StatusCode::InvalidResourceState => RoxyError::Failed(text),
                    _ => RoxyError::Failed(text),
                }
            }
            other => RoxyError::Unavailable(fill(
                &gettext("The link to OBS “{}” failed: {}"),
                &[&self.name(), &other],
            )),
        }
    }

    fn known_scene(&self, scene: &str) -> Result<(), RoxyError> {
        let state = self.state.lock().unwrap();
        if state.scenes.iter().any(|s| s == scene) {
            return Ok(());
        }
        Err(RoxyError::NotFound(fill(
            &gettext("scene: OBS “{}” has no scene “{}”. Its scenes: {}."),
            &[&self.name(), &scene, &state.scenes.join(", ")],
        )))
    }

    fn known_input(&self, input: &str) -> Result<(), RoxyError> {
        let state = self.state.lock().unwrap();
        if state.inputs.iter().any(|i| i.name == input) {
            return Ok(());
        }
        let names: Vec<&str> = state.inputs.iter().map(|i| i.name.as_str()).collect();
        Err(RoxyError::NotFound(fill(
            &gettext("input: OBS “{}” has no audio input “{}”. Its audio inputs: {}."),
            &[&self.name(), &input, &names.join(", ")],
        )))
    }

    pub async fn set_program_scene(&self, scene: &str) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.known_scene(scene)?;
        self.ask(client.scenes().set_current_program_scene(scene))
            .await
    }

    pub async fn set_preview_scene(&self, scene: &str) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.known_scene(scene)?;
        if !self.state.lock().unwrap().studio_mode {
            return Err(RoxyError::Failed(fill(
                &gettext("OBS “{}” is not in studio mode; turn it on to set a preview scene."),
                &[&self.name()],
            )));
        }
        self.ask(client.scenes().set_current_preview_scene(scene))
            .await
    }

    pub async fn set_studio_mode(&self, on: bool) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.ask(client.ui().set_studio_mode_enabled(on)).await
    }

    pub async fn transition(&self) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.ask(client.transitions().trigger()).await
    }

    pub async fn stream(&self, action: &str) -> Result<(), RoxyError> {
        let client = self.client()?;
        let streaming = client.streaming();
        match action {
            "start" => self.ask(streaming.start()).await,
            "stop" => self.ask(streaming.stop()).await,
            _ => Err(bad_action("action", action, "start, stop")),
        }
    }

    /// "stop" waits for OBS to finish the file and returns its path.
    pub async fn record(&self, action: &str) -> Result<String, RoxyError> {
        let client = self.client()?;
        let recording = client.recording();
        match action {
            "start" => self.ask(recording.start()).await.map(|()| String::new()),
            "stop" => self.ask(recording.stop()).await,
            "pause" => self.ask(recording.pause()).await.map(|()| String::new()),
            "resume" => self.ask(recording.resume()).await.map(|()| String::new()),
            _ => Err(bad_action("action", action, "start, stop, pause, resume")),
        }
    }

    pub async fn replay_buffer(&self, action: &str) -> Result<String, RoxyError> {
        let client = self.client()?;
        let replay = client.replay_buffer();
        match action {
            "start" => self.ask(replay.start()).await.map(|()| String::new()),
            "stop" => self.ask(replay.stop()).await.map(|()| String::new()),
            "save" => {
                // The saved file is only named by the event that follows.
                let mut events = client.events().map_err(|e| self.obs_error(e))?;
                self.ask(replay.save()).await?;
                let saved = tokio::time::timeout(Duration::from_secs(10), async {
                    use futures_util::StreamExt;
                    while let Some(event) = events.next().await {
                        if let obws::events::Event::ReplayBufferSaved { path } = event {
                            return Some(path.display().to_string());
                        }
                    }
                    None
                })
                .await;
                match saved {
                    Ok(Some(path)) => Ok(path),
                    _ => self.ask(replay.last_replay()).await,
                }
            }
            _ => Err(bad_action("action", action, "start, stop, save")),
        }
    }

    pub async fn set_virtual_cam(&self, on: bool) -> Result<(), RoxyError> {
        let client = self.client()?;
        let cam = client.virtual_cam();
        if on {
            self.ask(cam.start()).await
        } else {
            self.ask(cam.stop()).await
        }
    }

    pub async fn scene_items(&self, scene: &str) -> Result<Vec<SceneItemInfo>, RoxyError> {
        let client = self.client()?;
        self.known_scene(scene)?;
        let items = self.ask(client.scene_items().list(scene.into())).await?;
        let mut infos = Vec::with_capacity(items.len());
        for item in items {
            let visible = self
                .ask(client.scene_items().enabled(scene.into(), item.id))
                .await?;
            infos.push(SceneItemInfo {
                id: item.id,
                source: item.source_name,
                visible,
            });
        }
        // Top of the scene first, as OBS' window shows them.
        infos.reverse();
        Ok(infos)
    }

    pub async fn set_item_visible(
        &self,
        scene: &str,
        source: &str,
        visible: bool,
    ) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.known_scene(scene)?;
        // One request for the ids; the visibility of every item is not needed here.
        let items = self.ask(client.scene_items().list(scene.into())).await?;
        let Some(item) = items.iter().find(|i| i.source_name == source) else {
            let names: Vec<&str> = items.iter().map(|i| i.source_name.as_str()).collect();
            return Err(RoxyError::NotFound(fill(
                &gettext("source: scene “{}” has no source “{}”. Its sources: {}."),
                &[&scene, &source, &names.join(", ")],
            )));
        };
        self.ask(client.scene_items().set_enabled(SetEnabled {
            scene: scene.into(),
            item_id: item.id,
            enabled: visible,
        }))
        .await
    }

    pub async fn set_muted(&self, input: &str, muted: bool) -> Result<(), RoxyError> {
        let client = self.client()?;
        self.known_input(input)?;
        self.ask(client.inputs().set_muted(input.into(), muted))
            .await
    }

    pub async fn set_volume(&self, input: &str, db: f64) -> Result<(), RoxyError> {
        if !VOLUME_DB.contains(&db) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("volume: {} dB is out of range; use −100 to 26 dB."),
                &[&db],
            )));
        }
        let client = self.client()?;
        self.known_input(input)?;
        self.ask(
            client
                .inputs()
                .set_volume(input.into(), Volume::Db(db as f32)),
        )
        .await
    }

    /// A JPEG of the program scene as OBS renders it now.
    pub async fn screenshot(&self, width: u32) -> Result<Vec<u8>, RoxyError> {
        if !SCREENSHOT_WIDTH.contains(&width) {
            return Err(RoxyError::InvalidInput(fill(
                &gettext("width: {} pixels is out of range; use 8 to 1920."),
                &[&width],
            )));
        }
        let client = self.client()?;
        let scene = self.state.lock().unwrap().program_scene.clone();
        let data_uri = self
            .ask(client.sources().take_screenshot(TakeScreenshot {
                source: scene.as_str().into(),
                format: "jpg",
                width: Some(width),
                height: None,
                compression_quality: Some(75),
            }))
            .await?;
        let encoded = data_uri
            .split_once(";base64,")
            .map_or(data_uri.as_str(), |(_, data)| data);
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| {
                RoxyError::Failed(fill(
                    &gettext("OBS sent a screenshot Roxy cannot read: {}"),
                    &[&e],
                ))
            })
    }
}

fn bad_action(field: &str, value: &str, allowed: &str) -> RoxyError {
    RoxyError::InvalidInput(fill(
        &gettext("{}: “{}” is not allowed; use one of: {}."),
        &[&field, &value, &allowed],
    ))
}
