//! File-watcher triggers start real runs through the activated roxyd.

use roxy_tests::*;
use std::time::Duration;

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn a_matching_file_starts_one_run_with_its_path_and_others_do_not() {
    let bus = TestBus::new();
    let inbox = bus.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let seen = bus.dir.path().join("seen");
    bus.write_runbook(
        "ingest",
        &format!(
            "triggers:\n  - watch: {}/*.txt\n    events: [created]\n    var: file\n\
             steps:\n  - run: echo \"$ROXY_VAR_FILE\" >> {}\n",
            inbox.display(),
            seen.display()
        ),
    );
    let shown = bus.roxyctl_json(&["runbook", "show", "ingest"]);
    assert_eq!(
        shown["runbook"]["triggers"][0],
        format!("created {}/*.txt → file", inbox.display())
    );

    std::fs::write(inbox.join("notes.log"), "not a match").unwrap();
    // Several writes to one new file: one run once it is quiet.
    let report = inbox.join("report.txt");
    for part in ["a", "b", "c"] {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&report)
            .unwrap();
        f.write_all(part.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        bus.wait_for(Duration::from_secs(20), || !read(&seen).is_empty()),
        "the trigger started a run"
    );
    std::thread::sleep(Duration::from_millis(2000));
    assert_eq!(read(&seen), format!("{}\n", report.display()));

    let runs = bus.roxyctl_json(&["runbook", "runs", "ingest"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        runs[0]["actor"],
        format!("trigger (created {}/*.txt)", inbox.display())
    );
    let audit = bus.roxyctl_json(&["audit", "search", "trigger"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "runbook.run" && e["target"] == "ingest"),
        "{audit}"
    );
}

#[test]
fn editing_a_runbook_arms_its_new_trigger() {
    let bus = TestBus::new();
    let drop = bus.dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let seen = bus.dir.path().join("seen");
    bus.write_runbook("late", "steps:\n  - run: \"true\"\n");
    assert_eq!(
        bus.roxyctl_json(&["runbook", "show", "late"])["runbook"]["triggers"],
        serde_json::json!([])
    );
    bus.write_runbook(
        "late",
        &format!(
            "triggers:\n  - watch: {}/**\n    events: [removed]\n\
             steps:\n  - run: echo \"$ROXY_VAR_PATH\" >> {}\n",
            drop.display(),
            seen.display()
        ),
    );
    assert!(bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl_json(&["runbook", "show", "late"])["runbook"]["triggers"][0]
            .as_str()
            .is_some()
    }));
    let nested = drop.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("old.txt"), "x").unwrap();
    // Let the recursive watch see the new folders before the removal.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(read(&seen).is_empty(), "creating is not a removal");
    std::fs::remove_file(nested.join("old.txt")).unwrap();
    assert!(
        bus.wait_for(Duration::from_secs(20), || !read(&seen).is_empty()),
        "the removal started a run"
    );
    assert_eq!(
        read(&seen),
        format!("{}\n", nested.join("old.txt").display())
    );
}
