//! The Broadcast panel against real OBS 30.2: the link comes up, the scene grid highlights
//! the program scene and a click switches it, the mixer's meter moves with the looping tone,
//! the mute button reaches OBS, a program snapshot shows, the Stream Health dialog changes
//! roxyd's limits, and a real NDI sender's video plays in the preview.

use super::widgets::{all, dialog_headed, row_titled};
use super::{pump_until, screenshot};
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use relm4::ComponentController;
use relm4::Controller;
use roxy::application::AppMsg;
use roxy::panel::PanelId;
use roxy::App;
use roxy_tests::*;
use std::path::Path;

pub fn switches_scenes_and_shows_meters(
    app: &Controller<App>,
    bus: &TestBus,
    dir: &Path,
) -> Result<(), String> {
    let obs = Obs::start(ObsBuild::Current, 4455, "");
    bus.roxyctl_ok(&["obs", "add", "studio", "--port", "4455"]);
    app.emit(AppMsg::Select(PanelId::Broadcast));
    let panel = |app: &App| app.broadcast().model().highlighted_scene();
    if !pump_until(app, |a| {
        a.broadcast().model().link() == "connected" && panel(a).as_deref() == Some("Intro")
    }) {
        return Err(format!(
            "never connected with Intro on program: link {:?}, grid {:?}\n{}\n{}",
            app.model().broadcast().model().link(),
            panel(&app.model()),
            bus.roxyctl_json(&["obs", "list"]),
            obs.log()
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    if !app.model().broadcast().model().click_scene("Live") {
        return Err("no Live button in the grid".into());
    }
    if !pump_until(app, |a| panel(a).as_deref() == Some("Live")) {
        return Err(format!("the grid still shows {:?}", panel(&app.model())));
    }
    let program = bus.roxyctl_ok(&["obs", "status"])["program_scene"].clone();
    if program != "Live" {
        return Err(format!("OBS has {program} on program"));
    }
    if !pump_until(app, |a| {
        a.broadcast()
            .model()
            .meter_level("Music")
            .is_some_and(|l| l > 0.3)
    }) {
        return Err(format!(
            "the Music meter stayed at {:?}",
            app.model().broadcast().model().meter_level("Music")
        ));
    }
    if !pump_until(app, |a| a.broadcast().model().has_snapshot()) {
        return Err("no program snapshot".into());
    }
    app.model().broadcast().model().toggle_mute("Music");
    if !pump_until(app, |a| a.broadcast().model().muted("Music") == Some(true)) {
        return Err("Music never showed muted".into());
    }
    let muted = bus.roxyctl_ok(&["obs", "status"])["inputs"][0]["muted"].clone();
    if muted != true {
        return Err(format!("OBS says Music muted = {muted}"));
    }
    screenshot(app, dir, "broadcast.png")?;
    set_health_limits(app, bus)?;
    previews_ndi_video(app)?;
    drop(obs);
    bus.roxyctl_ok(&["obs", "remove", "studio"]);
    Ok(())
}

/// The header's "Stream health limits…" button opens the dialog with roxyd's limits; a
/// changed one is saved there.
fn set_health_limits(app: &Controller<App>, bus: &TestBus) -> Result<(), String> {
    let window: gtk::Widget = app.widget().clone().upcast();
    let button = all::<gtk::Button>(&window)
        .into_iter()
        .find(|b| b.tooltip_text().as_deref() == Some("Stream health limits…"))
        .ok_or("no Stream health limits button")?;
    button.emit_clicked();
    if !pump_until(app, |_| dialog_headed("Stream Health").is_some()) {
        let open: Vec<_> = gtk::Window::list_toplevels()
            .into_iter()
            .filter(|w| w.is_visible())
            .map(|w| w.type_().name().to_owned())
            .collect();
        return Err(format!(
            "the Stream Health dialog did not open; open: {open:?}"
        ));
    }
    let dialog = dialog_headed("Stream Health").unwrap();
    let spin = |title: &str| {
        row_titled::<adw::ActionRow>(dialog.upcast_ref(), title)
            .and_then(|row| all::<gtk::SpinButton>(row.upcast_ref()).pop())
    };
    let lost = spin("Lost or skipped frames").ok_or("no Lost or skipped frames field")?;
    if (lost.value() - 2.0).abs() > 1e-9 {
        return Err(format!(
            "the dialog shows {} %, not roxyd's 2 %",
            lost.value()
        ));
    }
    lost.set_value(7.5);
    spin("Counted over")
        .ok_or("no Counted over field")?
        .set_value(45.0);
    dialog.response("add");
    let mut limits = serde_json::Value::Null;
    if !pump_until(app, |_| {
        limits = bus.roxyctl_ok(&["obs", "health"]);
        limits["lost_percent"] == 7.5
    }) || limits["window_s"] != 45
    {
        return Err(format!("roxyd has {limits}"));
    }
    Ok(())
}

/// A real NDI sender (red test video through the NDI runtime) is found by roxyd, and its
/// preview shows the red frames through ndisrc and the appsink.
fn previews_ndi_video(app: &Controller<App>) -> Result<(), String> {
    let sender = NdiSender::start("Bars")?;
    if !pump_until(app, |a| {
        a.broadcast().model().ndi_names().contains(&sender.name)
    }) {
        return Err(format!(
            "roxyd never listed {}: {:?}",
            sender.name,
            app.model().broadcast().model().ndi_names()
        ));
    }
    if !app.model().broadcast().model().watch_ndi(&sender.name) {
        return Err("no preview button for the sender".into());
    }
    let red = |(frames, [r, g, b, _]): (u64, [u8; 4])| frames >= 3 && r > 200 && g < 60 && b < 60;
    if !pump_until(app, |a| red(a.broadcast().model().ndi_preview_shown())) {
        let model = app.model();
        let broadcast = model.broadcast().model();
        return Err(format!(
            "the preview showed {:?}: {}",
            broadcast.ndi_preview_shown(),
            broadcast.ndi_preview_label()
        ));
    }
    Ok(())
}
