//! Schedules fire real runs through the activated roxyd.

use roxy_tests::*;
use std::time::Duration;

fn lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn an_interval_schedule_fires_pauses_resumes_and_goes_away() {
    let bus = TestBus::new();
    let log = bus.dir.path().join("ticks");
    bus.write_runbook(
        "tick",
        &format!("steps:\n  - run: echo tick >> {}\n", log.display()),
    );
    let id = bus.roxyctl_json(&["schedule", "add", "tick", "--every", "1s"])["schedule"]
        .as_u64()
        .unwrap();

    assert!(
        bus.wait_for(Duration::from_secs(20), || lines(&log) >= 2),
        "the schedule fired twice"
    );
    let runs = bus.roxyctl_json(&["runbook", "runs", "tick"]);
    assert_eq!(runs[0]["actor"], format!("schedule #{id}"));
    let listed = bus.roxyctl_json(&["schedule", "list"]);
    assert!(listed[0]["next_fire_at"].as_i64().unwrap() > 0);
    assert!(listed[0]["last_fire_at"].as_i64().unwrap() > 0);

    assert!(bus
        .roxyctl(&["schedule", "pause", &id.to_string()])
        .status
        .success());
    std::thread::sleep(Duration::from_millis(500)); // a run started just before the pause may finish
    let paused_at = lines(&log);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(lines(&log), paused_at, "a paused schedule does not fire");
    assert_eq!(bus.roxyctl_json(&["schedule", "list"])[0]["paused"], true);

    assert!(bus
        .roxyctl(&["schedule", "resume", &id.to_string()])
        .status
        .success());
    assert!(
        bus.wait_for(Duration::from_secs(20), || lines(&log) > paused_at),
        "it fires again"
    );

    assert!(bus
        .roxyctl(&["schedule", "remove", &id.to_string()])
        .status
        .success());
    assert_eq!(
        bus.roxyctl_json(&["schedule", "list"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let actions: Vec<String> = bus
        .roxyctl_json(&["audit", "search", "schedule."])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "schedule.add",
            "schedule.pause",
            "schedule.resume",
            "schedule.remove"
        ]
    );
}

#[test]
fn bad_schedules_are_refused_with_what_is_expected() {
    let bus = TestBus::new();
    bus.write_runbook("rb", "steps:\n  - run: \"true\"\n");
    for (args, needle) in [
        (
            &["schedule", "add", "rb", "--cron", "61 * * * *"][..],
            "is not a cron expression",
        ),
        (&["schedule", "add", "rb", "--daily", "25:00"], "HH:MM"),
        (&["schedule", "add", "rb", "--every", "soon"], "30s, 15m"),
        (
            &["schedule", "add", "nope", "--every", "1m"],
            "There is no runbook “nope”",
        ),
        (&["schedule", "remove", "99"], "There is no schedule 99"),
    ] {
        let out = bus.roxyctl(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    let cron = bus.roxyctl_json(&["schedule", "add", "rb", "--cron", "30 7 * * 1-5"]);
    assert!(cron["schedule"].as_u64().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn missed_fire_times_follow_the_policy_after_downtime() {
    use sqlx::ConnectOptions;
    let bus = TestBus::new();
    let (once_log, skip_log) = (bus.dir.path().join("once"), bus.dir.path().join("skip"));
    bus.write_runbook(
        "once",
        &format!("steps:\n  - run: echo ran >> {}\n", once_log.display()),
    );
    bus.write_runbook(
        "skipper",
        &format!("steps:\n  - run: echo ran >> {}\n", skip_log.display()),
    );
    bus.roxyctl_json(&[
        "schedule", "add", "once", "--every", "1h", "--missed", "run-once",
    ]);
    bus.roxyctl_json(&[
        "schedule", "add", "skipper", "--every", "1h", "--missed", "skip",
    ]);

    // roxyd stops; while it is away, both schedules fall three hours behind.
    bus.kill_daemon(libc::SIGTERM);
    {
        let mut db = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(bus.data_dir().join("roxy.db"))
            .connect()
            .await
            .unwrap();
        let three_hours_ago = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            - 3 * 3600 * 1000;
        sqlx::query("UPDATE schedules SET next_fire_at = ?1")
            .bind(three_hours_ago)
            .execute(&mut db)
            .await
            .unwrap();
    }

    assert!(bus.roxyctl(&["ping"]).status.success()); // back again
    assert!(
        bus.wait_for(Duration::from_secs(20), || lines(&once_log) == 1),
        "run-once fired"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        lines(&once_log),
        1,
        "three missed fire times make one run, not three"
    );
    assert_eq!(lines(&skip_log), 0, "skip does not run");
    let missed = bus.roxyctl_json(&["audit", "search", "schedule.missed"]);
    let results: Vec<&str> = missed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 2, "{missed:#}");
    assert!(results.contains(&"running once") && results.contains(&"skipped"));
    let next = bus.roxyctl_json(&["schedule", "list"])[0]["next_fire_at"]
        .as_i64()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(next > now, "the next fire time is in the future again");
}
