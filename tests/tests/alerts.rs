//! Alert rules over a synthetic (pushed) metric: fire after the hold, resolve, one notice
//! each, the list and the audit log; rules that cannot be read are refused with the column.

use roxy_tests::*;
use std::time::Duration;

fn open_alerts(bus: &TestBus) -> Vec<serde_json::Value> {
    bus.roxyctl_json(&["alerts", "list"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn push(bus: &TestBus, value: &str) {
    let out = bus.roxyctl(&["metrics", "push", "queue.depth", value]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_rule_fires_and_resolves_once_with_one_notice_each() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    let out = bus.roxyctl(&[
        "alerts",
        "add",
        "queue-high",
        "queue.depth > 5",
        "--for",
        "2s",
        "--severity",
        "warning",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    push(&bus, "3");
    push(&bus, "9");
    assert!(
        bus.wait_for(Duration::from_secs(15), || !open_alerts(&bus).is_empty()),
        "the alert fired"
    );
    let open = open_alerts(&bus);
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["rule"], "queue-high");
    assert_eq!(open[0]["subject"], "queue.depth");
    assert_eq!(open[0]["severity"], "warning");
    assert!(
        open[0]["message"]
            .as_str()
            .unwrap()
            .contains("queue.depth is 9"),
        "{open:?}"
    );
    // Still above: no second alert, no second notice.
    push(&bus, "12");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(open_alerts(&bus).len(), 1);

    push(&bus, "1");
    assert!(
        bus.wait_for(Duration::from_secs(10), || open_alerts(&bus).is_empty()),
        "the alert resolved"
    );
    let all = bus.roxyctl_json(&["alerts", "list", "--all"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0]["resolved_at"].as_i64().unwrap() >= all[0]["fired_at"].as_i64().unwrap());

    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("Resolved"))),
        "{:?}",
        dunst.shown()
    );
    let shown = dunst.shown();
    let fired: Vec<_> = shown
        .iter()
        .filter(|l| l.contains("Alert “queue-high”"))
        .collect();
    let resolved: Vec<_> = shown.iter().filter(|l| l.contains("Resolved")).collect();
    assert_eq!((fired.len(), resolved.len()), (1, 1), "{shown:?}");

    let audit = bus.roxyctl_json(&["audit", "search", "queue-high"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"alert-rule.save"), "{actions:?}");
    assert!(actions.contains(&"alert.fire"), "{actions:?}");
    assert!(actions.contains(&"alert.resolve"), "{actions:?}");
}

#[test]
fn bad_rules_and_pushes_are_refused_with_the_place() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["alerts", "add", "x", "queue.depth >> 5"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("column 14"), "{}", stderr(&out));
    let out = bus.roxyctl(&["alerts", "add", "x", "queue.depth > lots"]);
    assert!(stderr(&out).contains("“lots”"), "{}", stderr(&out));
    let out = bus.roxyctl(&["metrics", "push", "cpu.0", "3"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("metric: “cpu.0”"), "{}", stderr(&out));
    // Defaults are there, and the daemon is still up.
    let rules = bus.roxyctl_json(&["alerts", "rules"]);
    let names: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"disk-almost-full"), "{names:?}");
    assert!(names.contains(&"check-down"), "{names:?}");
    assert!(bus.roxyctl(&["status"]).status.success());
}

#[test]
fn prometheus_exposition_is_off_until_asked_and_serves_loopback() {
    use std::io::{Read, Write};
    let bus = TestBus::new();
    assert_eq!(bus.roxyctl_json(&["metrics", "prometheus"])["port"], 0);
    push(&bus, "7");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let out = bus.roxyctl(&["metrics", "prometheus", &port]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scrape = || {
        let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).ok()?;
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .ok()?;
        let mut text = String::new();
        stream.read_to_string(&mut text).ok()?;
        Some(text)
    };
    assert!(bus.wait_for(Duration::from_secs(10), || scrape()
        .is_some_and(|t| t.contains("roxy_cpu "))));
    let text = scrape().unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("# TYPE roxy_queue_depth gauge\nroxy_queue_depth 7\n"),
        "{text}"
    );
    assert!(text.contains("roxy_mem_used_pct "), "{text}");
    let out = bus.roxyctl(&["metrics", "prometheus", "80"]);
    assert!(stderr(&out).contains("below 1024"), "{}", stderr(&out));
    assert!(bus
        .roxyctl(&["metrics", "prometheus", "off"])
        .status
        .success());
    assert!(scrape().is_none(), "stopped");
}
