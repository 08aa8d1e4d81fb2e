//! Profiles, de-duplication, rate limits, the digest, Do Not Disturb and Mute, seen from
//! the real dunst server.

use roxy_tests::*;
use std::time::Duration;

/// A runbook whose failure message carries the exit code it is given (`--var code=N`), and
/// the marker for [`settle`]. Written before roxyd starts, so both are in its catalog.
fn flapping_runbook(bus: &TestBus) {
    bus.write_runbook(
        "flap",
        "name: Flap\nvars: { code: 1 }\nsteps:\n  - run: exit $ROXY_VAR_CODE\n",
    );
    bus.write_runbook(
        "marker",
        "name: Marker\nvars: { code: 1 }\nsteps:\n  - run: exit $ROXY_VAR_CODE\n",
    );
}

fn fail(bus: &TestBus, id: &str, code: u32) {
    let var = format!("code={code}");
    let out = bus.roxyctl(&["runbook", "run", id, "--var", &var, "--follow"]);
    assert!(!out.status.success(), "{id} failed as written");
    assert!(stderr(&out).contains("exited with"), "{}", stderr(&out));
}

/// Fails a second runbook and waits for its notice: dunst shows notices in order, so every
/// notice roxyd sent before is on the list by then.
fn settle(bus: &TestBus, dunst: &Dunst) -> Vec<String> {
    fail(bus, "marker", 1);
    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("Marker"))),
        "the marker notice arrived: {:?}",
        dunst.shown()
    );
    dunst
        .shown()
        .into_iter()
        .filter(|l| !l.contains("Marker"))
        .collect()
}

fn status(bus: &TestBus) -> serde_json::Value {
    bus.roxyctl_json(&["notify", "status"])["status"].clone()
}

#[test]
fn the_same_failure_is_told_once() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    for _ in 0..3 {
        fail(&bus, "flap", 1);
    }
    let shown = settle(&bus, &dunst);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].contains("|CRITICAL|Runbook “Flap” failed|"),
        "{shown:?}"
    );
}

#[test]
fn a_flapping_source_is_held_back_and_summed_up_in_the_digest() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    for code in 1..=5 {
        fail(&bus, "flap", code);
    }
    let shown = settle(&bus, &dunst);
    assert_eq!(shown.len(), 3, "three per source, then quiet: {shown:?}");
    assert_eq!(status(&bus)["digest_pending"], 2);

    let flushed = bus.roxyctl_json(&["notify", "flush"]);
    assert_eq!(flushed["sent"], 2);
    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("|Roxy: 2 events|"))),
        "{:?}",
        dunst.shown()
    );
    let digest = dunst
        .shown()
        .into_iter()
        .find(|l| l.contains("Roxy: 2 events"))
        .unwrap();
    assert!(
        digest.contains("runbook:flap: 2 notices held back (too many)"),
        "{digest}"
    );
    assert_eq!(status(&bus)["digest_pending"], 0);
}

#[test]
fn profiles_choose_urgency_digest_or_silence() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    let set = |profile: &str| {
        let out = bus.roxyctl(&["notify", "profile", "run.failed", profile]);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    set("info");
    fail(&bus, "flap", 1);
    assert!(bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()));
    assert!(
        dunst.shown()[0].contains("|NORMAL|Runbook “Flap” failed|"),
        "{:?}",
        dunst.shown()
    );

    set("digest");
    fail(&bus, "flap", 2);
    assert_eq!(status(&bus)["digest_pending"], 1);

    set("off");
    fail(&bus, "flap", 3);
    assert_eq!(status(&bus)["digest_pending"], 1);
    let kinds = bus.roxyctl_json(&["notify", "status"])["kinds"].clone();
    let failed = kinds
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "run.failed")
        .unwrap();
    assert_eq!(failed["profile"], "off");

    set("critical");
    let shown = settle(&bus, &dunst);
    assert_eq!(shown.len(), 1, "digest and off sent nothing: {shown:?}");

    let bad = bus.roxyctl(&["notify", "profile", "run.failed", "loud"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("critical, info, digest, off"),
        "{}",
        stderr(&bad)
    );
    let bad = bus.roxyctl(&["notify", "profile", "run.fail", "info"]);
    assert!(stderr(&bad).contains("run.failed"), "{}", stderr(&bad));
}

#[test]
fn info_waits_during_the_desktops_do_not_disturb_and_critical_does_not() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    bus.roxyctl(&["notify", "profile", "run.failed", "info"]);
    let paused = bus
        .command("dunstctl")
        .args(["set-paused", "true"])
        .output()
        .unwrap();
    assert!(paused.status.success());

    fail(&bus, "flap", 1);
    let now = status(&bus);
    assert_eq!(now["desktop_do_not_disturb"], "dunst");
    assert_eq!(now["digest_pending"], 1, "the info notice waits");
    assert_eq!(waiting(&bus), 0, "nothing was sent to the paused server");

    bus.roxyctl(&["notify", "profile", "run.failed", "critical"]);
    fail(&bus, "flap", 2);
    assert!(
        bus.wait_for(Duration::from_secs(5), || waiting(&bus) == 1),
        "the critical notice went out anyway"
    );

    bus.command("dunstctl")
        .args(["set-paused", "false"])
        .output()
        .unwrap();
    assert_eq!(status(&bus)["desktop_do_not_disturb"], "");
    bus.roxyctl(&["notify", "flush"]);
    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("|Roxy: 1 event|Runbook “Flap” failed"))),
        "{:?}",
        dunst.shown()
    );
}

fn waiting(bus: &TestBus) -> u32 {
    let out = bus
        .command("dunstctl")
        .args(["count", "waiting"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[test]
fn roxys_own_do_not_disturb_delivers_the_digest_when_it_ends() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    bus.roxyctl(&["notify", "profile", "run.failed", "info"]);
    bus.roxyctl(&["notify", "dnd", "on"]);
    fail(&bus, "flap", 1);
    assert_eq!(status(&bus)["do_not_disturb"], true);
    assert_eq!(status(&bus)["digest_pending"], 1);
    bus.roxyctl(&["notify", "dnd", "off"]);
    assert!(
        bus.wait_for(Duration::from_secs(10), || dunst
            .shown()
            .iter()
            .any(|l| l.contains("|Roxy: 1 event|"))),
        "{:?}",
        dunst.shown()
    );
    assert_eq!(dunst.shown().len(), 1, "{:?}", dunst.shown());
}

#[test]
fn mute_on_a_notice_silences_its_source_until_unmuted() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    flapping_runbook(&bus);
    fail(&bus, "flap", 1);
    assert!(bus.wait_for(Duration::from_secs(10), || !dunst.shown().is_empty()));
    dunst.choose_action(&bus, "Mute");
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            bus.roxyctl_json(&["notify", "status"])["muted"]
                .as_array()
                .is_some_and(|m| m.iter().any(|s| s["source"] == "runbook:flap"))
        }),
        "the source is muted"
    );
    fail(&bus, "flap", 2);
    let shown = settle(&bus, &dunst);
    assert!(
        !shown.iter().any(|l| l.contains("exited with 2")),
        "{shown:?}"
    );
    let muted_note = shown
        .iter()
        .filter(|l| l.contains("Muted “runbook:flap”"))
        .count();
    assert_eq!(muted_note, 1, "{shown:?}");

    let out = bus.roxyctl(&["notify", "unmute", "runbook:flap"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let audit = bus.roxyctl_json(&["audit", "search", "notify.unmute"]);
    assert_eq!(audit[0]["target"], "runbook:flap", "{audit}");
}
