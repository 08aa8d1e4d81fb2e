//! `roxyctl crm …` against a real roxyd: field errors, BANT explanations, the pipeline,
//! CSV and vCard import (dry run first, then a job), export, merge, undo — on the embedded
//! SQLite database and on PostgreSQL chosen by `ROXY_DATABASE_URL`.

use roxy_tests::*;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/crm");

fn count(bus: &TestBus) -> i64 {
    bus.roxyctl_ok(&["crm", "contact", "list"])["total"]
        .as_i64()
        .unwrap()
}

fn days_from_today(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn scenario(bus: &TestBus) {
    // Contacts and field errors.
    let ada = bus.roxyctl_ok(&[
        "crm",
        "contact",
        "add",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@analytical.example",
        "--tags",
        "vip",
    ])["id"]
        .as_i64()
        .unwrap();
    let err = bus.roxyctl_refused(&[
        "crm", "contact", "add", "--name", "X", "--email", "ada@", "--phone", "call me",
    ]);
    assert!(
        err.contains("email: `ada@` is not an email address"),
        "{err}"
    );
    assert!(err.contains("phone:"), "{err}");
    assert_eq!(count(bus), 1, "nothing saved from the bad form");

    // A lead with an explained score.
    let lead = bus.roxyctl_ok(&[
        "crm",
        "lead",
        "add",
        &ada.to_string(),
        "--budget",
        "12k",
        "--authority",
        "decision_maker",
        "--need",
        "medium",
        "--decision",
        &days_from_today(30),
        "--next-action",
        "Send offer",
        "--due",
        &days_from_today(0),
        "--value",
        "12,000",
    ]);
    assert_eq!(lead["score"], 92, "{lead}");
    let lead_id = lead["id"].as_i64().unwrap();
    let text = bus.roxyctl(&["crm", "lead", "show", &lead_id.to_string()]);
    let text = stdout(&text);
    assert!(
        text.contains("Budget 25/25: stated 12k ≥ 10k threshold"),
        "{text}"
    );
    assert!(text.contains("Need 17/25: need is medium"), "{text}");
    let err = bus.roxyctl_refused(&[
        "crm",
        "lead",
        "edit",
        &lead_id.to_string(),
        "--due",
        "tomorrow",
    ]);
    assert!(
        err.contains("next_action_due: `tomorrow` is not a date"),
        "{err}"
    );
    let today = bus.roxyctl_ok(&["crm", "today"]);
    assert_eq!(today[0]["action"], "Send offer");

    // The pipeline and the forecast.
    let stages = bus.roxyctl_ok(&["crm", "stage", "list"]);
    let proposal = stages[2]["id"].as_i64().unwrap();
    let deal = bus.roxyctl_ok(&[
        "crm",
        "deal",
        "add",
        &lead_id.to_string(),
        "Engine",
        "--value",
        "10k",
        "--close",
        &days_from_today(10),
    ])["id"]
        .as_i64()
        .unwrap();
    bus.roxyctl_ok(&[
        "crm",
        "deal",
        "move",
        &deal.to_string(),
        &proposal.to_string(),
    ]);
    let forecast = bus.roxyctl_ok(&["crm", "forecast"]);
    assert_eq!(
        forecast["stages"][2]["weighted_cents"], 600_000,
        "{forecast}"
    );
    let err = bus.roxyctl_refused(&["crm", "deal", "won", &deal.to_string(), " "]);
    assert!(err.contains("reason"), "{err}");
    bus.roxyctl_ok(&["crm", "deal", "won", &deal.to_string(), "Signed"]);
    let board = bus.roxyctl_ok(&["crm", "deal", "list"]);
    assert_eq!(board["deals"][0]["reason"], "Signed");

    // CSV: the dry run reports and writes nothing; --confirm imports in a job.
    let csv = format!("{FIXTURES}/contacts.csv");
    let report = bus.roxyctl_ok(&["crm", "import", &csv]);
    assert_eq!(report["good"], 3, "{report}");
    let lines: Vec<u64> = report["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 6]);
    assert_eq!(count(bus), 1, "a dry run imports nothing");
    let err = bus.roxyctl_refused(&[
        "crm",
        "import",
        &format!("{FIXTURES}/unclosed.csv"),
        "--confirm",
    ]);
    assert!(
        err.contains("line 3: a quoted value starts here and is never closed"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    let out = bus.roxyctl(&["crm", "import", &csv, "--confirm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("3 created"), "{}", stdout(&out));
    assert_eq!(count(bus), 4);
    let found = bus.roxyctl_ok(&["crm", "contact", "list", "fosdem"]);
    assert_eq!(found["contacts"][0]["name"], "Linus Example");
    let vip = bus.roxyctl_ok(&["crm", "contact", "list", "--tag", "vip"]);
    assert_eq!(vip["total"], 2);

    // vCard: import, then export gives the same bytes.
    let vcf = format!("{FIXTURES}/contacts.vcf");
    let report = bus.roxyctl_ok(&["crm", "import", &vcf]);
    assert_eq!(
        report["duplicates"].as_array().unwrap().len(),
        2,
        "{report}"
    );
    let out = bus.roxyctl(&["crm", "import", &vcf, "--confirm", "--skip-duplicates"]);
    assert!(stdout(&out).contains("1 created"), "{}", stdout(&out));
    let jose = bus.roxyctl_ok(&["crm", "contact", "list", "garcía"])["contacts"][0]["id"]
        .as_i64()
        .unwrap();
    let exported = bus.dir.path().join("out.vcf");
    bus.roxyctl_ok(&[
        "crm",
        "export",
        "--format",
        "vcard",
        "-o",
        exported.to_str().unwrap(),
        &jose.to_string(),
    ]);
    let original = std::fs::read_to_string(&vcf).unwrap();
    let card = &original[original.rfind("BEGIN:VCARD").unwrap()..];
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), card);

    // Duplicates, merge and undo.
    let grace = bus.roxyctl_ok(&["crm", "contact", "list", "hopper"])["contacts"][0]["id"]
        .as_i64()
        .unwrap();
    let twin = bus.roxyctl_ok(&[
        "crm",
        "contact",
        "add",
        "--name",
        "G. Hopper",
        "--email",
        "GRACE@navy.example",
    ])["id"]
        .as_i64()
        .unwrap();
    bus.roxyctl_ok(&["crm", "log", &twin.to_string(), "call", "About the slides"]);
    let dups = bus.roxyctl_ok(&["crm", "duplicates"]);
    assert_eq!(dups[0]["contact_ids"], serde_json::json!([grace, twin]));
    bus.roxyctl_ok(&["crm", "merge", &grace.to_string(), &twin.to_string()]);
    let shown = bus.roxyctl_ok(&["crm", "contact", "show", &grace.to_string()]);
    assert_eq!(shown["timeline"][0]["notes"], "About the slides");
    bus.roxyctl_ok(&["crm", "contact", "delete", &ada.to_string()]);
    assert!(bus
        .roxyctl_refused(&["crm", "contact", "show", &ada.to_string()])
        .contains("no contact"));
    bus.roxyctl_ok(&["crm", "contact", "restore", &ada.to_string()]);
    assert_eq!(
        bus.roxyctl_ok(&["crm", "contact", "show", &ada.to_string()])["contact"]["form"]["name"],
        "Ada Lovelace"
    );
}

#[test]
fn the_crm_on_the_embedded_database() {
    let bus = TestBus::new();
    assert_eq!(bus.roxyctl_ok(&["crm", "backend"])["backend"], "sqlite");
    scenario(&bus);
}

#[test]
fn the_crm_on_postgresql() {
    let server = Postgres::start();
    let url = server.create_database("roxy_cli");
    let bus = TestBus::with_daemon_env(&[("ROXY_DATABASE_URL", &url)]);
    let backend = bus.roxyctl_ok(&["crm", "backend"])["backend"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(backend.starts_with("postgres://"), "{backend}");
    scenario(&bus);
}

#[test]
fn an_unreachable_shared_database_is_reported_and_the_daemon_keeps_running() {
    let bus = TestBus::with_daemon_env(&[(
        "ROXY_DATABASE_URL",
        "postgres://roxy:hunter2@localhost/crm?host=/nonexistent&port=5432",
    )]);
    let err = bus.roxyctl_refused(&["crm", "contact", "list"]);
    assert!(err.contains("cannot be used"), "{err}");
    assert!(err.contains("roxyctl crm backend --sqlite"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let status = bus.roxyctl(&["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    assert!(bus.wait_for(Duration::from_secs(1), || bus.daemon_pid().is_some()));
}

#[test]
fn due_next_actions_are_told_once() {
    let bus = TestBus::new();
    let dunst = Dunst::start(&bus);
    let ada =
        bus.roxyctl_ok(&["crm", "contact", "add", "--name", "Ada Lovelace"])["id"].to_string();
    let lead = bus.roxyctl_ok(&[
        "crm",
        "lead",
        "add",
        &ada,
        "--next-action",
        "Call Ada",
        "--due",
        &days_from_today(0),
    ]);
    bus.roxyctl_ok(&[
        "crm",
        "lead",
        "add",
        &ada,
        "--next-action",
        "Send the contract",
        "--due",
        &days_from_today(-2),
    ]);
    bus.roxyctl_ok(&[
        "crm",
        "lead",
        "add",
        &ada,
        "--next-action",
        "Not yet",
        "--due",
        &days_from_today(3),
    ]);
    let told = |text: &str| dunst.shown().iter().filter(|l| l.contains(text)).count();
    assert!(
        bus.wait_for(Duration::from_secs(10), || told("Due today: Call Ada") == 1
            && told("Overdue: Send the contract") == 1),
        "{:?}",
        dunst.shown()
    );
    // Saving the lead again does not tell it again; a later due date is not told yet.
    bus.roxyctl_ok(&[
        "crm",
        "lead",
        "edit",
        &lead["id"].to_string(),
        "--source",
        "referral",
    ]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(told("Call Ada"), 1, "{:?}", dunst.shown());
    assert_eq!(told("Not yet"), 0, "{:?}", dunst.shown());
}
