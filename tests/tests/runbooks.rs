//! Runbooks for real: roxyd activated on a private bus runs real processes; roxyctl drives it.

use roxy_tests::*;
use std::path::Path;
use std::time::Duration;

fn run_status(bus: &TestBus, run: u64) -> serde_json::Value {
    bus.roxyctl_json(&["runbook", "status", &run.to_string()])
}

fn step_states(status: &serde_json::Value) -> Vec<String> {
    status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_owned())
        .collect()
}

fn start(bus: &TestBus, args: &[&str]) -> u64 {
    let mut all = vec!["runbook", "run"];
    all.extend_from_slice(args);
    bus.roxyctl_json(&all)["run"].as_u64().expect("a run id")
}

fn wait_for_state(bus: &TestBus, run: u64, state: &str) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    let ok = bus.wait_for(Duration::from_secs(30), || {
        last = run_status(bus, run);
        last["run"]["state"] == state
    });
    assert!(ok, "run {run} never reached {state}: {last:#}");
    last
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn verify_expected_and_when_decide_each_step() {
    let bus = TestBus::new();
    bus.write_runbook(
        "checks",
        r#"
steps:
  - id: greet
    run: ["echo", "hello"]
    expected: hello
  - id: probe
    run: exit 4
    on_failure: continue
  - id: after-failure
    run: echo ran
    when: steps.probe.failed and steps.probe.exit_code == 4
  - id: after-success
    run: echo never
    when: steps.probe.ok
  - id: verified
    run: "true"
    verify: echo state=ready
    expected: { regex: "state=(ready|up)" }
  - id: wrong-text
    run: echo goodbye
    expected: hello
"#,
    );
    let out = bus.roxyctl(&["runbook", "run", "checks", "--follow"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("[greet] hello"),
        "output is streamed: {}",
        stdout(&out)
    );
    let runs = bus.roxyctl_json(&["runbook", "runs", "checks"]);
    let run = runs[0]["id"].as_u64().unwrap();
    let status = run_status(&bus, run);
    assert_eq!(status["run"]["state"], "failed");
    assert_eq!(
        step_states(&status),
        ["ok", "failed", "ok", "skipped", "ok", "failed"]
    );
    assert_eq!(status["steps"][1]["exit_code"], 4);
    let message = status["run"]["message"].as_str().unwrap();
    assert!(
        message.contains("printed “goodbye”, expected “hello”"),
        "{message}"
    );
}

#[test]
fn a_timeout_stops_the_whole_process_group() {
    let bus = TestBus::new();
    let pid_file = bus.dir.path().join("child.pid");
    bus.write_runbook(
        "slow",
        &format!(
            "steps:\n  - id: hang\n    run: sleep 300 & echo $! > {}; sleep 300\n    timeout: 1s\n",
            pid_file.display()
        ),
    );
    let out = bus.roxyctl(&["runbook", "run", "slow", "--follow"]);
    assert_eq!(out.status.code(), Some(1));
    let run = bus.roxyctl_json(&["runbook", "runs"])[0]["id"]
        .as_u64()
        .unwrap();
    let status = run_status(&bus, run);
    assert!(
        status["run"]["message"]
            .as_str()
            .unwrap()
            .contains("timed out after 1 s"),
        "{status:#}"
    );
    let child: u32 = read(&pid_file)
        .trim()
        .parse()
        .expect("the background child wrote its pid");
    assert!(
        bus.wait_for(Duration::from_secs(10), || !alive(child)),
        "the background child of the step survived"
    );
}

#[test]
fn retries_back_off_until_a_step_succeeds() {
    let bus = TestBus::new();
    let counter = bus.dir.path().join("count");
    bus.write_runbook(
        "flaky",
        &format!(
            "steps:\n  - id: flaky\n    run: echo x >> {c}; test $(wc -l < {c}) -ge 3\n    retries: 4\n    backoff: 100ms\n",
            c = counter.display()
        ),
    );
    let out = bus.roxyctl(&["runbook", "run", "flaky", "--follow"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("attempt 2 of 5 failed; retrying in 200 ms"),
        "backoff doubles: {}",
        stdout(&out)
    );
    let run = bus.roxyctl_json(&["runbook", "runs"])[0]["id"]
        .as_u64()
        .unwrap();
    assert_eq!(run_status(&bus, run)["steps"][0]["attempts"], 3);
    assert_eq!(read(&counter).lines().count(), 3);
}

#[test]
fn rollback_undoes_finished_steps_newest_first() {
    let bus = TestBus::new();
    let log = bus.dir.path().join("log");
    let l = log.display();
    bus.write_runbook(
        "deploy",
        &format!(
            r#"
steps:
  - id: a
    run: echo do-a >> {l}
    rollback: echo undo-a >> {l}
  - id: b
    run: echo do-b >> {l}
    rollback: echo undo-b >> {l}
  - id: no-undo
    run: echo do-c >> {l}
  - id: breaks
    run: exit 1
    on_failure: rollback
  - id: never
    run: echo never >> {l}
"#
        ),
    );
    let out = bus.roxyctl(&["runbook", "run", "deploy", "--follow"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        read(&log).lines().collect::<Vec<_>>(),
        ["do-a", "do-b", "do-c", "undo-b", "undo-a"]
    );
    let run = bus.roxyctl_json(&["runbook", "runs"])[0]["id"]
        .as_u64()
        .unwrap();
    let status = run_status(&bus, run);
    assert_eq!(status["run"]["state"], "rolled_back");
    assert_eq!(
        step_states(&status),
        ["rolled_back", "rolled_back", "ok", "failed", "pending"]
    );
}

#[test]
fn an_approval_step_waits_and_then_proceeds() {
    let bus = TestBus::new();
    let marker = bus.dir.path().join("after-approval");
    bus.write_runbook(
        "gated",
        &format!(
            "steps:\n  - run: echo before\n  - approval: Really?\n  - run: touch {}\n",
            marker.display()
        ),
    );
    let run = start(&bus, &["gated"]);
    let status = bus.wait_for(Duration::from_secs(20), || {
        step_states(&run_status(&bus, run))
            .get(1)
            .map(String::as_str)
            == Some("waiting_approval")
    });
    assert!(status, "the approval step waits");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !marker.exists(),
        "nothing after the gate ran before the approval"
    );

    let approve = bus.roxyctl(&["runbook", "approve", &run.to_string()]);
    assert!(approve.status.success(), "{}", stderr(&approve));
    wait_for_state(&bus, run, "succeeded");
    assert!(marker.exists());
    let audit = bus.roxyctl_json(&["audit", "search", "approve-step"]);
    assert!(
        audit[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("roxyctl (pid "),
        "who approved is audited: {audit:#}"
    );

    let again = bus.roxyctl(&["runbook", "approve", &run.to_string()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not waiting for an approval"));
}

#[test]
fn a_confirm_runbook_waits_for_approval_unless_approved_at_submit() {
    let bus = TestBus::new();
    let count = bus.dir.path().join("count");
    bus.write_runbook(
        "careful",
        &format!(
            "confirm: true\nsteps:\n  - run: echo x >> {}\n",
            count.display()
        ),
    );

    let run = start(&bus, &["careful"]);
    assert_eq!(run_status(&bus, run)["run"]["state"], "awaiting_approval");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!count.exists());
    assert!(bus
        .roxyctl(&["runbook", "approve", &run.to_string()])
        .status
        .success());
    let status = wait_for_state(&bus, run, "succeeded");
    assert!(status["run"]["approved_by"]
        .as_str()
        .unwrap()
        .starts_with("roxyctl"));

    let direct = start(&bus, &["careful", "--approve"]);
    wait_for_state(&bus, direct, "succeeded");
    assert_eq!(read(&count).lines().count(), 2);

    let parked = start(&bus, &["careful"]);
    assert!(bus
        .roxyctl(&["runbook", "cancel", &parked.to_string()])
        .status
        .success());
    assert_eq!(run_status(&bus, parked)["run"]["state"], "cancelled");
}

#[test]
fn a_run_cut_short_by_kill_9_is_interrupted_and_resumes_from_the_failed_step() {
    let bus = TestBus::new();
    let dir = bus.dir.path();
    let (first, started, go, pid) = (
        dir.join("first"),
        dir.join("started"),
        dir.join("go"),
        dir.join("sleep.pid"),
    );
    bus.write_runbook(
        "long",
        &format!(
            r#"
steps:
  - id: one
    run: echo x >> {first}
  - id: two
    run: test -f {go} || {{ touch {started}; sleep 300 & echo $! > {pid}; wait; }}
    timeout: 10m
  - id: three
    run: echo three
"#,
            first = first.display(),
            go = go.display(),
            started = started.display(),
            pid = pid.display()
        ),
    );
    let run = start(&bus, &["long"]);
    assert!(bus.wait_for(Duration::from_secs(20), || started.exists() && pid.exists()));
    bus.kill_daemon(libc::SIGKILL);
    // The step's own processes outlive a kill -9 of roxyd; this test cleans up after itself.
    if let Ok(child) = read(&pid).trim().parse::<u32>() {
        kill(child, libc::SIGKILL);
    }
    std::fs::write(&go, "").unwrap();

    let status = run_status(&bus, run); // activates a fresh roxyd
    assert_eq!(status["run"]["state"], "interrupted", "{status:#}");
    assert_eq!(step_states(&status), ["ok", "interrupted", "pending"]);

    let out = bus.roxyctl(&["runbook", "resume", &run.to_string(), "--follow"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let status = run_status(&bus, run);
    assert_eq!(status["run"]["state"], "succeeded");
    assert_eq!(step_states(&status), ["ok", "ok", "ok"]);
    assert_eq!(
        read(&first).lines().count(),
        1,
        "the finished step did not run again"
    );
    assert_eq!(
        bus.roxyctl_json(&["runbook", "runs"])
            .as_array()
            .unwrap()
            .len(),
        1,
        "no run was lost or duplicated"
    );
}

#[test]
fn skipped_steps_and_variables_reach_the_run() {
    let bus = TestBus::new();
    let out_file = bus.dir.path().join("out");
    bus.write_runbook(
        "params",
        &format!(
            "vars: {{ target: nowhere }}\nsteps:\n  - id: write\n    run: echo \"$ROXY_VAR_TARGET\" > {}\n  - id: optional\n    run: exit 1\n",
            out_file.display()
        ),
    );
    let out = bus.roxyctl(&[
        "runbook",
        "run",
        "params",
        "--var",
        "target=studio",
        "--skip",
        "optional",
        "--follow",
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(read(&out_file).trim(), "studio");
    let bad = bus.roxyctl(&["runbook", "run", "params", "--var", "nope=1"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("has no variable “nope”; it declares: target"),
        "{}",
        stderr(&bad)
    );
    let bad = bus.roxyctl(&["runbook", "run", "params", "--skip", "nope"]);
    assert!(
        stderr(&bad).contains("has no step “nope”"),
        "{}",
        stderr(&bad)
    );
    let plan = bus.roxyctl(&[
        "runbook",
        "run",
        "params",
        "--dry-run",
        "--skip",
        "optional",
    ]);
    assert!(
        stdout(&plan).contains("[optional] run: exit 1  (skipped)"),
        "{}",
        stdout(&plan)
    );
}

#[test]
fn malformed_runbooks_are_reported_at_file_line_col_and_do_not_block_others() {
    let bus = TestBus::new();
    bus.write_runbook("good", "steps:\n  - run: \"true\"\n");
    let bad = bus.write_runbook("bad", "steps:\n  - run: ls\n    timout: 5s\n");
    let marker = bus.dir.path().join("validated-not-run");

    let out = bus.roxyctl(&["runbook", "validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with(&format!(
            "{}:3:5: unknown key `timout` in step 1 (did you mean `timeout`?)",
            bad.display()
        )),
        "{}",
        stdout(&out)
    );
    // Validation never executes anything.
    let probe = bus.dir.path().join("probe.yaml");
    std::fs::write(
        &probe,
        format!("steps:\n  - run: touch {}\n", marker.display()),
    )
    .unwrap();
    assert!(bus
        .roxyctl(&["runbook", "validate", probe.to_str().unwrap()])
        .status
        .success());
    assert!(!marker.exists());

    let list = bus.roxyctl_json(&["runbook", "list"]);
    let by_id = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert!(by_id("good")["errors"].as_array().unwrap().is_empty());
    assert!(by_id("bad")["errors"][0]
        .as_str()
        .unwrap()
        .contains("bad.yaml:3:5"));
    assert!(bus
        .roxyctl(&["runbook", "run", "good", "--follow"])
        .status
        .success());
    let refused = bus.roxyctl(&["runbook", "run", "bad"]);
    assert!(
        stderr(&refused).contains("has problems and cannot run"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_folder_others_can_write_is_refused_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let bus = TestBus::new();
    bus.write_runbook("evil", "steps:\n  - run: \"true\"\n");
    let dir = bus.runbook_dir();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let list = bus.roxyctl_json(&["runbook", "list"]);
    let entries = list.as_array().unwrap();
    assert!(entries.iter().all(|r| r["id"] != "evil"));
    let reason = entries
        .iter()
        .find(|r| r["id"] == "")
        .expect("the refused folder is listed")["errors"][0]
        .clone();
    assert!(
        reason
            .as_str()
            .unwrap()
            .contains("can be changed by other users (mode 0777)"),
        "{reason}"
    );
    let out = bus.roxyctl(&["runbook", "run", "evil"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("There is no runbook “evil”"));
}

#[test]
fn a_new_runbook_file_is_picked_up_without_a_restart() {
    let bus = TestBus::new();
    bus.runbook_dir();
    assert!(bus
        .roxyctl_json(&["runbook", "list"])
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != "fresh"));
    bus.write_runbook("fresh", "steps:\n  - run: \"true\"\n");
    let seen = bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl_json(&["runbook", "list"])
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "fresh")
    });
    assert!(seen, "the watcher reloaded the folder");
}

#[test]
fn the_audit_log_records_actions_with_their_actor_and_exports_jsonl() {
    let bus = TestBus::new();
    bus.write_runbook("noted", "steps:\n  - run: \"true\"\n");
    assert!(bus
        .roxyctl(&["runbook", "run", "noted", "--follow"])
        .status
        .success());
    let entries = bus.roxyctl_json(&["audit", "tail"]);
    let actions: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["runbook.run", "runbook.finish"]);
    assert!(entries[0]["actor"]
        .as_str()
        .unwrap()
        .starts_with("roxyctl (pid "));
    let export = bus.roxyctl(&["audit", "export", "--jsonl"]);
    let lines: Vec<serde_json::Value> = stdout(&export)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["result"], "succeeded");
}

/// A real HTTP server on loopback (python3 -m http.server), stopped by pid on drop.
struct HttpServer {
    child: std::process::Child,
    port: u16,
}

impl HttpServer {
    fn start(root: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs");
        Self { child, port }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn http_and_wait_for_steps_check_a_real_server() {
    let bus = TestBus::new();
    let site = bus.dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("health"), "status: ok\n").unwrap();
    let server = HttpServer::start(&site);
    let base = format!("http://127.0.0.1:{}", server.port);
    bus.write_runbook(
        "web",
        &format!(
            r#"
steps:
  - wait_for: {{ tcp: "127.0.0.1:{port}" }}
    timeout: 20s
  - wait_for: {{ http: "{base}/health" }}
    timeout: 20s
  - http: {{ url: "{base}/health", status: 200, body: "status: ok" }}
  - id: missing
    http: {{ url: "{base}/nope" }}
    on_failure: continue
  - id: wrong-body
    http: {{ url: "{base}/health", body: "status: down" }}
    on_failure: continue
"#,
            port = server.port
        ),
    );
    let out = bus.roxyctl(&["runbook", "run", "web", "--follow"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("127.0.0.1:{} is up", server.port)),
        "{text}"
    );
    assert!(text.contains("/nope answered 404, expected 200"), "{text}");
    assert!(text.contains("does not contain “status: down”"), "{text}");

    bus.write_runbook(
        "down",
        "steps:\n  - wait_for: { tcp: \"127.0.0.1:9\" }\n    timeout: 1s\n",
    );
    // Written while roxyd runs: reload instead of racing the folder watcher.
    assert!(bus.roxyctl(&["runbook", "reload"]).status.success());
    let out = bus.roxyctl(&["runbook", "run", "down", "--follow"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let run = bus.roxyctl_json(&["runbook", "runs", "down"])[0]["id"]
        .as_u64()
        .unwrap();
    let status = bus.roxyctl_json(&["runbook", "status", &run.to_string()]);
    assert!(
        status["run"]["message"]
            .as_str()
            .unwrap()
            .contains("did not come up within 1 s"),
        "{status:#}"
    );
}
