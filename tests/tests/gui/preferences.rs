//! Preferences against the real daemon: a profile chosen in a combo row, a webhook added
//! through its dialog, and "Start at Login" reach roxyd and come back from it.

use super::pump_until;
use super::widgets::{all, row_titled, toplevel};
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use relm4::{ComponentController, Controller};
use roxy::application::AppMsg;
use roxy::App;
use roxy_tests::*;

fn profile_of(bus: &TestBus, kind: &str) -> String {
    let status = bus.roxyctl_json(&["notify", "status"]);
    status["kinds"]
        .as_array()
        .and_then(|kinds| kinds.iter().find(|k| k["id"] == kind))
        .and_then(|k| k["profile"].as_str())
        .unwrap_or_default()
        .to_owned()
}

pub fn changes_reach_the_daemon(app: &Controller<App>, bus: &TestBus) -> Result<(), String> {
    app.emit(AppMsg::ShowPreferences);
    let failed_row = || {
        toplevel::<adw::PreferencesWindow>()
            .and_then(|w| row_titled::<adw::ComboRow>(w.upcast_ref(), "A runbook failed"))
    };
    if !pump_until(app, |_| failed_row().is_some()) {
        return Err("the Notifications page never showed the event kinds".into());
    }
    let window: gtk::Widget = toplevel::<adw::PreferencesWindow>().unwrap().upcast();
    failed_row().unwrap().set_selected(2);
    if !pump_until(app, |_| profile_of(bus, "run.failed") == "digest") {
        return Err(format!(
            "roxyd did not take the profile: {}",
            profile_of(bus, "run.failed")
        ));
    }

    let add = all::<gtk::Button>(&window)
        .into_iter()
        .find(|b| b.tooltip_text().as_deref() == Some("Add Webhook"))
        .ok_or("no Add Webhook button")?;
    add.emit_clicked();
    if !pump_until(app, |_| toplevel::<adw::MessageDialog>().is_some()) {
        return Err("the webhook dialog did not open".into());
    }
    let dialog = toplevel::<adw::MessageDialog>().unwrap();
    let entry = |title: &str| row_titled::<adw::EntryRow>(dialog.upcast_ref(), title);
    entry("Name").ok_or("no Name field")?.set_text("ops");
    entry("URL")
        .ok_or("no URL field")?
        .set_text("http://127.0.0.1:9/hook");
    dialog.response("add");
    let shown = pump_until(app, |_| {
        row_titled::<adw::ActionRow>(&window, "ops").is_some()
    });
    let listed = bus.roxyctl_json(&["webhook", "list"]);
    if !shown || listed[0]["name"] != "ops" || listed[0]["profiles"][0] != "critical" {
        return Err(format!("webhook not saved and shown: {listed}"));
    }

    let entry_file = bus
        .dir
        .path()
        .join("config/autostart")
        .join(format!("{DAEMON_BUS_NAME}.desktop"));
    let startup =
        row_titled::<adw::ActionRow>(&window, "Start at Login").ok_or("no Start at Login row")?;
    let switch = all::<gtk::Switch>(startup.upcast_ref())
        .pop()
        .ok_or("no switch")?;
    switch.set_active(true);
    if !pump_until(app, |_| entry_file.exists()) {
        return Err("Start at Login wrote no autostart entry".into());
    }
    let prefs = toplevel::<adw::PreferencesWindow>().unwrap();
    if let Some(page) = all::<adw::PreferencesPage>(&window)
        .into_iter()
        .find(|p| p.title() == "Notifications")
    {
        prefs.set_visible_page(&page);
        let until = std::time::Instant::now() + std::time::Duration::from_millis(500);
        pump_until(app, |_| std::time::Instant::now() >= until);
        let path =
            std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gui/preferences.png");
        roxy::screenshot::save_window(prefs.upcast_ref(), &path)?;
        println!("    wrote {}", path.display());
    }
    prefs.close();
    Ok(())
}
