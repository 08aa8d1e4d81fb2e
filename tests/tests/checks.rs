//! Checks against real servers on loopback: HTTP up, down, slow and with a missing
//! keyword; TCP open and refused; DNS; ICMP through the system ping; a TLS server with a
//! short-lived self-signed certificate. State changes, uptime, history and the default alerts.

use roxy_tests::*;
use std::time::Duration;

fn checks(bus: &TestBus) -> Vec<serde_json::Value> {
    bus.roxyctl_json(&["infra", "checks"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn check(bus: &TestBus, name: &str) -> serde_json::Value {
    checks(bus)
        .into_iter()
        .find(|c| c["spec"]["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

fn add(bus: &TestBus, args: &[&str]) {
    let mut all = vec!["infra", "check", "add"];
    all.extend_from_slice(args);
    let out = bus.roxyctl(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

fn open_alert_subjects(bus: &TestBus) -> Vec<String> {
    bus.roxyctl_json(&["alerts", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap().to_owned())
        .collect()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn http_tcp_dns_and_icmp_checks_find_up_down_slow_and_wrong() {
    let web = WebServer::start(Reply {
        status: 200,
        body: "all good here".into(),
        slow_delay: Duration::from_secs(2),
    });
    let bus = TestBus::new();
    let health = web.url("/health");
    let slow = web.url("/slow");
    let refused = format!("tcp://127.0.0.1:{}", closed_port());
    let open = format!("tcp://127.0.0.1:{}", web.port);
    add(
        &bus,
        &["web", &health, "--every", "1s", "--keyword", "good"],
    );
    add(
        &bus,
        &[
            "wording",
            &health,
            "--every",
            "1s",
            "--keyword",
            "missing-word",
        ],
    );
    add(
        &bus,
        &["slow", &slow, "--every", "1s", "--timeout", "300ms"],
    );
    add(&bus, &["refused", &refused, "--every", "1s"]);
    add(&bus, &["port", &open, "--every", "1s"]);
    add(&bus, &["name", "dns://localhost", "--every", "1s"]);
    add(&bus, &["ping", "icmp://127.0.0.1", "--every", "1s"]);
    assert!(
        bus.wait_for(Duration::from_secs(20), || checks(&bus)
            .iter()
            .all(|c| c["up"] != -1)),
        "every check ran: {:?}",
        checks(&bus)
    );
    let up = |name: &str| check(&bus, name)["up"].as_i64().unwrap();
    let message = |name: &str| check(&bus, name)["message"].as_str().unwrap().to_owned();
    assert_eq!(up("web"), 1, "{}", message("web"));
    assert_eq!(message("web"), "HTTP 200");
    assert_eq!(up("wording"), 0);
    assert!(
        message("wording").contains("“missing-word”"),
        "{}",
        message("wording")
    );
    assert_eq!(up("slow"), 0);
    assert!(
        message("slow").contains("timed out") || message("slow").contains("no answer"),
        "{}",
        message("slow")
    );
    assert_eq!(up("refused"), 0);
    assert!(
        message("refused").contains("refused"),
        "{}",
        message("refused")
    );
    assert_eq!(up("port"), 1);
    assert_eq!(up("name"), 1, "{}", message("name"));
    assert_eq!(up("ping"), 1, "{}", message("ping"));
    assert!(check(&bus, "ping")["latency_ms"].as_f64().unwrap() > 0.0);

    // The default rule raises one alert per failing check.
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            let subjects = open_alert_subjects(&bus);
            ["check.wording.up", "check.slow.up", "check.refused.up"]
                .iter()
                .all(|s| subjects.iter().any(|o| o == s))
        }),
        "{:?}",
        open_alert_subjects(&bus)
    );
    assert!(!open_alert_subjects(&bus).contains(&"check.web.up".to_owned()));

    // The service fails, then comes back.
    web.set(503, "maintenance");
    assert!(bus.wait_for(Duration::from_secs(10), || up("web") == 0));
    assert!(message("web").contains("HTTP 503"), "{}", message("web"));
    assert!(
        bus.wait_for(Duration::from_secs(10), || open_alert_subjects(&bus)
            .contains(&"check.web.up".to_owned()))
    );
    web.set(200, "all good here");
    assert!(bus.wait_for(Duration::from_secs(10), || up("web") == 1));
    assert!(
        bus.wait_for(Duration::from_secs(10), || !open_alert_subjects(&bus)
            .contains(&"check.web.up".to_owned())),
        "the alert resolved"
    );
    let history = bus.roxyctl_json(&["infra", "check", "history", "web"]);
    let history = history.as_array().unwrap();
    let ups: Vec<bool> = history.iter().map(|e| e["up"].as_bool().unwrap()).collect();
    assert_eq!(ups, vec![true, false, true], "newest first: {history:?}");
    assert!(history[1]["message"].as_str().unwrap().contains("503"));

    // Uptime: the web check was down for a while, the port never.
    std::thread::sleep(Duration::from_millis(1500));
    let uptime = check(&bus, "web")["uptime_24h"].as_f64().unwrap();
    assert!(uptime > 0.0 && uptime < 100.0, "{uptime}");
    assert_eq!(check(&bus, "port")["uptime_24h"].as_f64().unwrap(), 100.0);
    assert_eq!(check(&bus, "refused")["uptime_24h"].as_f64().unwrap(), 0.0);
    let latency = bus.roxyctl_json(&[
        "metrics",
        "history",
        "check.web.latency_ms",
        "--range",
        "5m",
    ]);
    assert!(!latency.as_array().unwrap().is_empty());

    // Removing a check stops it; it leaves the list at once.
    let out = bus.roxyctl(&["infra", "check", "remove", "refused"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!checks(&bus).iter().any(|c| c["spec"]["name"] == "refused"));
}

#[test]
fn a_short_lived_certificate_counts_as_expiring() {
    let server = TlsServer::start(3);
    let bus = TestBus::new();
    let target = format!("tls://127.0.0.1:{}", server.port);
    add(&bus, &["cert", &target, "--every", "1s"]);
    assert!(
        bus.wait_for(Duration::from_secs(20), || check(&bus, "cert")["up"] != -1),
        "{:?}",
        check(&bus, "cert")
    );
    let c = check(&bus, "cert");
    assert_eq!(c["up"], 1, "{c:?}");
    let days = c["cert_days"].as_f64().unwrap();
    assert!(days > 2.5 && days <= 3.0, "{days}");
    assert!(
        c["message"].as_str().unwrap().contains("valid until"),
        "{c:?}"
    );
    let text = stdout(&bus.roxyctl(&["infra", "checks"]));
    assert!(text.contains("expiring"), "{text}");
    assert!(
        bus.wait_for(Duration::from_secs(10), || open_alert_subjects(&bus)
            .contains(&"check.cert.cert_days".to_owned())),
        "{:?}",
        open_alert_subjects(&bus)
    );
}

#[test]
fn bad_checks_are_refused_with_the_field() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["infra", "check", "add", "nas", "nas:22"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("check field `target`"),
        "{}",
        stderr(&out)
    );
    let out = bus.roxyctl(&[
        "infra",
        "check",
        "add",
        "nas",
        "tcp://nas:22",
        "--every",
        "200ms",
    ]);
    assert!(
        stderr(&out).contains("check field `interval`"),
        "{}",
        stderr(&out)
    );
    let out = bus.roxyctl(&[
        "infra",
        "check",
        "add",
        "nas",
        "tcp://nas:22",
        "--keyword",
        "x",
    ]);
    assert!(
        stderr(&out).contains("check field `keyword`"),
        "{}",
        stderr(&out)
    );
    let out = bus.roxyctl(&["infra", "check", "history", "nope"]);
    assert!(stderr(&out).contains("No check “nope”"), "{}", stderr(&out));
    assert!(checks(&bus).is_empty());
}

#[test]
fn the_scorecard_measures_live_data_and_says_what_it_cannot() {
    let web = WebServer::start(Reply {
        status: 200,
        body: "ok".into(),
        slow_delay: Duration::ZERO,
    });
    let bus = TestBus::new();
    bus.write_runbook(
        "nightly-backup",
        "name: Nightly backup\nsteps:\n  - run: echo copied\n",
    );
    bus.write_runbook("flaky", "name: Flaky\nsteps:\n  - run: exit 4\n");
    add(&bus, &["web", &web.url("/"), "--every", "1s"]);
    assert!(bus
        .roxyctl(&["runbook", "run", "nightly-backup", "--follow"])
        .status
        .success());
    assert!(!bus
        .roxyctl(&["runbook", "run", "flaky", "--follow"])
        .status
        .success());
    assert!(bus.wait_for(Duration::from_secs(10), || check(&bus, "web")["up"] == 1));

    let scores = bus.roxyctl_json(&["metrics", "scorecard"]);
    let scores = scores.as_array().unwrap();
    assert_eq!(scores.len(), 20, "{scores:?}");
    let score = |id: &str| {
        scores
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    assert_eq!(score("checks_passing")["value"], 100.0);
    assert_eq!(score("checks_passing")["grade"], "good");
    assert_eq!(score("run_success_30d")["value"], 50.0);
    assert_eq!(score("run_success_30d")["grade"], "poor");
    assert_eq!(score("run_success_30d")["detail"], "1 of 2 runs");
    assert_eq!(score("backup_freshness")["grade"], "good");
    assert_eq!(score("docs_index_freshness")["grade"], "not-measured");
    assert!(score("docs_index_freshness")["value"].is_null());
    assert_eq!(score("containers_gave_up")["grade"], "not-measured");
    let text = stdout(&bus.roxyctl(&["metrics", "scorecard"]));
    assert!(text.contains("not measured"), "{text}");
    assert!(text.contains("Runs succeeded, 30 days"), "{text}");
}
