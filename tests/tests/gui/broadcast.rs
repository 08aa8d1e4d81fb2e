//! The Broadcast panel against real OBS 30.2: the link comes up, the scene grid highlights
//! the program scene and a click switches it, the mixer's meter moves with the looping tone,
//! the mute button reaches OBS, and a program snapshot shows.

use super::{pump_until, screenshot};
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
    drop(obs);
    bus.roxyctl_ok(&["obs", "remove", "studio"]);
    Ok(())
}
