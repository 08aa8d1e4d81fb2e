//! The Voice panel: without a speech model it says so and push-to-talk is off, while the test
//! box still explains matches and runs typed sentences through roxyd like spoken ones.

use super::{pump_until, screenshot};
use relm4::ComponentController;
use relm4::Controller;
use roxy::application::AppMsg;
use roxy::panel::PanelId;
use roxy::panels::voice::VoiceInput;
use roxy::App;
use roxy_tests::*;
use std::path::Path;

pub fn test_box_explains_and_runs_typed_sentences(
    app: &Controller<App>,
    bus: &TestBus,
    dir: &Path,
) -> Result<(), String> {
    app.emit(AppMsg::Select(PanelId::Voice));
    let voice = |a: &App| a.voice().model().state_text();
    if !pump_until(app, |a| voice(a) == "Idle" && !a.voice().model().can_talk()) {
        return Err(format!(
            "state {:?}, can talk {}",
            voice(&app.model()),
            app.model().voice().model().can_talk()
        ));
    }
    app.model()
        .voice()
        .model()
        .set_sentence("run runbook say helo");
    if !pump_until(app, |a| {
        a.voice()
            .model()
            .test_result()
            .starts_with("Would do: runbook")
    }) {
        return Err(format!(
            "test box says {:?} / {:?}",
            app.model().voice().model().test_result(),
            app.model().voice().model().explanation()
        ));
    }
    let why = app.model().voice().model().explanation();
    if !why.contains("{runbook} = “Say hello”") {
        return Err(format!("the explanation lacks the slot: {why}"));
    }
    app.model().voice().model().run_sentence();
    if !pump_until(app, |a| {
        a.voice().model().heard().first().map(String::as_str) == Some("run runbook say helo")
    }) {
        return Err(format!("heard: {:?}", app.model().voice().model().heard()));
    }
    let runs = bus.roxyctl_json(&["runbook", "runs", "hello"]);
    if runs[0]["actor"] != "voice" {
        return Err(format!("the newest run of hello: {}", runs[0]));
    }

    // The wake word: the built-in phrase, and a sensitivity set here reaches roxyd.
    let wake = |a: &App| a.voice().model().wake_word();
    if !pump_until(app, |a| wake(a).0 == "hey-roxy") {
        return Err(format!("wake word shown: {:?}", wake(&app.model())));
    }
    let title = app.model().voice().model().wake_title();
    if title != "Listen for “hey roxy”" {
        return Err(format!("the wake switch says {title:?}"));
    }
    app.model().voice().model().set_wake_sensitivity(0.7);
    let mut daemon = serde_json::Value::Null;
    if !pump_until(app, |a| {
        daemon = bus.roxyctl_json(&["voice", "wake"]);
        (daemon["sensitivity"].as_f64().unwrap_or(0.0) - 0.7).abs() < 1e-6
            && (wake(a).1 - 0.7).abs() < 1e-6
    }) {
        return Err(format!("roxyd's wake word after setting 0.7: {daemon}"));
    }
    // No speech model: the panel offers the install. A wake word installed here arrives as a
    // job, shows in the Models list and becomes choosable in the wake-word group.
    if !app.model().voice().model().offers_install() {
        return Err("without a speech model the panel should offer to install one".into());
    }
    let reference = dir.join("studio.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/voice/hey-roxy.wake.json"),
        &reference,
    )
    .map_err(|e| e.to_string())?;
    app.model().voice().emit(VoiceInput::InstallModel {
        kind: "wakeword".into(),
        source: reference.display().to_string(),
    });
    let studio = ("wakeword".to_string(), "studio".to_string(), false);
    if !pump_until(app, |a| a.voice().model().models().contains(&studio)) {
        return Err(format!(
            "models shown after installing studio.json: {:?} ({})",
            app.model().voice().model().models(),
            app.model().voice().model().model_problem()
        ));
    }
    app.model().voice().emit(VoiceInput::InstallModel {
        kind: "whisper".into(),
        source: reference.display().to_string(),
    });
    if !pump_until(app, |a| {
        a.voice().model().model_problem().contains("studio.json")
    }) {
        return Err(format!(
            "a .json offered as a speech model should be refused in the panel, it shows {:?}",
            app.model().voice().model().model_problem()
        ));
    }
    screenshot(app, dir, "voice.png")?;
    Ok(())
}
