//! Broadcast against real OBS: OBS 30.2 headless from a Debian 13 chroot (and Debian 12's
//! OBS 29 for the "too old" case), roxyd linked to it through obws, driven with roxyctl.
//! Each test runs in a network namespace of its own (see `private_network`).

use roxy_tests::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "roxy-test-Pw-4455";

/// roxyctl with `input` as the first line of its standard input; must succeed.
fn roxyctl_with_input(bus: &TestBus, args: &[&str], input: &str) {
    let mut child = bus
        .command(bin("roxyctl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "roxyctl {args:?}: {}", stderr(&out));
}

fn add_instance(bus: &TestBus, name: &str, port: u16, password: &str) {
    let port = port.to_string();
    let args = ["obs", "add", name, "--port", &port, "--password-stdin"];
    roxyctl_with_input(bus, &args, password);
}

fn set_password(bus: &TestBus, name: &str, password: &str) {
    roxyctl_with_input(bus, &["obs", "password", name], password);
}

fn instance(bus: &TestBus, name: &str) -> Value {
    let all = bus.roxyctl_json(&["obs", "list"]);
    all.as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

fn wait_link(bus: &TestBus, name: &str, link: &str, timeout: Duration) -> Value {
    let mut last = Value::Null;
    let reached = bus.wait_for(timeout, || {
        last = instance(bus, name);
        last["link"] == link
    });
    assert!(
        reached,
        "OBS {name} never reached {link}: {last}\n{}",
        bus.log()
    );
    last
}

fn status(bus: &TestBus) -> Value {
    bus.roxyctl_ok(&["obs", "status"])
}

/// `roxyctl --json obs watch`, its lines collected on a thread.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<Value>,
}

impl Watch {
    fn start(bus: &TestBus) -> Self {
        let mut child = bus
            .command(bin("roxyctl"))
            .args(["--json", "obs", "watch"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        // The watcher subscribes before it prints anything; give it a moment.
        std::thread::sleep(Duration::from_millis(500));
        Self { child, lines }
    }

    fn expect(&self, timeout: Duration, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) if matches(&v) => return v,
                Ok(v) => seen.push(v),
                Err(_) => break,
            }
        }
        panic!("no {what} event; saw {seen:?}");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn obs_30_links_controls_records_and_comes_back_after_a_restart() {
    private_network();
    let bus = TestBus::new();
    let tray = TrayHost::start(&bus);
    let _keyring = SecretService::start(&bus);
    let mut obs = Obs::start(ObsBuild::Current, 4455, PASSWORD);

    // A wrong password: a clear error, no retry storm.
    add_instance(&bus, "studio", 4455, "not-the-password");
    let refused = wait_link(&bus, "studio", "auth-failed", Duration::from_secs(20));
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("refused the password"),
        "{refused}"
    );
    assert_eq!(refused["has_password"], true);
    let not_connected = bus.roxyctl_refused(&["obs", "scene", "Live"]);
    assert!(not_connected.contains("not connected"), "{not_connected}");

    // The right one: connected, versions known, state read in full.
    set_password(&bus, "studio", PASSWORD);
    let linked = wait_link(&bus, "studio", "connected", Duration::from_secs(20));
    assert!(
        linked["obs_version"].as_str().unwrap().starts_with("30."),
        "{linked}"
    );
    let state = status(&bus);
    assert_eq!(state["scenes"], serde_json::json!(["Intro", "Live", "BRB"]));
    assert_eq!(state["program_scene"], "Intro");
    assert!(
        state["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "Music"),
        "{state}"
    );

    // Switch scenes and see the event.
    let watch = Watch::start(&bus);
    bus.roxyctl_ok(&["obs", "scene", "Live"]);
    watch.expect(Duration::from_secs(10), "scene", |v| {
        v["event"] == "scene" && v["scene"] == "Live"
    });
    assert_eq!(status(&bus)["program_scene"], "Live");
    let wrong = bus.roxyctl_refused(&["obs", "scene", "Outro"]);
    assert!(
        wrong.contains("Outro") && wrong.contains("Intro, Live, BRB"),
        "{wrong}"
    );

    // Mute an input; the mirror follows OBS' event.
    bus.roxyctl_ok(&["obs", "mute", "Music"]);
    assert!(bus.wait_for(Duration::from_secs(10), || {
        status(&bus)["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "Music" && i["muted"] == true)
    }));
    bus.roxyctl_ok(&["obs", "unmute", "Music"]);
    let loud = bus.roxyctl_refused(&["obs", "volume", "Music", "40"]);
    assert!(loud.contains("−100 to 26"), "{loud}");
    bus.roxyctl_ok(&["obs", "volume", "Music", "-6"]);
    assert!(bus.wait_for(Duration::from_secs(10), || {
        status(&bus)["inputs"][0]["volume_db"]
            .as_f64()
            .is_some_and(|db| (db + 6.0).abs() < 0.1)
    }));

    // Scene items: hide one and read it back.
    bus.roxyctl_ok(&["obs", "hide", "Live", "Lower third"]);
    let items = bus.roxyctl_ok(&["obs", "items", "Live"]);
    let lower = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "Lower third")
        .unwrap();
    assert_eq!(lower["visible"], false);

    // Live meters from the looping tone, with peak hold.
    let meters = bus.roxyctl(&["--json", "obs", "meters", "--seconds", "3"]);
    let loudest = stdout(&meters)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
        .filter(|m| m["input"] == "Music")
        .map(|m| m["peak_db"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert!(loudest > -40.0, "Music meters: {}", stdout(&meters));

    // The program output as a JPEG.
    let shot = bus.dir.path().join("program.jpg");
    bus.roxyctl_ok(&[
        "obs",
        "screenshot",
        shot.to_str().unwrap(),
        "--width",
        "320",
    ]);
    let jpeg = std::fs::read(&shot).unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");

    // Record 3 s, started from the tray; the file exists once RecordStateChanged(Stopped)
    // has come.
    let pid = bus.daemon_pid().expect("roxyd runs");
    let prefix = format!("org.kde.StatusNotifierItem-{pid}-");
    let mut item = None;
    let offered = bus.wait_for(Duration::from_secs(10), || {
        item = tray.items().into_iter().find(|i| i.starts_with(&prefix));
        item.as_ref().is_some_and(|i| {
            tray.menu(i)
                .iter()
                .any(|e| e.label == "Start Recording (studio)")
        })
    });
    assert!(offered, "the tray offers no recording: {item:?}");
    let item = item.unwrap();
    tray.click(&item, "Start Recording (studio)");
    watch.expect(Duration::from_secs(10), "record started", |v| {
        v["event"] == "record" && v["state"] == "active"
    });
    assert!(bus.wait_for(Duration::from_secs(10), || {
        tray.menu(&item)
            .iter()
            .any(|e| e.label == "Stop Recording (studio)")
    }));
    std::thread::sleep(Duration::from_secs(3));
    let stopped = bus.roxyctl_ok(&["obs", "record", "stop"]);
    let file = stopped["file"].as_str().unwrap().to_owned();
    let event = watch.expect(Duration::from_secs(15), "record stopped", |v| {
        v["event"] == "record" && v["state"] == "stopped"
    });
    assert_eq!(event["file"], file.as_str());
    let on_host = obs.host_path(&file);
    let size = std::fs::metadata(&on_host).map(|m| m.len()).unwrap_or(0);
    assert!(size > 0, "{} is empty or missing", on_host.display());
    let sessions = bus.roxyctl_ok(&["obs", "sessions"]);
    let session = &sessions[0];
    assert_eq!(session["kind"], "record");
    assert_eq!(session["file"], file.as_str());
    assert!(session["ended_ms"].as_i64().unwrap() > session["started_ms"].as_i64().unwrap());

    // Kill OBS: the link notices, and finds OBS again after it restarts.
    obs.kill();
    wait_link(&bus, "studio", "offline", Duration::from_secs(10));
    assert_eq!(status(&bus)["connected"], false);
    let restarted = Instant::now();
    obs.restart();
    let back = Instant::now();
    wait_link(&bus, "studio", "connected", Duration::from_secs(15));
    let reconnect = back.elapsed();
    eprintln!(
        "OBS restart took {:.1} s; roxyd reconnected {:.2} s after OBS listened",
        (back - restarted).as_secs_f64(),
        reconnect.as_secs_f64()
    );
    let resynced = status(&bus);
    assert_eq!(resynced["connected"], true);
    assert_eq!(
        resynced["scenes"],
        serde_json::json!(["Intro", "Live", "BRB"])
    );
    // The restarted OBS began with its saved scene; roxyd shows what OBS shows now.
    bus.roxyctl_ok(&["obs", "scene", "BRB"]);
    assert!(
        bus.wait_for(Duration::from_secs(10), || status(&bus)["program_scene"]
            == "BRB")
    );
}

#[test]
fn obs_29_gets_a_too_old_message_with_both_versions() {
    private_network();
    let bus = TestBus::new();
    let _keyring = SecretService::start(&bus);
    let _obs = Obs::start(ObsBuild::Old, 4455, PASSWORD);
    add_instance(&bus, "old", 4455, PASSWORD);
    let old = wait_link(&bus, "old", "too-old", Duration::from_secs(20));
    let message = old["message"].as_str().unwrap();
    assert!(
        message.contains("29.0.2") && message.contains("30.2"),
        "{message}"
    );
    assert_eq!(old["obs_version"], "29.0.2");
}

#[test]
fn without_obs_the_link_waits_and_bad_input_is_refused() {
    private_network();
    let bus = TestBus::new();
    let none = bus.roxyctl_refused(&["obs", "status"]);
    assert!(none.contains("roxyctl obs add"), "{none}");
    let bad = bus.roxyctl_refused(&["obs", "add", "Big Studio"]);
    assert!(bad.contains("name:") && bad.contains("lowercase"), "{bad}");
    let bad = bus.roxyctl_refused(&["obs", "add", "x", "--host", "ws://x"]);
    assert!(bad.contains("host:"), "{bad}");
    // No keyring on this bus and no password: an instance without authentication is fine.
    bus.roxyctl_ok(&["obs", "add", "spare", "--port", "4460"]);
    let offline = wait_link(&bus, "spare", "offline", Duration::from_secs(10));
    assert!(
        offline["message"]
            .as_str()
            .unwrap()
            .contains("not reachable at 127.0.0.1:4460"),
        "{offline}"
    );
    let refused = bus.roxyctl_refused(&["obs", "-i", "spare", "record", "start"]);
    assert!(refused.contains("not connected"), "{refused}");
    let twice = bus.roxyctl_refused(&["obs", "add", "spare"]);
    assert!(twice.contains("exists already"), "{twice}");
    bus.roxyctl_ok(&["obs", "remove", "spare"]);
    assert_eq!(bus.roxyctl_json(&["obs", "list"]), serde_json::json!([]));
    // roxyd lived through all of it.
    assert!(bus.daemon_pid().is_some());
}

#[test]
fn an_ndi_source_on_loopback_is_found_and_the_diagnosis_explains_the_rest() {
    private_network();
    let bus = TestBus::new();
    let responder = mdns_sd::ServiceDaemon::new().expect("mDNS responder");
    let service = mdns_sd::ServiceInfo::new(
        "_ndi._tcp.local.",
        "STUDIO-PC (Camera 1)",
        "studio-pc.local.",
        "127.0.0.1",
        5961,
        None,
    )
    .unwrap();
    responder.register(service).unwrap();
    let mut sources = Value::Null;
    let found = bus.wait_for(Duration::from_secs(20), || {
        sources = bus.roxyctl_json(&["ndi", "sources", "--wait", "1"]);
        sources.as_array().is_some_and(|s| !s.is_empty())
    });
    assert!(found, "no NDI source found: {sources}\n{}", bus.log());
    let source = &sources[0];
    assert_eq!(source["name"], "STUDIO-PC (Camera 1)");
    assert_eq!(source["port"], 5961);
    assert_eq!(source["addresses"], serde_json::json!(["127.0.0.1"]));
    let findings = bus.roxyctl_json(&["ndi", "diagnose"]);
    let level = |title: &str| {
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["title"] == title)
            .map(|f| f["level"].clone())
            .unwrap_or(Value::Null)
    };
    // Only loopback exists in this namespace: that is the problem it must name.
    assert_eq!(level("No network for mDNS"), "problem", "{findings}");
    assert_eq!(level("NDI sources answer"), "ok", "{findings}");
    let _ = responder.shutdown();
}

#[test]
fn obs_without_authentication_links_without_a_keyring() {
    private_network();
    let bus = TestBus::new();
    let _obs = Obs::start(ObsBuild::Current, 4455, "");
    bus.roxyctl_ok(&["obs", "add", "open", "--port", "4455"]);
    let linked = wait_link(&bus, "open", "connected", Duration::from_secs(20));
    assert_eq!(linked["has_password"], false);
    assert_eq!(status(&bus)["program_scene"], "Intro");
}

fn alerts_of(bus: &TestBus, rule: &str, all: bool) -> Vec<Value> {
    let args: &[&str] = if all {
        &["alerts", "list", "--all"]
    } else {
        &["alerts", "list"]
    };
    bus.roxyctl_json(args)
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == rule && a["subject"] == "studio")
        .cloned()
        .collect()
}

fn wait_issue(bus: &TestBus, obs: &Obs, issue: &str, standing: bool, timeout: Duration) {
    let mut last = Value::Null;
    let reached = bus.wait_for(timeout, || {
        last = status(bus);
        last["issues"]
            .as_array()
            .is_some_and(|i| i.iter().any(|x| x == issue) == standing)
    });
    assert!(
        reached,
        "issue {issue} never {}: {last}\n{}\nOBS:\n{}",
        if standing { "rose" } else { "cleared" },
        bus.log(),
        obs.log()
    );
}

#[test]
fn obs_streams_to_an_rtmp_ingest_and_health_problems_become_alerts() {
    private_network();
    let bus = TestBus::new();
    let _keyring = SecretService::start(&bus);
    let obs = Obs::start(ObsBuild::Current, 4455, PASSWORD);
    add_instance(&bus, "studio", 4455, PASSWORD);
    wait_link(&bus, "studio", "connected", Duration::from_secs(20));

    // Limits a short test can cross; a bad one is refused with its field and range.
    let bad = bus.roxyctl_refused(&["obs", "health", "--window", "2"]);
    assert!(
        bad.contains("window_s: 2") && bad.contains("5 to 600"),
        "{bad}"
    );
    let limits = bus.roxyctl_ok(&[
        "obs",
        "health",
        "--lost-percent",
        "5",
        "--window",
        "6",
        "--disk-free-mb",
        "0",
    ]);
    assert_eq!(limits["window_s"], 6);
    assert_eq!(bus.roxyctl_ok(&["obs", "health"])["lost_percent"], 5.0);

    // A real ingest: OBS streams, ffmpeg receives.
    let shaper = Shaper::new(RTMP_PORT);
    let mut ingest = RtmpIngest::start();
    bus.roxyctl_ok(&["obs", "stream", "start"]);
    assert!(
        bus.wait_for(Duration::from_secs(20), || status(&bus)["stream"]
            == "active"),
        "the stream never started: {}\n{}\n{}",
        status(&bus),
        ingest.log(),
        obs.log()
    );
    assert!(
        bus.wait_for(Duration::from_secs(20), || ingest.received() > 20_000),
        "the ingest received {} bytes: {}",
        ingest.received(),
        ingest.log()
    );

    // A thin uplink: OBS has to drop frames, roxyd raises the issue, the alert and a notice.
    shaper.limit("24kbit");
    wait_issue(&bus, &obs, "dropped-frames", true, Duration::from_secs(90));
    let open = alerts_of(&bus, "obs-dropped-frames", false);
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["severity"], "critical");
    let message = open[0]["message"].as_str().unwrap();
    assert!(message.contains("6 seconds"), "{message}");
    shaper.unlimit();
    wait_issue(&bus, &obs, "dropped-frames", false, Duration::from_secs(90));
    assert!(alerts_of(&bus, "obs-dropped-frames", false).is_empty());
    let resolved = alerts_of(&bus, "obs-dropped-frames", true);
    assert!(
        resolved[0]["resolved_at"].as_i64().unwrap() > 0,
        "{resolved:?}"
    );

    // The ingest goes away: OBS reconnects (an alert while it tries), then gives up.
    ingest.kill();
    wait_issue(
        &bus,
        &obs,
        "stream-disconnected",
        true,
        Duration::from_secs(30),
    );
    assert_eq!(alerts_of(&bus, "obs-stream-disconnected", false).len(), 1);
    assert!(
        bus.wait_for(Duration::from_secs(60), || status(&bus)["stream"]
            == "stopped"),
        "OBS kept trying: {}",
        status(&bus)
    );
    assert!(alerts_of(&bus, "obs-stream-disconnected", false).is_empty());
    assert!(
        bus.wait_for(Duration::from_secs(10), || alerts_of(
            &bus,
            "obs-stream-ended",
            false
        )
        .len()
            == 1),
        "no stream-ended alert: {}",
        bus.roxyctl_json(&["alerts", "list", "--all"])
    );
    let session = bus.roxyctl_ok(&["obs", "sessions"])[0].clone();
    assert_eq!(session["kind"], "stream");
    assert!(session["ended_ms"].as_i64().unwrap() > 0, "{session}");
    let (lost, total) = (
        session["dropped_frames"].as_u64().unwrap(),
        session["total_frames"].as_u64().unwrap(),
    );
    assert!(lost > 0 && total > lost, "{session}");
    let video = probe_video(&ingest.file());
    assert_eq!(video, "h264,640,360", "what the ingest got");

    // The disk rule: a limit above the free space raises it while recording, not before.
    bus.roxyctl_ok(&["obs", "health", "--disk-free-mb", "10000000"]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(alerts_of(&bus, "obs-disk-low", false).is_empty());
    bus.roxyctl_ok(&["obs", "record", "start"]);
    wait_issue(&bus, &obs, "disk-low", true, Duration::from_secs(20));
    assert_eq!(alerts_of(&bus, "obs-disk-low", false).len(), 1);
    bus.roxyctl_ok(&["obs", "record", "stop"]);
    wait_issue(&bus, &obs, "disk-low", false, Duration::from_secs(20));
    assert!(alerts_of(&bus, "obs-disk-low", false).is_empty());
    // A new stream ends the "stream ended" alert.
    let _ingest = RtmpIngest::start();
    bus.roxyctl_ok(&["obs", "stream", "start"]);
    assert!(bus.wait_for(Duration::from_secs(20), || alerts_of(
        &bus,
        "obs-stream-ended",
        false
    )
    .is_empty()));
    bus.roxyctl_ok(&["obs", "stream", "stop"]);
}
