//! roxyd activated on a private session bus, driven by roxyctl.

use roxy_tests::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

#[test]
fn ping_and_status_activate_the_daemon() {
    let bus = TestBus::new();
    assert_eq!(
        bus.daemon_pid(),
        None,
        "roxyd must not run before the first call"
    );

    let ping = bus.roxyctl(&["ping"]);
    assert!(ping.status.success(), "{}", stderr(&ping));
    assert!(
        stdout(&ping).contains("roxyd answered in"),
        "{}",
        stdout(&ping)
    );
    let pid = bus.daemon_pid().expect("activation started roxyd");

    let status = bus.roxyctl(&["--json", "status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["pid"], pid);
    assert_eq!(json["state"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    let db = json["database_path"].as_str().unwrap();
    assert_eq!(db, bus.data_dir().join("roxy.db").to_str().unwrap());
    assert!(json["database_bytes"].as_u64().unwrap() > 0);

    let text = bus.roxyctl(&["status"]);
    assert!(
        stdout(&text).contains(&format!("{pid}")),
        "{}",
        stdout(&text)
    );
}

#[test]
fn ping_measures_many_round_trips_as_json() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["--json", "ping", "--count", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["count"], 50);
    let (min, median, max) = (
        json["min_ms"].as_f64().unwrap(),
        json["median_ms"].as_f64().unwrap(),
        json["max_ms"].as_f64().unwrap(),
    );
    assert!(min > 0.0 && min <= median && median <= max, "{json}");
}

#[test]
fn a_database_check_job_runs_to_success_with_progress_and_log() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["db", "check", "--follow"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("Checking jobs"),
        "log lines are streamed: {text}"
    );
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("Succeeded") && last.contains("100 %"),
        "{text}"
    );
    assert!(text.contains("No problems found in"), "{text}");

    let list = bus.roxyctl(&["--json", "jobs", "list"]);
    let jobs: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["kind"], "database-check");
    assert_eq!(jobs[0]["state"], "succeeded");
    assert_eq!(jobs[0]["path"], "/io/github/skybeam/Roxy/Daemon/jobs/1");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_job_is_started_watched_and_cancelled() {
    let bus = TestBus::new();
    seed_database(&bus.data_dir(), 300).await;
    let dest = bus.dir.path().join("backup.db");

    let start = bus.roxyctl(&["--json", "db", "backup", dest.to_str().unwrap()]);
    assert!(start.status.success(), "{}", stderr(&start));
    let started: serde_json::Value = serde_json::from_slice(&start.stdout).unwrap();
    let id = started["job"].as_u64().unwrap().to_string();

    let mut watch = bus
        .command(bin("roxyctl"))
        .args(["--json", "jobs", "watch", &id])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    // Wait for real progress before cancelling: the job is demonstrably under way.
    let mut seen_progress = false;
    for line in lines.by_ref() {
        let event: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let progress = event["job"]["progress"].as_f64().unwrap_or(-1.0);
        assert_eq!(
            event["job"]["state"], "running",
            "job ended before it could be cancelled: {event}"
        );
        if progress > 0.0 && progress < 1.0 {
            seen_progress = true;
            break;
        }
    }
    assert!(seen_progress);

    let cancel = bus.roxyctl(&["jobs", "cancel", &id]);
    assert!(cancel.status.success(), "{}", stderr(&cancel));

    let rest: Vec<serde_json::Value> = lines
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let status = watch.wait().unwrap();
    assert!(!status.success(), "watching a cancelled job exits non-zero");
    let last = rest.last().expect("a final event");
    assert_eq!(last["job"]["state"], "cancelled", "{last}");
    assert!(!dest.exists(), "the partial backup is removed");

    let again = bus.roxyctl(&["jobs", "cancel", &id]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already finished"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn unknown_jobs_and_bad_destinations_are_clear_errors() {
    let bus = TestBus::new();
    let out = bus.roxyctl(&["--json", "jobs", "cancel", "4711"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["kind"], "NotFound");
    assert_eq!(
        stderr(&out).lines().count(),
        1,
        "one line: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("There is no job 4711"));

    let existing = bus.dir.path().join("bus.conf");
    let out = bus.roxyctl(&["db", "backup", existing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&existing)
        .unwrap()
        .contains("busconfig"));

    let out = bus.roxyctl(&["db", "backup", "/no/such/folder/x.db"]);
    assert!(stderr(&out).contains("/no/such/folder"), "{}", stderr(&out));
}

#[test]
fn bad_arguments_are_refused_before_anything_runs() {
    let bus = TestBus::new();
    for args in [
        &["frobnicate"][..],
        &["jobs", "cancel", "seven"],
        &["ping", "-c", "0"],
    ] {
        let out = bus.roxyctl(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with("error:"), "{}", stderr(&out));
    }
    assert_eq!(
        bus.daemon_pid(),
        None,
        "no daemon was started for bad input"
    );
}

#[test]
fn a_daemon_that_cannot_be_activated_is_explained() {
    let bus = TestBus::with_dir(tempfile::tempdir().unwrap(), Activation::None);
    let out = bus.roxyctl(&["status"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("not running and could not be started"),
        "{err}"
    );
}

#[test]
fn an_unwritable_data_dir_stops_roxyd_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bus = TestBus::with_dir(
        dir,
        Activation::Roxyd {
            data_dir: "/proc/roxy-not-writable".into(),
        },
    );
    let out = bus.roxyctl(&["ping"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("could not be started"),
        "{}",
        stderr(&out)
    );

    let direct = bus
        .command(bin("roxyd"))
        .args(["--data-dir", "/proc/roxy-not-writable"])
        .output()
        .unwrap();
    assert!(!direct.status.success());
    assert!(
        stderr(&direct).contains("/proc/roxy-not-writable cannot be used"),
        "{}",
        stderr(&direct)
    );
}

#[test]
fn a_corrupt_database_is_refused_and_left_alone() {
    let bus = TestBus::new();
    std::fs::create_dir_all(bus.data_dir()).unwrap();
    let db = bus.data_dir().join("roxy.db");
    let content = b"SQLite format 3\0"
        .iter()
        .copied()
        .chain((0..8192).map(|i| (i * 7 % 251) as u8))
        .collect::<Vec<u8>>();
    std::fs::write(&db, &content).unwrap();

    let out = bus
        .command(bin("roxyd"))
        .args(["--data-dir", bus.data_dir().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        content,
        "the file is untouched"
    );
}

#[test]
fn only_one_roxyd_runs_per_bus() {
    let bus = TestBus::new();
    assert!(bus.roxyctl(&["ping"]).status.success());
    let second = bus
        .command(bin("roxyd"))
        .args(["--data-dir", bus.dir.path().join("other").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!second.status.success());
    assert!(
        stderr(&second).contains("another roxyd already runs"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn roxyd_exits_on_sigterm_and_when_its_bus_goes_away() {
    let bus = TestBus::new();
    assert!(bus.roxyctl(&["ping"]).status.success());
    let pid = bus.daemon_pid().unwrap();
    kill(pid, libc::SIGTERM);
    assert!(
        bus.wait_for(Duration::from_secs(10), || !alive(pid)),
        "roxyd ignored SIGTERM"
    );

    let again = bus.roxyctl(&["ping"]);
    assert!(
        again.status.success(),
        "activated again: {}\n{}",
        stderr(&again),
        bus.log()
    );
    let pid = bus.daemon_pid().unwrap();
    drop(bus); // kills dbus-daemon first; TestBus::drop would SIGKILL a straggler after 5 s
    assert!(!alive(pid), "roxyd outlived its bus");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_cut_short_by_kill_9_is_marked_interrupted() {
    let bus = TestBus::new();
    seed_database(&bus.data_dir(), 300).await;
    let dest = bus.dir.path().join("cut.db");
    let start = bus.roxyctl(&["--json", "db", "backup", dest.to_str().unwrap()]);
    let started: serde_json::Value = serde_json::from_slice(&start.stdout).unwrap();
    let id = started["job"].as_u64().unwrap();
    bus.kill_daemon(libc::SIGKILL);

    let list = bus.roxyctl(&["--json", "jobs", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let jobs: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let job = jobs
        .iter()
        .find(|j| j["id"] == id)
        .expect("the job is still listed");
    assert_eq!(job["state"], "interrupted", "{job}");
    assert!(
        job["message"].as_str().unwrap().contains("stopped before"),
        "{job}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_database_check_makes_the_daemon_degraded() {
    use sqlx::ConnectOptions;
    let bus = TestBus::new();
    std::fs::create_dir_all(bus.data_dir()).unwrap();
    {
        // An index whose entries disagree with its table: quick_check (run at start) does not
        // look, the full integrity check does.
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(bus.data_dir().join("roxy.db"))
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        for sql in [
            "CREATE TABLE t (x INTEGER, y INTEGER)",
            "CREATE INDEX t_x ON t (x)",
            "INSERT INTO t VALUES (1, 100), (2, 200), (3, 300)",
            "PRAGMA writable_schema = ON",
            "UPDATE sqlite_schema SET sql = 'CREATE INDEX t_x ON t (y)' WHERE name = 't_x'",
        ] {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    }
    let before = bus.roxyctl(&["--json", "status"]);
    assert!(before.status.success(), "roxyd starts: {}", stderr(&before));
    let json: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(json["state"], "ok");

    let check = bus.roxyctl(&["db", "check", "--follow"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(stdout(&check).contains("Failed"), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("t_x"),
        "the problem names the index: {}",
        stdout(&check)
    );

    let after = bus.roxyctl(&["--json", "status"]);
    let json: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(json["state"], "degraded", "{json}");
    assert!(
        json["detail"].as_str().unwrap().contains("problems"),
        "{json}"
    );
}

#[test]
fn completions_and_man_page_need_no_daemon() {
    let bus = TestBus::new();
    let bash = bus.roxyctl(&["completions", "bash"]);
    assert!(bash.status.success());
    assert!(
        stdout(&bash).contains("complete -F _roxyctl"),
        "{}",
        stdout(&bash)
    );
    assert!(
        stdout(&bash).contains("cancel"),
        "subcommands are completed"
    );
    let man = bus.roxyctl(&["man"]);
    assert!(
        stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH roxyctl"),
        "{}",
        stdout(&man)
    );
    let unknown = bus.roxyctl(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(bus.daemon_pid(), None);

    // A reader that stops early (`roxyctl … | head -1`) ends roxyctl quietly, no panic.
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["voice", "intents"],
    ] {
        let mut child = bus
            .command(bin("roxyctl"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && said.is_empty(),
            "roxyctl {args:?} with its reader gone: {:?} {said}",
            out.status
        );
    }
}

#[test]
fn start_at_login_writes_and_removes_the_autostart_entry_without_systemd() {
    let bus = TestBus::new();
    let entry = bus
        .dir
        .path()
        .join("config/autostart")
        .join(format!("{DAEMON_BUS_NAME}.desktop"));
    let before = bus.roxyctl_json(&["autostart"]);
    assert_eq!(before["start_at_login"], false);
    assert_eq!(
        before["mechanism"], "autostart-file",
        "no systemd on the test bus"
    );

    let on = bus.roxyctl_json(&["autostart", "on"]);
    assert_eq!(on["start_at_login"], true);
    let text = std::fs::read_to_string(&entry).expect("the autostart entry exists");
    assert!(
        text.contains(&format!("Exec={}", bin("roxyd").display())),
        "{text}"
    );
    assert_eq!(bus.roxyctl_json(&["autostart"])["start_at_login"], true);

    let off = bus.roxyctl_json(&["autostart", "off"]);
    assert_eq!(off["start_at_login"], false);
    assert!(!entry.exists());
}

#[test]
fn the_sampler_reports_current_metrics_and_their_history() {
    let bus = TestBus::new();
    assert!(bus.roxyctl(&["status"]).status.success());
    let sampled = bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl_json(&["metrics", "now"])
            .as_array()
            .is_some_and(|v| !v.is_empty())
    });
    assert!(sampled, "a first sample within seconds");
    let now = bus.roxyctl_json(&["metrics", "now"]);
    let value = |name: &str| {
        now.as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .and_then(|v| v["value"].as_f64())
            .unwrap_or_else(|| panic!("no {name} in {now}"))
    };
    assert!((0.0..=100.0).contains(&value("cpu")));
    assert!((0.0..=100.0).contains(&value("cpu.0")));
    assert!(value("mem.used_pct") > 0.0);
    assert!(value("mem.available_bytes") > 0.0);
    assert!(value("disk.root_used_pct") > 0.0);

    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            bus.roxyctl_json(&["metrics", "history", "cpu", "--range", "5m"])
                .as_array()
                .is_some_and(|p| p.len() >= 2)
        }),
        "one-second buckets pile up"
    );
    let points = bus.roxyctl_json(&["metrics", "history", "mem.used_pct", "--range", "7d"]);
    let first = &points.as_array().unwrap()[0];
    assert!(first["min"].as_f64() <= first["avg"].as_f64());
    assert!(first["avg"].as_f64() <= first["max"].as_f64());

    let unknown = bus.roxyctl(&["metrics", "history", "cpu.999"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("roxyctl metrics now"),
        "{}",
        stderr(&unknown)
    );
    let bad = bus.roxyctl(&["metrics", "history", "cpu", "--range", "soon"]);
    assert!(stderr(&bad).contains("like 90s"), "{}", stderr(&bad));
}
