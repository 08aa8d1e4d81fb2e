//! Webhooks reach a real HTTP server on loopback with the event and the bearer token from
//! the secret store; failures are retried; a hung endpoint never holds up the run.

use roxy_tests::*;
use std::time::Duration;

const TOKEN: &str = "hook-TOKEN-5a4b3c2d1e";

fn failing_runbook(bus: &TestBus) {
    bus.write_runbook("nightly", "name: Nightly\nsteps:\n  - run: \"false\"\n");
}

/// Runs the runbook (written before roxyd started, so it is in the catalog) and waits for its job to end; it is expected to fail.
fn run_to_end(bus: &TestBus, id: &str) {
    let out = bus.roxyctl(&["runbook", "run", id, "--follow"]);
    assert!(!out.status.success(), "the run failed, as written");
    assert!(stderr(&out).contains("exited with"), "{}", stderr(&out));
}

#[test]
fn a_failed_run_posts_json_with_the_token_and_no_log_holds_it() {
    let bus = TestBus::with_log_level("debug");
    failing_runbook(&bus);
    let _keyring = SecretService::start(&bus);
    let sink = HttpSink::start(Answer::Statuses(vec![200]));
    let stored = bus.set_secret("ops-token", TOKEN);
    assert!(stored.status.success(), "{}", stderr(&stored));
    let added = bus.roxyctl(&[
        "webhook",
        "add",
        "ops",
        &sink.url,
        "--profile",
        "critical",
        "--secret",
        "ops-token",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));

    run_to_end(&bus, "nightly");
    assert!(
        bus.wait_for(Duration::from_secs(10), || !sink.requests().is_empty()),
        "the webhook was called"
    );
    let request = &sink.requests()[0];
    assert_eq!(request.path, "/hook");
    assert_eq!(
        request.header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert_eq!(body["event"], "run.failed");
    assert_eq!(body["profile"], "critical");
    assert_eq!(body["summary"], "Runbook “Nightly” failed");

    let listed = bus.roxyctl_json(&["webhook", "list"]);
    assert_eq!(listed[0]["secret"], "ops-token");
    assert!(
        bus.wait_for(Duration::from_secs(5), || {
            bus.roxyctl_json(&["webhook", "list"])[0]["last_result"] == "HTTP 200"
        }),
        "the delivery is reported"
    );
    let listed = bus.roxyctl(&["--json", "webhook", "list"]);
    assert!(!stdout(&listed).contains(TOKEN));
    assert!(
        !bus.log().contains(TOKEN),
        "roxyd's debug log holds the token"
    );
}

#[test]
fn a_server_error_is_retried_until_it_succeeds() {
    let bus = TestBus::new();
    failing_runbook(&bus);
    let sink = HttpSink::start(Answer::Statuses(vec![503, 200]));
    let added = bus.roxyctl(&["webhook", "add", "ops", &sink.url]);
    assert!(added.status.success(), "{}", stderr(&added));
    run_to_end(&bus, "nightly");
    assert!(
        bus.wait_for(Duration::from_secs(15), || sink.requests().len() == 2),
        "a second attempt followed the 503: {:?}",
        sink.requests()
    );
    assert_eq!(sink.requests()[0].body, sink.requests()[1].body);
    assert!(bus.wait_for(Duration::from_secs(5), || {
        bus.roxyctl_json(&["webhook", "list"])[0]["last_result"] == "HTTP 200"
    }));
}

#[test]
fn a_hung_endpoint_does_not_hold_up_the_run() {
    let bus = TestBus::new();
    failing_runbook(&bus);
    let hung = HttpSink::start(Answer::Never);
    let added = bus.roxyctl(&["webhook", "add", "hung", &hung.url]);
    assert!(added.status.success(), "{}", stderr(&added));
    // The run's job ends only after its failure was published …
    run_to_end(&bus, "nightly");
    let runs = bus.roxyctl_json(&["runbook", "runs", "nightly"]);
    assert_eq!(runs[0]["state"], "failed");
    // … and the webhook for it went out, but the hung server never answers (each of the
    // four attempts waits ten seconds): the job did not wait for the delivery.
    assert!(
        bus.wait_for(Duration::from_secs(10), || !hung.requests().is_empty()),
        "the delivery started"
    );
    assert_eq!(bus.roxyctl_json(&["webhook", "list"])[0]["last_result"], "");
}

#[test]
fn bad_webhooks_are_refused_with_the_field() {
    let bus = TestBus::new();
    let cases = [
        (vec!["webhook", "add", "x", "ftp://host"], "url"),
        (
            vec!["webhook", "add", "x", "http://host", "--format", "xml"],
            "format",
        ),
        (
            vec!["webhook", "add", "x", "http://host", "--profile", "loud"],
            "profiles",
        ),
        (
            vec![
                "webhook",
                "add",
                "x",
                "https://ntfy.sh/",
                "--format",
                "ntfy",
            ],
            "url",
        ),
    ];
    for (args, field) in cases {
        let out = bus.roxyctl(&args);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(
            stderr(&out).contains(&format!("webhook field `{field}`")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        bus.roxyctl_json(&["webhook", "list"]),
        serde_json::json!([])
    );
}

#[test]
fn the_digest_reaches_an_ntfy_topic() {
    let bus = TestBus::new();
    failing_runbook(&bus);
    let sink = HttpSink::start(Answer::Statuses(vec![200]));
    let topic_url = sink.url.replace("/hook", "/roxy-alerts");
    let added = bus.roxyctl(&[
        "webhook",
        "add",
        "phone",
        &topic_url,
        "--format",
        "ntfy",
        "--profile",
        "digest",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    bus.roxyctl(&["notify", "profile", "run.failed", "digest"]);
    run_to_end(&bus, "nightly");
    assert!(
        sink.requests().is_empty(),
        "digest events wait for the digest"
    );
    assert_eq!(bus.roxyctl_json(&["notify", "flush"])["sent"], 1);
    assert!(bus.wait_for(Duration::from_secs(10), || !sink.requests().is_empty()));
    let request = &sink.requests()[0];
    assert_eq!(request.path, "/");
    let body = request.json();
    assert_eq!(body["topic"], "roxy-alerts");
    assert_eq!(body["title"], "Roxy: 1 event");
    assert_eq!(body["message"], "Runbook “Nightly” failed");
    assert_eq!(body["priority"], 2);
}
