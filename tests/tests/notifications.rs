//! Run notices reach the real dunst server, and its buttons act on the run.

use roxy_tests::*;
use std::time::Duration;

/// A runbook that waits for an approval, then touches the file whose path it returns.
fn go_live_runbook(bus: &TestBus) -> std::path::PathBuf {
    let done = bus.dir.path().join("done");
    bus.write_runbook(
        "golive",
        &format!(
            "name: Go live\nsteps:\n  - approval: Start the stream?\n  - run: touch {}\n",
            done.display()
        ),
    );
    done
}

#[test]
fn an_approval_notice_approves_the_run_from_its_button() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    let done = go_live_runbook(&bus);
    let run = bus.roxyctl_json(&["runbook", "run", "golive"])["run"]
        .as_u64()
        .unwrap();
    assert!(
        bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()),
        "dunst showed the approval notice"
    );
    let shown = dunst.shown();
    assert_eq!(dunst.app_names()[0], "Roxy");
    let fields: Vec<&str> = shown[0].splitn(4, '|').collect();
    assert_eq!(fields[1], "CRITICAL");
    assert_eq!(fields[2], "Runbook “Go live” needs your approval");
    assert_eq!(fields[3], "Start the stream?");
    assert!(!done.exists(), "the run waits");

    dunst.choose_action(&bus, "Approve");
    assert!(
        bus.wait_for(Duration::from_secs(10), || done.exists()),
        "the button approved the run"
    );
    let status = bus.roxyctl_json(&["runbook", "status", &run.to_string()]);
    assert_eq!(status["steps"][0]["state"], "ok");
    let audit = bus.roxyctl_json(&["audit", "search", "approve"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "notification" && e["target"] == "golive"),
        "{audit}"
    );
    assert!(
        bus.wait_for(Duration::from_secs(5), || dunst.displayed(&bus) == 0),
        "the approval notice is gone once approved"
    );
}

#[test]
fn a_failed_run_notifies_and_resume_runs_it_again() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    let flag = bus.dir.path().join("fixed");
    bus.write_runbook(
        "flaky",
        &format!("name: Flaky\nsteps:\n  - run: test -e {}\n", flag.display()),
    );
    let run = bus.roxyctl_json(&["runbook", "run", "flaky"])["run"]
        .as_u64()
        .unwrap();
    assert!(
        bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()),
        "dunst showed the failure"
    );
    let shown = dunst.shown();
    assert!(
        shown[0].contains("|CRITICAL|Runbook “Flaky” failed|"),
        "{shown:?}"
    );

    std::fs::write(&flag, "").unwrap();
    dunst.choose_action(&bus, "Retry");
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            bus.roxyctl_json(&["runbook", "status", &run.to_string()])["run"]["state"]
                == "succeeded"
        }),
        "the Retry button resumed the run"
    );
}

#[test]
fn a_quick_successful_run_stays_quiet() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    bus.write_runbook("quick", "steps:\n  - run: \"true\"\n");
    let out = bus.roxyctl(&["runbook", "run", "quick", "--follow"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The failure test shows notices arrive within a moment; give this one the same chance.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(dunst.shown(), Vec::<String>::new());
}

#[test]
fn through_the_notification_portal_the_approve_button_still_approves() {
    let bus = TestBus::with_daemon_env(&[("ROXY_NOTIFICATIONS", "portal")]);
    let dunst = Dunst::start(&bus);
    let _portal = NotificationPortal::start(&bus);
    let done = go_live_runbook(&bus);
    bus.roxyctl_json(&["runbook", "run", "golive"]);
    assert!(
        bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()),
        "the portal handed the notice to dunst"
    );
    let shown = dunst.shown();
    assert!(
        shown[0].contains("|Runbook “Go live” needs your approval|Start the stream?"),
        "{shown:?}"
    );
    // roxyd calls itself "Roxy" when it talks to the server directly.
    assert_ne!(
        dunst.app_names()[0],
        "Roxy",
        "the notice came through the portal"
    );
    dunst.choose_action(&bus, "Approve");
    assert!(
        bus.wait_for(Duration::from_secs(10), || done.exists()),
        "ActionInvoked came back through the portal and approved the run"
    );
}
