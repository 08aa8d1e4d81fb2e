//! systemd units through roxyd. systemd itself cannot run in this test container (it needs to
//! be PID 1, and there is no system bus), so a stand-in user manager serves the D-Bus API on
//! the test bus: see `FakeSystemd`. What is tested is roxyd's side: listing, failed units,
//! start/stop/restart with audit, change signals, and refusing what it must not do.

use roxy_tests::*;
use std::time::Duration;

fn units(bus: &TestBus, failed: bool) -> Vec<serde_json::Value> {
    let mut args = vec!["infra", "units"];
    if failed {
        args.push("--failed");
    }
    bus.roxyctl_json(&args)
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn state(bus: &TestBus, name: &str) -> String {
    units(bus, false)
        .iter()
        .find(|u| u["name"] == name)
        .map(|u| u["active_state"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn user_units_are_listed_started_stopped_and_their_failures_seen() {
    let bus = TestBus::new();
    assert!(bus.roxyctl(&["status"]).status.success());
    // Before the manager appears: nothing to list, and a clear message.
    assert!(units(&bus, false).iter().all(|u| u["scope"] != "user"));

    let systemd = FakeSystemd::start(
        &bus,
        &[
            ("syncthing.service", "File sync", "active"),
            ("backup.timer", "Nightly backup", "active"),
            ("backup.service", "Backup", "inactive"),
            ("dev-sda.device", "A disk", "active"),
        ],
    );
    let listed: Vec<serde_json::Value> = units(&bus, false)
        .into_iter()
        .filter(|u| u["scope"] == "user")
        .collect();
    let names: Vec<&str> = listed.iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["backup.service", "backup.timer", "syncthing.service"],
        "services, timers and sockets only, sorted"
    );
    assert_eq!(listed[0]["scope"], "user");

    let out = bus.roxyctl(&["infra", "unit", "start", "backup.service"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state(&bus, "backup.service"), "active");
    let out = bus.roxyctl(&["infra", "unit", "stop", "syncthing.service"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(state(&bus, "syncthing.service"), "inactive");

    // A unit that fails by itself shows up under --failed, and roxyd says something changed.
    let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .build()
        .unwrap();
    let infra = zbus::blocking::Proxy::new(
        &conn,
        DAEMON_BUS_NAME,
        roxy_ipc::names::DAEMON_PATH,
        roxy_ipc::names::interfaces::INFRA1,
    )
    .unwrap();
    let mut changed = infra.receive_signal("UnitsChanged").unwrap();
    systemd.fail("backup.service");
    assert!(changed.next().is_some(), "UnitsChanged arrived");
    assert!(bus.wait_for(Duration::from_secs(5), || units(&bus, true).len() == 1));
    assert_eq!(units(&bus, true)[0]["name"], "backup.service");

    let out = bus.roxyctl(&["infra", "unit", "start", "nope.service"]);
    assert!(
        stderr(&out).contains("No user unit “nope.service”"),
        "{}",
        stderr(&out)
    );
    let out = bus.roxyctl(&["infra", "unit", "start", "dev-sda.device"]);
    assert!(
        stderr(&out).contains(".service, .timer or .socket"),
        "{}",
        stderr(&out)
    );

    let audit = bus.roxyctl_json(&["audit", "search", "unit."]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"unit.start") && actions.contains(&"unit.stop"),
        "{actions:?}"
    );
}
