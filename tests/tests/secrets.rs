//! The secret store against a real Secret Service (gnome-keyring-daemon): values go in, reach
//! the steps that name them, and never come out: not in roxyctl output, signals, stored
//! output, the audit log, the database or roxyd's debug log.

use roxy_tests::*;

const VALUE: &str = "tok-SECRET-9f8e7d6c";

fn set_secret(bus: &TestBus, name: &str, value: &str) -> std::process::Output {
    bus.set_secret(name, value)
}

fn database_bytes(bus: &TestBus) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(bus.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(path).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_secret_reaches_its_step_and_leaks_nowhere() {
    let bus = TestBus::with_log_level("debug");
    let _service = SecretService::start(&bus);
    let out = set_secret(&bus, "ntfy-token", VALUE);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains(VALUE));
    assert_eq!(
        bus.roxyctl_json(&["secret", "list"]),
        serde_json::json!(["ntfy-token"])
    );

    let proof = bus.dir.path().join("matched");
    // The runbook must not spell the value out, or its step names would.
    let expected = bus.dir.path().join("expected");
    std::fs::write(&expected, VALUE).unwrap();
    bus.write_runbook(
        "notify",
        &format!(
            "secrets: {{ TOKEN: ntfy-token }}\nsteps:\n\
             \x20 - id: same\n    run: test \"$TOKEN\" = \"$(cat {})\" && touch {}\n\
             \x20 - id: chatty\n    run: echo \"the token is $TOKEN\"\n\
             \x20 - id: compare\n    run: echo \"$TOKEN\"\n    expected: {{ text: nope }}\n    on_failure: continue\n",
            expected.display(),
            proof.display()
        ),
    );
    // roxyd already runs: wait until it has read the new file.
    assert!(bus.wait_for(std::time::Duration::from_secs(10), || {
        bus.roxyctl(&["runbook", "show", "notify"]).status.success()
    }));
    let follow = bus.roxyctl(&["--json", "runbook", "run", "notify", "--follow"]);
    assert!(
        proof.exists(),
        "the step saw the real value: {} {}",
        stdout(&follow),
        stderr(&follow)
    );
    let followed = stdout(&follow);
    assert!(followed.contains("the token is ••••••"), "{followed}");
    assert!(!followed.contains(VALUE), "{followed}");

    let status = bus.roxyctl(&["--json", "runbook", "status", "1"]);
    assert!(stdout(&status).contains("••••••"));
    assert!(!stdout(&status).contains(VALUE));
    let audit = bus.roxyctl(&["audit", "export", "--jsonl"]);
    assert!(stdout(&audit).contains("secret.set"));
    assert!(!stdout(&audit).contains(VALUE));
    let jobs = bus.roxyctl(&["--json", "jobs", "list"]);
    assert!(!stdout(&jobs).contains(VALUE));

    // Stop roxyd so the WAL is checkpointed, then look at every byte it stored.
    bus.kill_daemon(libc::SIGTERM);
    assert!(
        !contains(&database_bytes(&bus), VALUE),
        "the database holds the value"
    );
    let log = bus.log();
    assert!(
        log.contains("DEBUG") || log.contains("INFO"),
        "debug logging was on"
    );
    assert!(!log.contains(VALUE), "roxyd's log holds the value");
}

#[test]
fn a_missing_secret_fails_the_step_with_what_to_do_and_delete_works() {
    let bus = TestBus::new();
    let _service = SecretService::start(&bus);
    bus.write_runbook(
        "needs",
        "steps:\n  - run: \"true\"\n    secrets: { PASSWORD: obs-password }\n",
    );
    let out = bus.roxyctl(&["runbook", "run", "needs", "--follow"]);
    assert!(!out.status.success());
    let status = bus.roxyctl_json(&["runbook", "status", "1"]);
    let message = status["run"]["message"].as_str().unwrap();
    assert!(
        message.contains("`roxyctl secret set obs-password`"),
        "{message}"
    );

    assert!(set_secret(&bus, "obs-password", "hunter2-long")
        .status
        .success());
    assert!(bus
        .roxyctl(&["runbook", "resume", "1", "--follow"])
        .status
        .success());
    let deleted = bus.roxyctl_json(&["secret", "delete", "obs-password"]);
    assert_eq!(deleted["deleted"], true);
    assert_eq!(bus.roxyctl_json(&["secret", "list"]), serde_json::json!([]));
    let again = bus.roxyctl(&["secret", "delete", "obs-password"]);
    assert!(!again.status.success());
}

#[test]
fn without_a_secret_service_the_error_says_what_to_start() {
    let bus = TestBus::new();
    let out = set_secret(&bus, "x-token", "abcdefgh");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Start a Secret Service such as GNOME Keyring"),
        "{}",
        stderr(&out)
    );
    let bad = set_secret(&bus, "bad name", "abcdefgh");
    assert!(
        stderr(&bad).contains("is not a secret name"),
        "{}",
        stderr(&bad)
    );
}
