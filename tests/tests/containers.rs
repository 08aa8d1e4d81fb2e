//! Containers through a real dockerd on a private socket: the engine appearing, state from
//! the event stream, actions, logs, and self-healing (backoff, flap limit with exactly one
//! notice, unhealthy → restart → recovered).

use roxy_tests::*;
use std::time::Duration;

fn containers(bus: &TestBus) -> Vec<serde_json::Value> {
    bus.roxyctl_json(&["infra", "containers"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn container(bus: &TestBus, name: &str) -> Option<serde_json::Value> {
    containers(bus).into_iter().find(|c| c["name"] == name)
}

fn audit_actions(bus: &TestBus, text: &str) -> Vec<(String, String)> {
    bus.roxyctl_json(&["audit", "search", text])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_crash_loop_is_restarted_with_backoff_then_given_up_with_one_notice() {
    // roxyd starts before the engine: it says so, then connects when pointed at the socket.
    let bus = TestBus::with_daemon_env(&[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    let dunst = Dunst::start(&bus);
    let out = bus.roxyctl(&["infra", "containers"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("roxyctl infra engine"),
        "says how to point Roxy at a socket: {}",
        stdout(&out)
    );

    let engine = Dockerd::start();
    let out = bus.roxyctl(&["infra", "engine", engine.socket.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("API 1."), "{}", stdout(&out));

    engine.run(&[
        "--name",
        "crashy",
        "--label",
        "roxy.heal=true",
        "--label",
        "roxy.heal.max-restarts=3",
        "--label",
        "roxy.heal.backoff=200ms",
        "--label",
        "roxy.heal.window=5m",
        IMAGE,
        "sh",
        "-c",
        "echo boom; exit 3",
    ]);
    assert!(
        bus.wait_for(Duration::from_secs(90), || container(&bus, "crashy")
            .is_some_and(|c| c["heal"] == "gave-up")),
        "Roxy gave up: {:?}",
        container(&bus, "crashy")
    );
    let c = container(&bus, "crashy").unwrap();
    assert_eq!(c["state"], "exited");
    assert_eq!(c["exit_code"], 3);
    assert_eq!(c["heal_restarts"], 3);

    let actions = audit_actions(&bus, "crashy");
    let restarts: Vec<_> = actions
        .iter()
        .filter(|(a, _)| a == "container.heal-restart")
        .collect();
    assert_eq!(restarts.len(), 3, "{actions:?}");
    assert!(restarts[0].1.contains("code 3"), "{restarts:?}");
    assert_eq!(
        actions
            .iter()
            .filter(|(a, _)| a == "container.gave-up")
            .count(),
        1,
        "{actions:?}"
    );

    let alerts = bus.roxyctl_json(&["alerts", "list"]);
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["rule"], "container-gave-up");
    assert_eq!(alerts[0]["subject"], "crashy");

    // Exactly one notice, and no more later.
    assert!(bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()));
    std::thread::sleep(Duration::from_secs(3));
    let shown: Vec<String> = dunst
        .shown()
        .into_iter()
        .filter(|l| l.contains("crashy"))
        .collect();
    assert_eq!(shown.len(), 1, "{:?}", dunst.shown());
    assert!(shown[0].contains("3 times"), "{shown:?}");

    // Four runs, four lines of output.
    let out = bus.roxyctl(&["infra", "logs", "crashy", "-n", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("boom").count(), 4, "{}", stdout(&out));
}

#[test]
fn an_unhealthy_container_is_restarted_and_its_recovery_told() {
    let engine = Dockerd::start();
    let bus = TestBus::with_daemon_env(&[("DOCKER_HOST", &engine.url())]);
    let dunst = Dunst::start(&bus);
    // Unhealthy in its first life, healthy after one restart.
    engine.run(&[
        "--name",
        "sick",
        "--label",
        "roxy.heal=on",
        "--label",
        "roxy.heal.backoff=200ms",
        "--health-cmd",
        "test -f /ok",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
        IMAGE,
        "sh",
        "-c",
        "if [ -f /ran ]; then echo > /ok; fi; echo > /ran; exec sleep 1000",
    ]);
    assert!(
        bus.wait_for(Duration::from_secs(60), || audit_actions(&bus, "sick")
            .iter()
            .any(|(a, d)| a == "container.heal-restart" && d == "unhealthy")),
        "restarted because unhealthy: {:?}",
        audit_actions(&bus, "sick")
    );
    assert!(
        bus.wait_for(Duration::from_secs(30), || container(&bus, "sick")
            .is_some_and(|c| c["health"] == "healthy")),
        "{:?}",
        container(&bus, "sick")
    );
    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("“sick” is running again"))),
        "{:?}",
        dunst.shown()
    );
    let c = container(&bus, "sick").unwrap();
    assert_eq!(c["heal"], "watching");
    assert_eq!(c["state"], "running");
    assert!(c["started_at"].as_i64().unwrap() > 0);

    // A person's stop is not a crash: no restart follows, and it is audited as theirs.
    let out = bus.roxyctl(&["infra", "stop", "sick"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        bus.wait_for(Duration::from_secs(10), || container(&bus, "sick")
            .is_some_and(|c| c["state"] == "exited"))
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(container(&bus, "sick").unwrap()["state"], "exited");
    let actions = audit_actions(&bus, "sick");
    assert!(
        actions.iter().any(|(a, _)| a == "container.stop"),
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|(a, _)| a == "container.heal-restart")
            .count(),
        1,
        "{actions:?}"
    );
}

#[test]
fn changes_made_outside_roxy_arrive_as_signals() {
    let engine = Dockerd::start();
    let bus = TestBus::with_daemon_env(&[("DOCKER_HOST", &engine.url())]);
    assert!(bus.wait_for(Duration::from_secs(20), || bus
        .roxyctl(&["infra", "containers"])
        .status
        .success()));
    let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .build()
        .unwrap();
    let proxy = zbus::blocking::Proxy::new(
        &conn,
        DAEMON_BUS_NAME,
        roxy_ipc::names::DAEMON_PATH,
        roxy_ipc::names::interfaces::INFRA1,
    )
    .unwrap();
    let mut changes = proxy.receive_signal("ContainerChanged").unwrap();
    let id = engine.run(&["--name", "quiet", IMAGE, "sleep", "1000"]);
    let mut seen_running = false;
    for message in changes.by_ref() {
        let info: roxy_ipc::ContainerInfo = message.body().deserialize().unwrap();
        if info.id == id && info.state == "running" {
            seen_running = true;
            break;
        }
    }
    assert!(seen_running);
    // Removed outside Roxy: the removal is signalled too.
    let mut removals = proxy.receive_signal("ContainerRemoved").unwrap();
    assert!(engine.docker(&["rm", "-f", &id]).status.success());
    let removed = removals.next().unwrap();
    let removed_id: String = removed.body().deserialize().unwrap();
    assert_eq!(removed_id, id);
    assert!(container(&bus, "quiet").is_none());
}
