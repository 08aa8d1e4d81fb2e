//! The Infrastructure and Metrics panels against the real daemon, a real dockerd and a
//! loopback web server: containers appear and change from engine events (nothing polls),
//! logs stream live, checks draw sparklines, charts fill from live samples, alerts list.

use super::{pump_until, screenshot};
use relm4::{ComponentController, Controller};
use roxy::application::AppMsg;
use roxy::connection::{DaemonRequest, InfraRequest, MetricsRequest};
use roxy::panel::PanelId;
use roxy::App;
use roxy_tests::*;
use std::path::Path;
use std::time::Duration;

pub fn containers_follow_engine_events(app: &Controller<App>, dir: &Path) -> Result<(), String> {
    let engine = Dockerd::start();
    app.emit(AppMsg::Select(PanelId::Infrastructure));
    app.emit(AppMsg::Request(DaemonRequest::Infra(
        InfraRequest::SetSocket(engine.socket.display().to_string()),
    )));
    let id = engine.run(&[
        "--name",
        "ticker",
        IMAGE,
        "sh",
        "-c",
        "i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done",
    ]);
    let running = pump_until(app, |m| {
        m.infrastructure()
            .model()
            .container("ticker")
            .is_some_and(|c| c.state == "running")
    });
    if !running {
        return Err(format!(
            "containers: {:?}",
            app.model().infrastructure().model().container_names()
        ));
    }
    app.model().infrastructure().model().open_logs(&id);
    let streaming = pump_until(app, |m| {
        let text = m.infrastructure().model().log_text();
        text.contains("tick 0") && text.contains("tick 3")
    });
    let text = app.model().infrastructure().model().log_text();
    if text.matches("tick 0\n").count() != 1 {
        return Err(format!(
            "a line shown twice between tail and follow: {text:?}"
        ));
    }
    if !streaming {
        return Err(format!(
            "log view: {:?}",
            app.model().infrastructure().model().log_text()
        ));
    }
    screenshot(app, dir, "container-logs.png")?;
    // Stopped outside Roxy: the row changes from the engine's event.
    if !engine
        .docker(&["stop", "-t", "1", "ticker"])
        .status
        .success()
    {
        return Err("docker stop failed".into());
    }
    let stopped = pump_until(app, |m| {
        m.infrastructure()
            .model()
            .container("ticker")
            .is_some_and(|c| c.state == "exited")
    });
    if !stopped {
        return Err(format!(
            "after stop: {:?}",
            app.model().infrastructure().model().container("ticker")
        ));
    }
    Ok(())
}

pub fn checks_draw_sparklines(app: &Controller<App>, dir: &Path) -> Result<(), String> {
    app.model().infrastructure().model().show_page("checks");
    let web = WebServer::start(Reply {
        status: 200,
        body: "fine".into(),
        slow_delay: Duration::from_secs(1),
    });
    app.emit(AppMsg::Request(DaemonRequest::Infra(
        InfraRequest::SaveCheck(roxy_ipc::CheckSpecInfo {
            name: "web".into(),
            target: web.url("/"),
            interval_ms: 1000,
            enabled: true,
            ..Default::default()
        }),
    )));
    let drawn = pump_until(app, |m| {
        let infra = m.infrastructure().model();
        infra
            .checks()
            .iter()
            .any(|c| c.spec.name == "web" && c.up == 1)
            && infra.sparkline("web").len() >= 3
    });
    if !drawn {
        let infra = app.model().infrastructure().model().checks();
        return Err(format!("checks: {infra:?}"));
    }
    screenshot(app, dir, "checks.png")
}

pub fn metrics_fill_from_live_samples(
    app: &Controller<App>,
    bus: &TestBus,
    dir: &Path,
) -> Result<(), String> {
    app.emit(AppMsg::Select(PanelId::Metrics));
    let live = pump_until(app, |m| {
        m.metrics()
            .model()
            .chart_state()
            .iter()
            .any(|(metric, points, value)| metric == "cpu" && *points >= 3 && value != "–")
    });
    if !live {
        return Err(format!(
            "charts: {:?}",
            app.model().metrics().model().chart_state()
        ));
    }
    app.emit(AppMsg::Request(DaemonRequest::Metrics(
        MetricsRequest::SaveRule(roxy_ipc::AlertRuleInfo {
            name: "gui-queue".into(),
            condition: "gui.queue > 1".into(),
            for_seconds: 0,
            severity: "warning".into(),
            enabled: true,
        }),
    )));
    let saved = pump_until(app, |_| {
        bus.roxyctl_json(&["alerts", "rules"])
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["name"] == "gui-queue"))
    });
    if !saved {
        return Err("the rule from the panel did not reach roxyd".into());
    }
    bus.roxyctl(&["metrics", "push", "gui.queue", "5"]);
    let listed = pump_until(app, |m| {
        m.metrics()
            .model()
            .alerts()
            .iter()
            .any(|a| a.rule == "gui-queue" && a.resolved_at == 0)
    });
    if !listed {
        return Err(format!(
            "alerts: {:?}",
            app.model().metrics().model().alerts()
        ));
    }
    screenshot(app, dir, "metrics.png")?;
    // Resolve it again, so later tests start without open alerts.
    bus.roxyctl(&["metrics", "push", "gui.queue", "0"]);
    Ok(())
}

/// systemd cannot run here; [`FakeSystemd`] serves its user-manager API on the test bus.
pub fn units_appear_and_start(app: &Controller<App>, bus: &TestBus) -> Result<(), String> {
    app.emit(AppMsg::Select(PanelId::Infrastructure));
    app.model().infrastructure().model().show_page("units");
    let _systemd = FakeSystemd::start(bus, &[("syncthing.service", "File sync", "inactive")]);
    let listed = pump_until(app, |m| {
        m.infrastructure()
            .model()
            .units()
            .iter()
            .any(|u| u.name == "syncthing.service" && u.active_state == "inactive")
    });
    if !listed {
        return Err(format!(
            "units: {:?}",
            app.model().infrastructure().model().units()
        ));
    }
    app.emit(AppMsg::Request(DaemonRequest::Infra(
        InfraRequest::UnitAction {
            unit: "syncthing.service".into(),
            action: "start".into(),
        },
    )));
    let started = pump_until(app, |m| {
        m.infrastructure()
            .model()
            .units()
            .iter()
            .any(|u| u.name == "syncthing.service" && u.active_state == "active")
    });
    if !started {
        return Err(format!(
            "units: {:?}",
            app.model().infrastructure().model().units()
        ));
    }
    Ok(())
}
