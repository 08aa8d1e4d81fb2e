//! The tray icon (a StatusNotifierItem, through ksni), owned by roxyd so it stays when the
//! window is closed.
//!
//! Without a tray host (GNOME without the AppIndicator extension) the item stays exported
//! and quietly registers once a StatusNotifierWatcher appears; nothing is reported as an
//! error, and notifications work regardless.

use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
use ksni::{MenuItem, Status, ToolTip, TrayMethods};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::names::APP_ID;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What a click in the tray asks of the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayAction {
    OpenWindow,
    RunRunbook(String),
    SuspendSchedules(bool),
    DoNotDisturb(bool),
    /// Start (true) or stop recording on this OBS instance.
    Record {
        instance: String,
        start: bool,
    },
    /// Push-to-talk: listen for one voice command.
    Listen,
    Quit,
}

/// What the tray shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayState {
    /// Sentences about what needs the person (approvals, failed runs); empty when all is well.
    pub attention: Vec<String>,
    /// `(runbook id, name)` of the runbooks tagged `tray`.
    pub favourites: Vec<(String, String)>,
    pub schedules_suspended: bool,
    /// Roxy's own Do Not Disturb.
    pub do_not_disturb: bool,
    /// The connected OBS instances and whether each records now (kept by
    /// [`Tray::show_recordings`]; [`Tray::show`] leaves it as it is).
    pub recordings: Vec<(String, bool)>,
    /// The voice loop's state ("idle", "listening", …), or "" while voice can't listen (no
    /// speech model). Kept by [`Tray::show_voice`].
    pub voice: String,
}

struct RoxyTray {
    state: TrayState,
    actions: mpsc::UnboundedSender<TrayAction>,
    /// Asks for the item to be exported afresh (see [`Tray::start`]).
    reregister: mpsc::UnboundedSender<()>,
}

impl RoxyTray {
    fn send(&self, action: TrayAction) {
        let _ = self.actions.send(action);
    }
}

impl ksni::Tray for RoxyTray {
    fn id(&self) -> String {
        APP_ID.to_owned()
    }

    fn title(&self) -> String {
        gettext("Roxy")
    }

    fn icon_name(&self) -> String {
        APP_ID.to_owned()
    }

    fn attention_icon_name(&self) -> String {
        "dialog-warning".into()
    }

    fn status(&self) -> Status {
        if self.state.attention.is_empty() {
            Status::Active
        } else {
            Status::NeedsAttention
        }
    }

    fn tool_tip(&self) -> ToolTip {
        let mut description = if self.state.attention.is_empty() {
            gettext("Nothing needs you.")
        } else {
            self.state.attention.join("\n")
        };
        if let Some(line) = voice_line(&self.state.voice) {
            description.push('\n');
            description.push_str(&line);
        }
        ToolTip {
            title: gettext("Roxy Command Center"),
            description,
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(TrayAction::OpenWindow);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let mut items: Vec<MenuItem<Self>> = vec![StandardItem {
            label: gettext("Open Roxy"),
            activate: Box::new(|tray: &mut Self| tray.send(TrayAction::OpenWindow)),
            ..Default::default()
        }
        .into()];
        if !self.state.voice.is_empty() {
            let label = match voice_line(&self.state.voice) {
                Some(line) => line,
                None => gettext("Push to Talk"),
            };
            items.push(
                StandardItem {
                    label,
                    enabled: self.state.voice == "idle",
                    activate: Box::new(|tray: &mut Self| tray.send(TrayAction::Listen)),
                    ..Default::default()
                }
                .into(),
            );
        }
        if !self.state.favourites.is_empty() {
            let runbooks = self
                .state
                .favourites
                .iter()
                .map(|(id, name)| {
                    let id = id.clone();
                    StandardItem {
                        label: name.clone(),
                        activate: Box::new(move |tray: &mut Self| {
                            tray.send(TrayAction::RunRunbook(id.clone()))
                        }),
                        ..Default::default()
                    }
                    .into()
                })
                .collect();
            items.push(
                SubMenu {
                    label: gettext("Run Runbook"),
                    submenu: runbooks,
                    ..Default::default()
                }
                .into(),
            );
        }
        for (instance, recording) in &self.state.recordings {
            let (instance, start) = (instance.clone(), !recording);
            let label = if start {
                fill(&gettext("Start Recording ({})"), &[&instance])
            } else {
                fill(&gettext("Stop Recording ({})"), &[&instance])
            };
            items.push(
                StandardItem {
                    label,
                    icon_name: if start {
                        "media-record"
                    } else {
                        "media-playback-stop"
                    }
                    .into(),
                    activate: Box::new(move |tray: &mut Self| {
                        tray.send(TrayAction::Record {
                            instance: instance.clone(),
                            start,
                        })
                    }),
                    ..Default::default()
                }
                .into(),
            );
        }
        items.push(MenuItem::Separator);
        items.push(
            CheckmarkItem {
                label: gettext("Pause All Schedules"),
                checked: self.state.schedules_suspended,
                activate: Box::new(|tray: &mut Self| {
                    let suspend = !tray.state.schedules_suspended;
                    tray.send(TrayAction::SuspendSchedules(suspend));
                }),
                ..Default::default()
            }
            .into(),
        );
        items.push(
            CheckmarkItem {
                label: gettext("Do Not Disturb"),
                checked: self.state.do_not_disturb,
                activate: Box::new(|tray: &mut Self| {
                    let on = !tray.state.do_not_disturb;
                    tray.send(TrayAction::DoNotDisturb(on));
                }),
                ..Default::default()
            }
            .into(),
        );
        items.push(MenuItem::Separator);
        items.push(
            StandardItem {
                label: gettext("Quit Daemon"),
                icon_name: "application-exit".into(),
                activate: Box::new(|tray: &mut Self| tray.send(TrayAction::Quit)),
                ..Default::default()
            }
            .into(),
        );
        items
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        // Keep the item: ksni registers it again when a watcher comes (or comes back). A
        // watcher that is there but refused the registration (one that takes its bus name
        // before exporting its object) is not retried by ksni, so we retry.
        let no_watcher = matches!(
            &reason,
            ksni::OfflineReason::No
                | ksni::OfflineReason::Error(ksni::Error::Watcher(
                    zbus::fdo::Error::ServiceUnknown(_)
                ))
        );
        tracing::debug!(?reason, "no tray host right now");
        if !no_watcher {
            let _ = self.reregister.send(());
        }
        true
    }
}

/// How often a refused registration is retried before waiting for the next watcher.
const REREGISTER_ATTEMPTS: u32 = 5;

/// The running tray item.
pub struct Tray {
    handle: Arc<tokio::sync::Mutex<Option<ksni::Handle<RoxyTray>>>>,
}

async fn spawn(
    state: TrayState,
    actions: mpsc::UnboundedSender<TrayAction>,
    reregister: mpsc::UnboundedSender<()>,
) -> Option<ksni::Handle<RoxyTray>> {
    let tray = RoxyTray {
        state,
        actions,
        reregister,
    };
    match tray.assume_sni_available(true).spawn().await {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::info!("no tray icon: {e}");
            None
        }
    }
}

impl Tray {
    /// Exports the tray item; clicks arrive on the returned channel.
    pub async fn start(state: TrayState) -> (Self, mpsc::UnboundedReceiver<TrayAction>) {
        let (actions, rx) = mpsc::unbounded_channel();
        let (reregister, mut retries) = mpsc::unbounded_channel();
        let handle = spawn(state, actions.clone(), reregister.clone()).await;
        let handle = Arc::new(tokio::sync::Mutex::new(handle));
        let slot = Arc::downgrade(&handle);
        tokio::spawn(async move {
            let mut attempt = 0;
            while retries.recv().await.is_some() {
                attempt += 1;
                if attempt > REREGISTER_ATTEMPTS {
                    continue;
                }
                tokio::time::sleep(std::time::Duration::from_millis(250 * (1 << attempt))).await;
                while retries.try_recv().is_ok() {}
                let Some(slot) = slot.upgrade() else { break };
                let mut current = slot.lock().await;
                let Some(old) = current.take() else { break };
                let state = old.update(|t| t.state.clone()).await.unwrap_or_default();
                old.shutdown().await;
                *current = spawn(state, actions.clone(), reregister.clone()).await;
            }
        });
        (Self { handle }, rx)
    }

    /// Shows `state` (does nothing when it is what the tray already shows). The OBS
    /// recording entries stay as they are.
    pub async fn show(&self, mut state: TrayState) {
        if let Some(handle) = self.handle.lock().await.as_ref() {
            handle
                .update(move |tray| {
                    state.recordings = tray.state.recordings.clone();
                    state.voice = tray.state.voice.clone();
                    if tray.state != state {
                        tray.state = state;
                    }
                })
                .await;
        }
    }

    /// The OBS entries: connected instances and whether each records.
    pub async fn show_recordings(&self, recordings: Vec<(String, bool)>) {
        if let Some(handle) = self.handle.lock().await.as_ref() {
            handle
                .update(move |tray| {
                    if tray.state.recordings != recordings {
                        tray.state.recordings = recordings;
                    }
                })
                .await;
        }
    }

    /// The voice loop's state; "" hides the push-to-talk entry.
    pub async fn show_voice(&self, voice: String) {
        if let Some(handle) = self.handle.lock().await.as_ref() {
            handle
                .update(move |tray| {
                    if tray.state.voice != voice {
                        tray.state.voice = voice;
                    }
                })
                .await;
        }
    }

    /// Whether the item is exported at all (it is not when the session bus refused it).
    pub async fn is_up(&self) -> bool {
        self.handle
            .lock()
            .await
            .as_ref()
            .is_some_and(|h| !h.is_closed())
    }

    pub async fn shutdown(&self) {
        if let Some(handle) = self.handle.lock().await.take() {
            handle.shutdown().await;
        }
    }
}

/// What the voice loop is doing, for the menu and tooltip; `None` when idle or unavailable.
fn voice_line(state: &str) -> Option<String> {
    Some(match state {
        "listening" => gettext("Voice: listening…"),
        "heard" => gettext("Voice: hearing you…"),
        "thinking" => gettext("Voice: thinking…"),
        "acting" => gettext("Voice: doing it…"),
        "speaking" => gettext("Voice: speaking…"),
        _ => return None,
    })
}
