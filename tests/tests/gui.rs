//! The real window under Xvfb, on a private bus with an activatable roxyd: connected state,
//! the banner when roxyd is killed, and its disappearance when roxyd returns. Reads widget
//! state and writes PNGs. Run under `xvfb-run` (the README's test command does).

use relm4::adw;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, glib};
use relm4::{Component, ComponentController, Controller};
use roxy::application::{AppMsg, DaemonState};
use roxy::connection::DaemonRequest;
use roxy::panel::PanelId;
use roxy::panels::runbooks::{Page, RunbooksInput};
use roxy::{App, AppInit};
use roxy_ipc::JobState;
use roxy_tests::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "gui/broadcast.rs"]
mod broadcast;
#[path = "gui/crm.rs"]
mod crm;
#[path = "gui/docs.rs"]
mod docs;
#[path = "gui/infra.rs"]
mod infra;
#[path = "gui/preferences.rs"]
mod preferences;
#[path = "gui/voice.rs"]
mod voice;
#[path = "gui/widgets.rs"]
mod widgets;

const WAIT: Duration = Duration::from_secs(20);

fn main() {
    // Loopback only, for this thread and all it starts: OBS must not reach the network and
    // obs-websocket listens on every interface.
    private_network();
    let model = embedding_model();
    let bus = TestBus::with_daemon_env(&[("ROXY_EMBEDDING_MODEL", model.to_str().unwrap())]);
    // Edition 2021: set_var is safe; nothing else runs yet.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    std::env::set_var("XDG_CONFIG_HOME", bus.dir.path().join("xdg-config"));
    std::env::set_var("XDG_DATA_HOME", bus.dir.path().join("xdg-data"));
    std::env::set_var("GSETTINGS_BACKEND", "memory");
    std::env::set_var("GTK_A11Y", "none");
    std::env::set_var("LC_ALL", "C.UTF-8");

    if relm4::gtk::init().is_err() {
        eprintln!("gui: no display. Run under xvfb-run (see README).");
        println!("0 passed, 1 failed");
        std::process::exit(1);
    }
    adw::init().expect("libadwaita initialises");
    roxy::config::register_resources();

    bus.write_runbook(
        "hello",
        "name: Say hello\ndescription: Prints a greeting\nsteps:\n  - run: echo hi\n",
    );
    bus.write_runbook("broken", "steps:\n  - run: ls\n    timout: 5s\n");
    bus.write_runbook(
        "gate",
        "name: Gated\ntags: [studio]\nsteps:\n  - id: before\n    run: echo before-the-gate\n  - approval: Go on?\n  - id: after\n    run: echo after-the-gate\n",
    );
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gui");
    std::fs::create_dir_all(&shots).unwrap();

    let app = App::builder().launch(AppInit::default()).detach();
    app.widget().set_default_size(1100, 720);
    app.widget().present();

    let mut results = Vec::new();
    let mut check = |name: &str, outcome: Result<(), String>| {
        match &outcome {
            Ok(()) => println!("test gui::{name} ... ok"),
            Err(e) => println!("test gui::{name} ... FAILED\n    {e}"),
        }
        results.push(outcome.is_ok());
    };

    check(
        "connects_to_the_activated_daemon",
        connects(&app, &bus, &shots),
    );
    check(
        "starts_a_job_and_shows_it_finished",
        runs_a_job(&app, &shots),
    );
    check(
        "runbooks_panel_runs_a_runbook_live",
        runs_a_runbook(&app, &shots),
    );
    check("runbook_detail_lists_the_steps", shows_detail(&app));
    check(
        "run_view_streams_output_and_approves_a_step",
        approves_in_run_view(&app, &shots),
    );
    check("schedules_are_added_and_paused", schedules(&app));
    check("ctrl_number_switches_panels", switches_panels(&app));
    check(
        "infrastructure_follows_engine_events_and_streams_logs",
        infra::containers_follow_engine_events(&app, &shots),
    );
    check(
        "units_appear_and_start_from_the_panel",
        infra::units_appear_and_start(&app, &bus),
    );
    check(
        "checks_show_results_with_sparklines",
        infra::checks_draw_sparklines(&app, &shots),
    );
    check(
        "metrics_chart_live_samples_and_list_alerts",
        infra::metrics_fill_from_live_samples(&app, &bus, &shots),
    );
    check(
        "preferences_change_notices_webhooks_and_start_up",
        preferences::changes_reach_the_daemon(&app, &bus),
    );
    check(
        "crm_list_searches_and_the_lead_form_checks_fields",
        crm::list_search_detail_and_lead_form(&app, &bus, &shots),
    );
    check(
        "crm_board_moves_deals_by_keyboard",
        crm::board_moves_deals_by_keyboard(&app, &bus),
    );
    check(
        "crm_duplicates_are_offered_for_merge",
        crm::duplicates_are_offered_for_merge(&app, &bus),
    );
    check(
        "crm_imports_and_exports_from_the_panel",
        crm::imports_and_exports_from_the_panel(&app, &bus),
    );
    check(
        "crm_list_view_holds_100k_rows",
        crm::list_view_holds_100k_rows(&app),
    );
    check(
        "docs_reader_renders_and_navigates",
        docs::reader_renders_and_navigates(&app, &bus, &shots),
    );
    check(
        "broadcast_switches_scenes_and_shows_meters",
        broadcast::switches_scenes_and_shows_meters(&app, &bus, &shots),
    );
    check(
        "voice_test_box_explains_and_runs_typed_sentences",
        voice::test_box_explains_and_runs_typed_sentences(&app, &bus, &shots),
    );
    check(
        "banner_shows_when_roxyd_is_killed",
        banner_on_kill(&app, &bus, &shots),
    );
    check(
        "banner_button_restarts_roxyd_and_hides",
        banner_restart(&app, &bus, &shots),
    );

    let failed = results.iter().filter(|ok| !**ok).count();
    println!(
        "\ngui: {} passed, {} failed",
        results.len() - failed,
        failed
    );
    drop(app);
    drop(bus);
    std::process::exit(if failed == 0 { 0 } else { 1 });
}

/// Runs the GTK main loop until `cond` holds or `WAIT` passes.
fn pump_until(app: &Controller<App>, mut cond: impl FnMut(&App) -> bool) -> bool {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        while context.iteration(false) {}
        if cond(&app.model()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// Lets animations finish (the banner slides) before a screenshot.
fn settle(app: &Controller<App>) {
    let until = Instant::now() + Duration::from_millis(700);
    pump_until(app, |_| Instant::now() >= until);
}

/// The banner as the widget shows it (the revealer's state, not just the model's wish).
fn banner_revealed(app: &App) -> bool {
    app.banner().widget().reveals_child() && app.banner().model().is_shown()
}

fn screenshot(app: &Controller<App>, dir: &Path, name: &str) -> Result<(), String> {
    let path = dir.join(name);
    // Right after a change the window may not have drawn a frame yet: wait for one.
    let mut saved = Err(String::new());
    for _ in 0..5 {
        settle(app);
        saved = roxy::screenshot::save_window(app.widget().upcast_ref(), &path);
        if saved.is_ok() {
            break;
        }
    }
    saved?;
    let texture = gdk::Texture::from_filename(&path).map_err(|e| e.to_string())?;
    if texture.width() < 600 || texture.height() < 400 {
        return Err(format!(
            "{name} is only {}x{}",
            texture.width(),
            texture.height()
        ));
    }
    println!("    wrote {}", path.display());
    Ok(())
}

fn connects(app: &Controller<App>, bus: &TestBus, dir: &Path) -> Result<(), String> {
    if !pump_until(app, |m| matches!(m.daemon(), DaemonState::Connected(_))) {
        return Err(format!("never connected: {:?}", app.model().daemon()));
    }
    let pid = bus.daemon_pid().ok_or("roxyd was not activated")?;
    if let DaemonState::Connected(status) = app.model().daemon() {
        if status.pid != pid {
            return Err(format!("status pid {} but bus owner {pid}", status.pid));
        }
    }
    if banner_revealed(&app.model()) {
        return Err("banner visible while connected".into());
    }
    screenshot(app, dir, "connected.png")
}

fn runs_a_job(app: &Controller<App>, dir: &Path) -> Result<(), String> {
    app.emit(AppMsg::Select(PanelId::Jobs));
    app.emit(AppMsg::Request(DaemonRequest::CheckDatabase));
    let done = pump_until(app, |m| {
        let jobs = m.jobs().model();
        jobs.job_ids()
            .first()
            .and_then(|id| jobs.job(*id))
            .is_some_and(|j| j.state == JobState::Succeeded && j.kind == "database-check")
    });
    if !done {
        return Err(format!(
            "job list: {:?}",
            app.model().jobs().model().job_ids()
        ));
    }
    screenshot(app, dir, "jobs.png")
}

fn runs_a_runbook(app: &Controller<App>, dir: &Path) -> Result<(), String> {
    app.emit(AppMsg::Select(PanelId::Runbooks));
    let listed = pump_until(app, |m| {
        m.runbooks().model().runbook_ids() == ["broken", "gate", "hello"]
    });
    if !listed {
        return Err(format!(
            "listed: {:?}",
            app.model().runbooks().model().runbook_ids()
        ));
    }
    app.emit(AppMsg::Request(DaemonRequest::RunRunbook {
        id: "hello".into(),
        approve: false,
    }));
    let done = pump_until(app, |m| {
        m.runbooks()
            .model()
            .runs()
            .first()
            .is_some_and(|r| r.runbook_id == "hello" && r.state == "succeeded")
    });
    if !done {
        return Err(format!("runs: {:?}", app.model().runbooks().model().runs()));
    }
    screenshot(app, dir, "runbooks.png")
}

fn shows_detail(app: &Controller<App>) -> Result<(), String> {
    app.model()
        .runbooks()
        .emit(RunbooksInput::OpenRunbook("gate".into()));
    let shown = pump_until(app, |m| {
        let panel = m.runbooks().model();
        panel.page() == Page::Detail && panel.detail_steps().len() == 3
    });
    let steps = app.model().runbooks().model().detail_steps();
    if !shown || steps[1] != "2. Go on?" {
        return Err(format!("detail steps: {steps:?}"));
    }
    Ok(())
}

fn approves_in_run_view(app: &Controller<App>, dir: &Path) -> Result<(), String> {
    app.emit(AppMsg::Request(DaemonRequest::RunRunbook {
        id: "gate".into(),
        approve: false,
    }));
    let states = |m: &App| m.runbooks().model().run_view_step_states();
    let waiting = pump_until(app, |m| {
        m.runbooks().model().page() == Page::Run
            && states(m) == ["ok", "waiting_approval", "pending"]
    });
    if !waiting {
        return Err(format!("step states: {:?}", states(&app.model())));
    }
    screenshot(app, dir, "run-waiting.png")?;
    let approve = find_labelled_button(app.model().runbooks().widget().upcast_ref(), "Approve")
        .ok_or("no visible Approve button in the run view")?;
    approve.emit_clicked();
    let done = pump_until(app, |m| states(m) == ["ok", "ok", "ok"]);
    let output = app.model().runbooks().model().run_view_output();
    if !done {
        return Err(format!("step states: {:?}", states(&app.model())));
    }
    let finished = pump_until(app, |m| {
        m.runbooks()
            .model()
            .run_view_output()
            .contains("after-the-gate")
    });
    if !finished || !output.contains("before-the-gate") {
        return Err(format!(
            "output: {:?}",
            app.model().runbooks().model().run_view_output()
        ));
    }
    screenshot(app, dir, "run-done.png")
}

fn schedules(app: &Controller<App>) -> Result<(), String> {
    app.emit(AppMsg::Request(DaemonRequest::AddSchedule {
        runbook: "hello".into(),
        kind: "every".into(),
        spec: "1h".into(),
        missed: "skip".into(),
    }));
    let listed = pump_until(app, |m| {
        m.runbooks()
            .model()
            .schedules()
            .first()
            .is_some_and(|s| s.runbook_id == "hello" && s.next_fire_at > 0)
    });
    if !listed {
        return Err(format!(
            "schedules: {:?}",
            app.model().runbooks().model().schedules()
        ));
    }
    let id = app.model().runbooks().model().schedules()[0].id;
    app.emit(AppMsg::Request(DaemonRequest::PauseSchedule {
        id,
        paused: true,
    }));
    let paused = pump_until(app, |m| {
        m.runbooks()
            .model()
            .schedules()
            .first()
            .is_some_and(|s| s.paused)
    });
    if !paused {
        return Err("the schedule did not show as paused".into());
    }
    Ok(())
}

fn switches_panels(app: &Controller<App>) -> Result<(), String> {
    let window = app.widget();
    for panel in [PanelId::Crm, PanelId::Metrics, PanelId::Infrastructure] {
        WidgetExt::activate_action(window, "win.show-panel", Some(&panel.id().to_variant()))
            .map_err(|e| e.to_string())?;
        if !pump_until(app, |m| m.current_panel() == panel) {
            return Err(format!("{panel:?} not selected"));
        }
        let accels =
            relm4::main_application().accels_for_action(&format!("win.show-panel::{}", panel.id()));
        if !accels.iter().any(|a| a == panel.accelerator()) {
            return Err(format!("{panel:?} has accelerators {accels:?}"));
        }
    }
    Ok(())
}

fn banner_on_kill(app: &Controller<App>, bus: &TestBus, dir: &Path) -> Result<(), String> {
    let pid = bus.daemon_pid().ok_or("roxyd not running")?;
    kill(pid, libc::SIGKILL);
    if !pump_until(app, banner_revealed) {
        return Err("banner did not appear after kill -9".into());
    }
    let reason = app.model().banner().model().reason().to_owned();
    if !reason.contains("stopped") {
        return Err(format!("banner says {reason:?}"));
    }
    if !matches!(app.model().daemon(), DaemonState::Unreachable(_)) {
        return Err("state is not unreachable".into());
    }
    screenshot(app, dir, "banner.png")
}

fn banner_restart(app: &Controller<App>, bus: &TestBus, dir: &Path) -> Result<(), String> {
    // Click the banner's own button, as a person would.
    let button =
        find_button(app.model().banner().widget().upcast_ref()).ok_or("no button in the banner")?;
    button.emit_clicked();
    if !pump_until(app, |m| {
        !banner_revealed(m) && matches!(m.daemon(), DaemonState::Connected(_))
    }) {
        return Err("banner did not clear after roxyd came back".into());
    }
    bus.daemon_pid()
        .ok_or("roxyd not running after the button")?;
    screenshot(app, dir, "reconnected.png")
}

/// A button with this label that is shown (it and all its ancestors visible).
fn find_labelled_button(widget: &relm4::gtk::Widget, label: &str) -> Option<relm4::gtk::Button> {
    if !widget.is_visible() {
        return None;
    }
    if let Some(button) = widget.downcast_ref::<relm4::gtk::Button>() {
        if button.label().as_deref() == Some(label) && widget.is_mapped() {
            return Some(button.clone());
        }
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(found) = find_labelled_button(&c, label) {
            return Some(found);
        }
        child = c.next_sibling();
    }
    None
}

fn find_button(widget: &relm4::gtk::Widget) -> Option<relm4::gtk::Button> {
    if let Ok(button) = widget.clone().downcast::<relm4::gtk::Button>() {
        return Some(button);
    }
    let mut child = widget.first_child();
    while let Some(c) = child {
        if let Some(b) = find_button(&c) {
            return Some(b);
        }
        child = c.next_sibling();
    }
    None
}
