//! roxyd's tray item against the real status-notifier-watcher: registration, the menu over
//! com.canonical.dbusmenu, clicks that reach the daemon, the attention state, and no tray
//! host at all.

use roxy_tests::*;
use std::time::Duration;

/// roxyd's item as the watcher lists it. The number after the pid counts the item's exports:
/// roxyd exports it again when a watcher refused the first registration.
fn roxyd_item(host: &TrayHost, pid: u32) -> Option<String> {
    let prefix = format!("org.kde.StatusNotifierItem-{pid}-");
    host.items().into_iter().find(|i| i.starts_with(&prefix))
}

fn schedules_suspended(bus: &TestBus) -> bool {
    let out = bus.roxyctl(&["schedule", "list"]);
    stdout(&out).contains("All schedules are paused")
}

#[test]
fn the_tray_menu_runs_favourites_pauses_schedules_and_quits() {
    let bus = TestBus::new();
    let host = TrayHost::start(&bus);
    let done = bus.dir.path().join("warmed");
    bus.write_runbook(
        "warm",
        &format!(
            "name: Warm up\ntags: [tray]\nsteps:\n  - run: touch {}\n",
            done.display()
        ),
    );
    bus.write_runbook("plain", "steps:\n  - run: \"true\"\n");
    bus.write_runbook("broken-run", "name: Breaks\nsteps:\n  - run: exit 3\n");
    assert!(bus.roxyctl(&["status"]).status.success());
    let pid = bus.daemon_pid().expect("roxyd runs");

    assert!(
        bus.wait_for(Duration::from_secs(10), || roxyd_item(&host, pid).is_some()),
        "roxyd's item registered: {:?}",
        host.items()
    );
    let item = roxyd_item(&host, pid).unwrap();
    let menu = host.menu(&item);
    let labels: Vec<&str> = menu.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Open Roxy",
            "Run Runbook",
            "Warm up",
            "",
            "Pause All Schedules",
            "Do Not Disturb",
            "",
            "Quit Daemon"
        ],
        "{menu:?}"
    );
    let pause = menu
        .iter()
        .find(|e| e.label == "Pause All Schedules")
        .unwrap();
    assert_eq!(pause.checked, 0);
    assert_eq!(
        host.item_property::<String>(&item, "Status").as_deref(),
        Some("Active")
    );

    host.click(&item, "Pause All Schedules");
    assert!(bus.wait_for(Duration::from_secs(10), || schedules_suspended(&bus)));
    assert!(bus.wait_for(Duration::from_secs(5), || {
        host.menu(&item)
            .iter()
            .any(|e| e.label == "Pause All Schedules" && e.checked == 1)
    }));

    host.click(&item, "Do Not Disturb");
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            bus.roxyctl_json(&["notify", "status"])["status"]["do_not_disturb"] == true
        }),
        "Do Not Disturb from the tray reached roxyd"
    );
    assert!(bus.wait_for(Duration::from_secs(5), || {
        host.menu(&item)
            .iter()
            .any(|e| e.label == "Do Not Disturb" && e.checked == 1)
    }));
    bus.roxyctl(&["notify", "dnd", "off"]);
    assert!(bus.wait_for(Duration::from_secs(5), || {
        host.menu(&item)
            .iter()
            .any(|e| e.label == "Do Not Disturb" && e.checked == 0)
    }));

    host.click(&item, "Warm up");
    assert!(
        bus.wait_for(Duration::from_secs(10), || done.exists()),
        "the favourite ran"
    );
    let runs = bus.roxyctl_json(&["runbook", "runs", "warm"]);
    assert_eq!(runs[0]["actor"], "tray");

    let _ = bus.roxyctl(&["runbook", "run", "broken-run", "--follow"]);
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            host.item_property::<String>(&item, "Status").as_deref() == Some("NeedsAttention")
        }),
        "a failed run asks for attention"
    );

    host.click(&item, "Quit Daemon");
    assert!(
        bus.wait_for(Duration::from_secs(15), || !alive(pid)),
        "Quit Daemon stopped roxyd"
    );
}

#[test]
fn without_a_tray_host_roxyd_runs_and_registers_when_one_appears() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pid = bus.daemon_pid().expect("roxyd runs");
    std::thread::sleep(Duration::from_millis(300));
    assert!(bus.roxyctl(&["runbook", "list"]).status.success());

    let host = TrayHost::start(&bus);
    assert!(
        bus.wait_for(Duration::from_secs(10), || roxyd_item(&host, pid).is_some()),
        "the item registered with the late watcher: {:?}\n{}",
        host.items(),
        bus.log()
    );
}
