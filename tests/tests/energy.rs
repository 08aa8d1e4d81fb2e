//! The sampler's sysfs readings and the energy policy, on a prepared sysfs tree (this machine
//! has no battery, sensors or GPU; the tree stands in for the hardware, read by the same code
//! as /sys): a heavy runbook scheduled on a low battery waits, and runs when mains returns.

use roxy_tests::*;
use std::path::Path;
use std::time::Duration;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn energy(bus: &TestBus) -> serde_json::Value {
    bus.roxyctl_json(&["metrics", "energy"])
}

#[test]
fn heavy_runbooks_wait_for_power_and_sensors_become_metrics() {
    let sysfs = tempfile::tempdir().unwrap();
    let root = sysfs.path();
    write(root, "class/power_supply/AC/type", "Mains\n");
    write(root, "class/power_supply/AC/online", "0\n");
    write(root, "class/power_supply/BAT0/type", "Battery\n");
    write(root, "class/power_supply/BAT0/capacity", "25\n");
    write(root, "class/power_supply/BAT0/status", "Discharging\n");
    write(root, "class/hwmon/hwmon0/name", "coretemp\n");
    write(root, "class/hwmon/hwmon0/temp1_input", "51000\n");
    write(root, "class/hwmon/hwmon0/temp1_label", "Package id 0\n");
    write(root, "class/drm/card0/device/gpu_busy_percent", "12\n");

    let bus = TestBus::with_daemon_env(&[("ROXY_SYSFS_ROOT", root.to_str().unwrap())]);
    let marker = bus.dir.path().join("heavy-ran");
    bus.write_runbook(
        "nightly",
        &format!(
            "name: Nightly build\nweight: heavy\nsteps:\n  - run: sh -c 'echo ran >> {}'\n",
            marker.display()
        ),
    );
    assert!(bus.wait_for(Duration::from_secs(15), || energy(&bus)["level"] == "low"));
    let e = energy(&bus);
    assert_eq!(e["on_battery"], true);
    assert_eq!(e["battery_pct"], 25.0);

    assert!(bus.wait_for(Duration::from_secs(10), || !bus
        .roxyctl_json(&["metrics", "now"])
        .as_array()
        .unwrap()
        .is_empty()));
    let now = bus.roxyctl_json(&["metrics", "now"]);
    let value = |name: &str| {
        now.as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .map(|v| v["value"].as_f64().unwrap())
    };
    assert_eq!(value("temp.coretemp_package_id_0"), Some(51.0), "{now}");
    assert_eq!(value("gpu.card0.busy_pct"), Some(12.0));
    assert_eq!(value("power.battery_pct"), Some(25.0));
    assert_eq!(value("power.level"), Some(1.0));

    let out = bus.roxyctl(&["schedule", "add", "nightly", "--every", "1s"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        bus.wait_for(Duration::from_secs(15), || energy(&bus)["deferred"]
            .as_array()
            .is_some_and(|d| d.len() == 1)),
        "{}",
        energy(&bus)
    );
    let runbooks = bus.roxyctl_json(&["runbook", "list"]);
    let nightly = runbooks
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "nightly")
        .unwrap()
        .clone();
    assert!(nightly["deferred_since"].as_i64().unwrap() > 0, "{nightly}");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !marker.exists(),
        "a heavy runbook does not run on a low battery"
    );
    let audit = bus.roxyctl_json(&["audit", "search", "runbook.deferred"]);
    assert!(!audit.as_array().unwrap().is_empty(), "{audit}");

    // Mains is back: the waiting run starts (once), and later fires run normally.
    write(root, "class/power_supply/AC/online", "1\n");
    assert!(
        bus.wait_for(Duration::from_secs(30), || marker.exists()),
        "the deferred run started once power returned: {}",
        energy(&bus)
    );
    assert_eq!(energy(&bus)["level"], "full");
    assert!(energy(&bus)["deferred"].as_array().unwrap().is_empty());
    let audit = bus.roxyctl_json(&["audit", "search", "deferred for power"]);
    assert!(!audit.as_array().unwrap().is_empty(), "{audit}");
}
