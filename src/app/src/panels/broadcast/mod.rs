//! Broadcast panel: the link to each OBS instance, the scene grid, big stream and record
//! buttons with timers, the mixer with live meters, statistics and health, a program snapshot
//! a few times a second, and NDI sources with a diagnosis. Mirrors the daemon's Broadcast1.

mod health_dialog;
mod instance_dialog;
mod layout;
mod mixer;
mod ndi_preview;
mod ndi_view;
mod outputs;
mod scene_grid;

use crate::connection::{BroadcastEvent, BroadcastRequest, DaemonRequest};
use layout::Parts;
use mixer::MixerActions;
use relm4::adw::prelude::*;
use relm4::gtk::{gdk, glib};
use relm4::{adw, gtk, ComponentParts, ComponentSender, SimpleComponent};
use roxy_ipc::broadcast::{ObsInstanceInfo, ObsStateInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::collections::BTreeMap;
use std::time::Duration;

/// Program snapshots: how often, and how wide.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(500);
const SNAPSHOT_WIDTH: u32 = 480;
/// Meters are leased for 15 s; renew well before.
const METERS_EVERY: Duration = Duration::from_secs(10);

pub struct BroadcastPanel {
    instances: Vec<ObsInstanceInfo>,
    selected: String,
    states: BTreeMap<String, ObsStateInfo>,
    snapshot_pending: bool,
    ndi_asked: bool,
    /// The instance names the picker lists.
    picker_names: Vec<String>,
    widgets: Parts,
}

#[derive(Debug)]
pub enum BroadcastInput {
    Event(Box<BroadcastEvent>),
    /// roxyd went away: nothing shown is live any more (it reloads when roxyd returns).
    DaemonGone,
    Select(u32),
    Add,
    Remove,
    Reconnect,
    Tick,
    RenewMeters,
    Scene(String),
    /// A scene by its place in the grid (Alt+1…9).
    SceneAt(usize),
    Request(BroadcastRequest),
}

#[derive(Debug)]
pub enum BroadcastOutput {
    Request(DaemonRequest),
}

#[derive(Clone)]
struct SendMixer(ComponentSender<BroadcastPanel>);

impl MixerActions for SendMixer {
    fn mute(&self, input: String, muted: bool) {
        self.0
            .input(BroadcastInput::Request(BroadcastRequest::Mute {
                instance: String::new(),
                input,
                muted,
            }));
    }

    fn volume(&self, input: String, db: f64) {
        self.0
            .input(BroadcastInput::Request(BroadcastRequest::Volume {
                instance: String::new(),
                input,
                db,
            }));
    }
}

impl BroadcastPanel {
    fn state(&self) -> Option<&ObsStateInfo> {
        self.states.get(&self.selected)
    }

    fn info(&self) -> Option<&ObsInstanceInfo> {
        self.instances.iter().find(|i| i.name == self.selected)
    }

    /// The selected instance; for tests.
    pub fn selected(&self) -> &str {
        &self.selected
    }

    /// The link state of the selected instance; for tests.
    pub fn link(&self) -> String {
        self.info().map(|i| i.link.clone()).unwrap_or_default()
    }

    /// The highlighted (program) scene in the grid; for tests.
    pub fn highlighted_scene(&self) -> Option<String> {
        self.widgets.scenes.highlighted()
    }

    pub fn click_scene(&self, scene: &str) -> bool {
        self.widgets.scenes.click(scene)
    }

    pub fn meter_level(&self, input: &str) -> Option<f64> {
        self.widgets.mixer.level(input)
    }

    pub fn toggle_mute(&self, input: &str) -> bool {
        self.widgets.mixer.toggle_mute(input)
    }

    pub fn muted(&self, input: &str) -> Option<bool> {
        self.state()?
            .inputs
            .iter()
            .find(|i| i.name == input)
            .map(|i| i.muted)
    }

    /// Whether a program snapshot is on screen; for tests.
    pub fn has_snapshot(&self) -> bool {
        self.widgets.preview.paintable().is_some()
    }

    pub fn ndi_names(&self) -> Vec<String> {
        self.widgets.ndi.names()
    }

    /// Starts the live preview of an NDI source, as its button does.
    pub fn watch_ndi(&self, name: &str) -> bool {
        self.widgets.ndi.watch(name)
    }

    /// Frames the NDI preview showed and the middle pixel of the last one (RGBA).
    pub fn ndi_preview_shown(&self) -> (u64, [u8; 4]) {
        self.widgets.ndi.preview_shown()
    }

    pub fn ndi_preview_label(&self) -> String {
        self.widgets.ndi.preview_label()
    }

    fn send(&self, sender: &ComponentSender<Self>, request: BroadcastRequest) {
        let _ = sender.output(BroadcastOutput::Request(DaemonRequest::Broadcast(request)));
    }

    /// Fills in the instance the panel shows where a request left it empty.
    fn aimed(&self, request: BroadcastRequest) -> BroadcastRequest {
        let instance = self.selected.clone();
        match request {
            BroadcastRequest::Mute { input, muted, .. } => BroadcastRequest::Mute {
                instance,
                input,
                muted,
            },
            BroadcastRequest::Volume { input, db, .. } => BroadcastRequest::Volume {
                instance,
                input,
                db,
            },
            BroadcastRequest::Stream { action, .. } => {
                BroadcastRequest::Stream { instance, action }
            }
            BroadcastRequest::Record { action, .. } => {
                BroadcastRequest::Record { instance, action }
            }
            BroadcastRequest::SaveReplay(_) => BroadcastRequest::SaveReplay(instance),
            BroadcastRequest::VirtualCam { on, .. } => {
                BroadcastRequest::VirtualCam { instance, on }
            }
            BroadcastRequest::StudioMode { on, .. } => {
                BroadcastRequest::StudioMode { instance, on }
            }
            BroadcastRequest::Transition(_) => BroadcastRequest::Transition(instance),
            other => other,
        }
    }

    fn refresh(&mut self, sender: &ComponentSender<Self>) {
        let w = &mut self.widgets;
        if self.instances.is_empty() {
            w.stack.set_visible_child_name("empty");
            return;
        }
        w.stack.set_visible_child_name("obs");
        let names: Vec<&str> = self.instances.iter().map(|i| i.name.as_str()).collect();
        let position = names.iter().position(|n| *n == self.selected).unwrap_or(0) as u32;
        // A new model only when the names changed: it resets the selection.
        if self.picker_names != names {
            w.picker.set_model(Some(&gtk::StringList::new(&names)));
            self.picker_names = names.iter().map(|n| n.to_string()).collect();
        }
        w.picker.set_selected(position);
        w.picker.set_visible(names.len() > 1);
        let info = self.instances.iter().find(|i| i.name == self.selected);
        let (link, message) = info
            .map(|i| (link_label(i), i.message.clone()))
            .unwrap_or_default();
        w.link.set_label(&link);
        w.message.set_label(&message);
        w.message.set_visible(!message.is_empty());
        let connected = info.is_some_and(|i| i.link == "connected");
        for class in ["success", "warning", "error"] {
            w.link.remove_css_class(class);
        }
        w.link.add_css_class(match info.map(|i| i.link.as_str()) {
            Some("connected") => "success",
            Some("connecting") | Some("offline") => "warning",
            _ => "error",
        });
        let empty = ObsStateInfo::default();
        let state = self.states.get(&self.selected).unwrap_or(&empty);
        let scene_sender = sender.clone();
        w.scenes.show(state, move |scene| {
            scene_sender.input(BroadcastInput::Scene(scene))
        });
        w.mixer.show(&state.inputs, SendMixer(sender.clone()));
        w.outputs.show(state, connected);
        if !connected {
            w.preview.set_paintable(None::<&gdk::Paintable>);
            w.preview_label
                .set_label(&gettext("No snapshot: OBS is not connected."));
        }
    }
}

fn link_label(info: &ObsInstanceInfo) -> String {
    let state = match info.link.as_str() {
        "connected" => gettext("Connected"),
        "connecting" => gettext("Connecting…"),
        "offline" => gettext("Offline — retrying"),
        "too-old" => gettext("OBS too old"),
        "auth-failed" => gettext("Password refused"),
        _ => gettext("Error"),
    };
    let version = if info.obs_version.is_empty() {
        String::new()
    } else {
        fill(&gettext(" · OBS {}"), &[&info.obs_version])
    };
    format!(
        "{} · {}:{} · {state}{version}",
        info.name, info.host, info.port
    )
}

impl SimpleComponent for BroadcastPanel {
    type Init = ();
    type Input = BroadcastInput;
    type Output = BroadcastOutput;
    type Root = gtk::Stack;
    type Widgets = ();

    fn init_root() -> Self::Root {
        gtk::Stack::builder().vexpand(true).build()
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let parts = layout::build(&root, &sender);

        // Snapshots and meter leases only while the panel is on screen.
        {
            let sender = sender.clone();
            glib::timeout_add_local(SNAPSHOT_EVERY, move || {
                sender.input(BroadcastInput::Tick);
                glib::ControlFlow::Continue
            });
        }
        {
            let sender = sender.clone();
            glib::timeout_add_local(METERS_EVERY, move || {
                sender.input(BroadcastInput::RenewMeters);
                glib::ControlFlow::Continue
            });
        }

        let mut model = BroadcastPanel {
            instances: Vec::new(),
            selected: String::new(),
            states: BTreeMap::new(),
            snapshot_pending: false,
            ndi_asked: false,
            picker_names: Vec::new(),
            widgets: parts,
        };
        model.refresh(&sender);
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, input: BroadcastInput, sender: ComponentSender<Self>) {
        let on_screen = self.widgets.stack.is_mapped();
        match input {
            BroadcastInput::Event(event) => match *event {
                BroadcastEvent::Instances(list) => {
                    self.instances = list;
                    if !self.instances.iter().any(|i| i.name == self.selected) {
                        self.selected = self
                            .instances
                            .first()
                            .map(|i| i.name.clone())
                            .unwrap_or_default();
                    }
                    self.states
                        .retain(|k, _| self.instances.iter().any(|i| i.name == *k));
                }
                BroadcastEvent::InstanceChanged(info) => {
                    match self.instances.iter_mut().find(|i| i.name == info.name) {
                        Some(existing) => *existing = info,
                        None => return,
                    }
                }
                BroadcastEvent::State(state) => {
                    self.states.insert(state.instance.clone(), state);
                }
                BroadcastEvent::Meters { instance, meters } => {
                    if instance == self.selected {
                        self.widgets.mixer.meters(&meters);
                    }
                    return;
                }
                BroadcastEvent::Snapshot { instance, jpeg } => {
                    self.snapshot_pending = false;
                    if instance == self.selected {
                        self.show_snapshot(&jpeg);
                    }
                    return;
                }
                BroadcastEvent::NdiSources(sources) => {
                    self.widgets.ndi.sources(&sources);
                    return;
                }
                BroadcastEvent::NdiFindings(findings) => {
                    self.widgets.ndi.findings(&findings);
                    return;
                }
                BroadcastEvent::Thresholds(limits) => {
                    let sender = sender.clone();
                    health_dialog::present(&self.widgets.stack, &limits, move |limits| {
                        sender.input(BroadcastInput::Request(BroadcastRequest::SetThresholds(
                            limits,
                        )))
                    });
                    return;
                }
            },
            BroadcastInput::DaemonGone => {
                for state in self.states.values_mut() {
                    state.connected = false;
                }
                for info in &mut self.instances {
                    info.link = "offline".into();
                    info.message.clear();
                }
                self.snapshot_pending = false;
            }
            BroadcastInput::Select(index) => {
                let Some(name) = self.instances.get(index as usize).map(|i| i.name.clone()) else {
                    return;
                };
                if name == self.selected {
                    return;
                }
                self.selected = name;
                self.widgets.mixer.meters(&[]);
                sender.input(BroadcastInput::RenewMeters);
            }
            BroadcastInput::Add => {
                let sender = sender.clone();
                instance_dialog::present(&self.widgets.stack, move |new| {
                    sender.input(BroadcastInput::Request(BroadcastRequest::Add {
                        name: new.name,
                        host: new.host,
                        port: new.port,
                        password: new.password,
                    }))
                });
                return;
            }
            BroadcastInput::Remove => {
                if !self.selected.is_empty() {
                    let name = self.selected.clone();
                    let sender = sender.clone();
                    let heading = fill(&gettext("Remove OBS “{}”?"), &[&name]);
                    let body = gettext("Roxy stops connecting to it and forgets its password. OBS itself is not changed.");
                    let (decline, accept) = (gettext("Cancel"), gettext("Remove"));
                    crate::confirm::ask(
                        &self.widgets.stack,
                        crate::confirm::Question {
                            heading: &heading,
                            body: &body,
                            decline: &decline,
                            accept: &accept,
                            appearance: adw::ResponseAppearance::Destructive,
                        },
                        move || {
                            sender.input(BroadcastInput::Request(BroadcastRequest::Remove(
                                name.clone(),
                            )))
                        },
                    );
                }
                return;
            }
            BroadcastInput::Reconnect => {
                self.send(&sender, BroadcastRequest::Reconnect(self.selected.clone()));
                return;
            }
            BroadcastInput::Tick => {
                if on_screen && !self.ndi_asked {
                    self.ndi_asked = true;
                    self.send(&sender, BroadcastRequest::Ndi);
                    self.send(
                        &sender,
                        BroadcastRequest::WatchMeters(self.selected.clone()),
                    );
                }
                let connected = self.state().is_some_and(|s| s.connected);
                if on_screen && connected && !self.snapshot_pending {
                    self.snapshot_pending = true;
                    self.send(
                        &sender,
                        BroadcastRequest::Snapshot {
                            instance: self.selected.clone(),
                            width: SNAPSHOT_WIDTH,
                        },
                    );
                }
                self.widgets.outputs.tick(self.state());
                return;
            }
            BroadcastInput::RenewMeters => {
                if on_screen && self.state().is_some_and(|s| s.connected) {
                    self.send(
                        &sender,
                        BroadcastRequest::WatchMeters(self.selected.clone()),
                    );
                }
                return;
            }
            BroadcastInput::Scene(scene) => {
                let studio = self.state().is_some_and(|s| s.studio_mode);
                let instance = self.selected.clone();
                self.send(
                    &sender,
                    if studio {
                        BroadcastRequest::PreviewScene { instance, scene }
                    } else {
                        BroadcastRequest::ProgramScene { instance, scene }
                    },
                );
                return;
            }
            BroadcastInput::SceneAt(index) => {
                if let Some(scene) = self.state().and_then(|s| s.scenes.get(index)).cloned() {
                    sender.input(BroadcastInput::Scene(scene));
                }
                return;
            }
            BroadcastInput::Request(request) => {
                let request = self.aimed(request);
                if matches!(request, BroadcastRequest::Snapshot { .. }) {
                    self.snapshot_pending = true;
                }
                self.send(&sender, request);
                return;
            }
        }
        self.refresh(&sender);
    }
}

impl BroadcastPanel {
    fn show_snapshot(&self, jpeg: &[u8]) {
        match gdk::Texture::from_bytes(&glib::Bytes::from(jpeg)) {
            Ok(texture) => {
                self.widgets.preview.set_paintable(Some(&texture));
                self.widgets.preview_label.set_label(&gettext(
                    "A snapshot of the program output, renewed about twice a second — not live video, and without sound.",
                ));
            }
            Err(e) => self.widgets.preview_label.set_label(&fill(
                &gettext("The snapshot could not be shown: {}"),
                &[&e],
            )),
        }
    }
}
