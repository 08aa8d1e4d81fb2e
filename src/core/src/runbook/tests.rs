//! Parser tests: valid runbooks and one fixture per kind of mistake, each with its place.

use super::*;
use std::path::Path;

fn ok(text: &str) -> Runbook {
    parse(Path::new("rb.yaml"), text).unwrap_or_else(|e| panic!("{e:?}"))
}

fn err(text: &str) -> Vec<String> {
    parse(Path::new("rb.yaml"), text)
        .expect_err("should be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn parses_every_step_kind_and_option() {
    let rb = ok(r#"
name: Studio warm-up
description: Gets the studio ready
tags: [studio, daily]
confirm: true
weight: heavy
env:
  STUDIO: "1"
vars:
  mode: quick
steps:
  - id: probe
    run: ["pgrep", "-x", "obs"]
    timeout: 5s
    on_failure: continue
  - id: start
    run: obs --minimize-to-tray &
    when: steps.probe.failed and vars.mode == "quick"
    retries: 2
    backoff: 500ms
    rollback: pkill -x obs
    verify: pgrep -x obs
    expected: { exit_code: 0 }
    env: { DISPLAY: ":0" }
    cwd: /tmp
  - approval: Go live now?
  - http: { url: "http://127.0.0.1:8080/health", status: 204, body: ok }
  - wait_for: { tcp: "127.0.0.1:4455" }
  - run: echo ready
    expected: { regex: "^re" }
"#);
    assert_eq!(rb.id, "rb");
    assert_eq!(rb.name, "Studio warm-up");
    assert!(rb.confirm);
    assert_eq!(rb.weight, Weight::Heavy);
    assert_eq!(rb.tags, vec!["studio", "daily"]);
    assert_eq!(rb.steps.len(), 6);
    let probe = &rb.steps[0];
    assert_eq!(
        probe.action_argv(),
        Some(vec!["pgrep".into(), "-x".into(), "obs".into()])
    );
    assert_eq!(probe.timeout, std::time::Duration::from_secs(5));
    assert_eq!(probe.on_failure, OnFailure::Continue);
    let start = &rb.steps[1];
    assert_eq!(start.retries, 2);
    assert_eq!(start.backoff, std::time::Duration::from_millis(500));
    assert_eq!(start.rollback, Some(Command::Shell("pkill -x obs".into())));
    assert!(matches!(start.expected, Expected::ExitCode(0)));
    assert_eq!(start.when.as_ref().unwrap().step_refs(), vec!["probe"]);
    assert_eq!(rb.steps[2].id, "step-3");
    assert!(matches!(&rb.steps[2].action, Action::Approval { prompt } if prompt == "Go live now?"));
    assert!(matches!(&rb.steps[3].action, Action::Http(h) if h.status == 204 && h.method == "GET"));
    assert!(
        matches!(&rb.steps[4].action, Action::WaitFor(WaitTarget::Tcp(t)) if t == "127.0.0.1:4455")
    );
    assert!(matches!(&rb.steps[5].expected, Expected::Regex(_)));
}

#[test]
fn defaults_are_sensible() {
    let rb = ok("steps:\n  - run: \"true\"\n");
    let step = &rb.steps[0];
    assert_eq!(rb.name, "rb");
    assert!(!rb.confirm);
    assert_eq!(step.timeout, std::time::Duration::from_secs(60));
    assert_eq!(step.retries, 0);
    assert_eq!(step.on_failure, OnFailure::Abort);
    assert!(matches!(step.expected, Expected::ExitCode(0)));
    assert_eq!(step.name, "true");
}

/// Each malformed fixture gives exactly this file:line:col and message.
#[test]
fn malformed_runbooks_are_reported_at_their_place() {
    let cases: &[(&str, &str)] = &[
        ("steps:\n  - run: ls\n    timout: 5s\n", "rb.yaml:3:5: unknown key `timout` in step 1 (did you mean `timeout`?)"),
        ("steps:\n  - run: ls\n    timeout: 5 minutes please\n", "rb.yaml:3:14: `5 minutes please` is not a duration"),
        ("steps:\n  - run: ls\n    retries: many\n", "rb.yaml:3:14: `retries` must be a whole number from 0 to 100"),
        ("steps:\n  - run: ls\n  - run: ls\n    when: steps.later.ok\n  - id: later\n    run: ls\n", "rb.yaml:4:11: `when` refers to step `later`, which is not an earlier step"),
        ("steps:\n  - id: a\n    run: ls\n    when: steps.a.ok\n", "rb.yaml:4:11: `when` of step `a` refers to the step itself"),
        ("steps:\n  - run: ls\n    when: steps.x.ok and\n", "rb.yaml:3:25: in `when`: the condition ends too early"),
        ("steps:\n  - run: ls\n    on_failure: explode\n", "rb.yaml:3:17: `on_failure` is abort, continue or rollback, not `explode`"),
        ("steps:\n  - run: ls\n    approval: ok?\n", "rb.yaml:3:15: step 1 has both `run` and `approval`"),
        ("steps:\n  - name: nothing\n", "rb.yaml:2:5: step 1 does nothing"),
        ("steps:\n  - run: []\n", "rb.yaml:2:10: `run` must be a shell command line or a non-empty list"),
        ("name: [a]\nsteps:\n  - run: ls\n", "rb.yaml:1:7: `name` must be text, not a list"),
        ("steps: 3\n", "rb.yaml:1:8: `steps` must be a list of steps"),
        ("name: x\n", "rb.yaml:1:1: a runbook needs `steps:`"),
        ("steps:\n  - run: ls\n    expected: { regex: \"(\" }\n", "rb.yaml:3:24: `expected.regex` is not a valid regular expression"),
        ("steps:\n  - run: ls\n  - run: ls\n    id: a b\n", "rb.yaml:4:9: step id `a b` may contain only"),
        ("steps:\n  - id: a\n    run: ls\n  - id: a\n    run: ls\n", "rb.yaml:4:9: step id `a` is used twice"),
        ("steps:\n  - http: { url: ftp://x/y }\n", "rb.yaml:2:18: `http.url` must start with http:// or https://"),
        ("steps:\n  - wait_for: { tcp: localhost }\n", "rb.yaml:2:22: `wait_for.tcp` is host:port"),
        ("steps:\n  - run: ls\n    when: vars.nope == 1\n", "rb.yaml:3:11: `when` uses vars.nope, which is not declared"),
        ("confirm: maybe\nsteps:\n  - run: ls\n", "rb.yaml:1:10: `confirm` must be true or false, not `maybe`"),
        ("steps:\n  - run: ls\n  - run: [ls\n", "rb.yaml:4:1: YAML syntax error"),
        ("steps:\n  - run: ls\nsteps:\n  - run: ls\n", "rb.yaml:3:1: `steps` appears twice in this mapping (first at line 1)"),
        ("- run: ls\n", "rb.yaml:1:1: a runbook is a mapping"),
        ("steps:\n  - run: ls\n    cwd: relative/dir\n", "rb.yaml:3:10: `cwd` must be an absolute path"),
        ("env:\n  1BAD: x\nsteps:\n  - run: ls\n", "rb.yaml:2:3: `1BAD` is not a valid name in `env`"),
    ];
    for (text, expected) in cases {
        let errors = err(text);
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "for:\n{text}\nexpected an error starting with {expected:?}, got {errors:#?}"
        );
    }
}

#[test]
fn a_bad_condition_points_into_the_expression() {
    let errors =
        err("steps:\n  - id: a\n    run: ls\n  - run: ls\n    when: steps.a.ok or steps.a.okay\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    // `steps.a.okay` starts at column 11 + 14.
    assert!(
        errors[0].starts_with("rb.yaml:5:25: in `when`: `okay` is not a step field"),
        "{errors:?}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let errors = err("steps:\n  - run: ls\n    timout: 1s\n  - run: ls\n    retries: -1\n");
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn oversized_files_are_refused_unread() {
    let huge = format!("steps:\n{}", "  - run: ls\n".repeat(MAX_FILE_BYTES / 10));
    let errors = err(&huge);
    assert!(errors[0].contains("at most"), "{errors:?}");
}

#[test]
fn every_shipped_example_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/runbooks");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let rb = parse(&path, &text).unwrap_or_else(|e| panic!("{e:#?}"));
        assert!(!rb.description.is_empty(), "{} explains itself", rb.id);
        names.push(rb.id);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "incident",
            "maintenance",
            "shutdown",
            "startup",
            "warmup-studio"
        ]
    );
}

/// The published JSON Schema names exactly the keys the parser accepts.
#[test]
fn the_json_schema_matches_the_parser() {
    use super::parse::{
        EXPECTED_KEYS, HTTP_KEYS, RUNBOOK_KEYS, STEP_KEYS, TRIGGER_KEYS, WAIT_KEYS,
    };
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/runbook.schema.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let sorted = |list: &[&str]| -> Vec<String> {
        let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    let step = &schema["$defs"]["step"];
    assert_eq!(keys(&schema), sorted(RUNBOOK_KEYS));
    assert_eq!(keys(step), sorted(STEP_KEYS));
    assert_eq!(keys(&schema["$defs"]["trigger"]), sorted(TRIGGER_KEYS));
    assert_eq!(keys(&step["properties"]["http"]), sorted(HTTP_KEYS));
    assert_eq!(keys(&step["properties"]["wait_for"]), sorted(WAIT_KEYS));
    assert_eq!(
        keys(&step["properties"]["expected"]["oneOf"][1]),
        sorted(EXPECTED_KEYS)
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Fragments that make the parser walk its deeper paths.
    const PIECES: &[&str] = &[
        "steps:",
        "\n  - ",
        "run: ",
        "ls",
        "[a, b]",
        "id: ",
        "x",
        "when: ",
        "steps.x.ok",
        " and ",
        "not ",
        "(",
        ")",
        "\"",
        "timeout: ",
        "5s",
        "retries: ",
        "3",
        "expected: ",
        "{ regex: \"(\" }",
        "{ exit_code: 300 }",
        "http: ",
        "{ url: http://h/x }",
        "wait_for: ",
        "{ tcp: a:1 }",
        "approval: ",
        "ok?",
        "\n    ",
        ": ",
        "- ",
        "&a ",
        "*a",
        "!!str ",
        "{",
        "}",
        "[",
        "]",
        "\n",
        "#",
        "on_failure: ",
        "rollback",
        "vars: ",
        "{ a: b }",
        "vars.a == 1",
        "é",
        "\t",
    ];

    proptest! {
        #![proptest_config(ProptestConfig {
            // ROXY_FUZZ_CASES=1000000 cargo test -p roxy-core fuzz -- for a long run.
            cases: std::env::var("ROXY_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
            ..ProptestConfig::default()
        })]

        /// Never panics on any input, and every error names a place inside the text.
        #[test]
        fn any_text_parses_or_fails_with_a_place(text in "\\PC{0,200}") {
            check(&text);
        }

        #[test]
        fn runbook_shaped_text_parses_or_fails_with_a_place(pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..60)) {
            check(&pieces.concat());
        }
    }

    fn check(text: &str) {
        if let Err(errors) = parse(Path::new("f.yaml"), text) {
            let lines = text.lines().count().max(1) + 1;
            for e in errors {
                assert!(!e.message.is_empty());
                assert!(
                    e.line <= lines,
                    "line {} beyond the text ({lines} lines): {e}",
                    e.line
                );
            }
        }
    }
}

#[test]
fn triggers_parse_with_defaults_and_declare_their_variable() {
    let rb = ok(r#"
triggers:
  - watch: ~/Recordings/**/*.mkv
    events: [created, modified]
    var: file
  - watch: /srv/inbox/report.csv
steps:
  - run: echo "$ROXY_VAR_FILE"
"#);
    assert_eq!(rb.triggers.len(), 2);
    let home = Path::new("/home/u");
    let first = &rb.triggers[0];
    assert_eq!(first.events, vec![FileEvent::Created, FileEvent::Modified]);
    assert_eq!(first.var, "file");
    assert_eq!(first.base_dir(home), Path::new("/home/u/Recordings"));
    assert!(first.recursive(home));
    let second = &rb.triggers[1];
    assert_eq!(second.events, vec![FileEvent::Created]);
    assert_eq!(second.var, "path");
    assert_eq!(second.base_dir(home), Path::new("/srv/inbox"));
    assert!(!second.recursive(home));
    let everything = FileTrigger {
        pattern: "/srv/**".into(),
        events: vec![FileEvent::Removed],
        var: "path".into(),
    };
    assert!(everything.recursive(home));
    assert_eq!(rb.vars.get("file").map(String::as_str), Some(""));
    assert_eq!(rb.vars.get("path").map(String::as_str), Some(""));
}

#[test]
fn bad_triggers_name_their_place() {
    let errors = err(r#"
triggers:
  - watch: Videos/*.mkv
  - watch: /tmp/[a.txt
  - watch: /tmp/x
    events: [touched]
  - events: [created]
  - watch: /tmp/y
    on: created
steps:
  - run: "true"
"#);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(errors[0].starts_with("rb.yaml:3:12: `watch` must be an absolute path"));
    assert!(errors[1].starts_with("rb.yaml:4:12: `/tmp/[a.txt` is not a valid glob"));
    assert!(errors[2].starts_with(
        "rb.yaml:6:13: `touched` is not an event; allowed: created, modified, removed"
    ));
    assert!(errors[3].starts_with("rb.yaml:7:5: trigger 4 needs `watch:`"));
    assert!(errors[4].starts_with("rb.yaml:9:5: unknown key `on` in trigger 5"));
}

#[test]
fn secrets_map_variables_to_store_names() {
    let rb = ok(r#"
secrets: { TOKEN: ntfy-token }
steps:
  - run: 'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1/'
    secrets: { PASSWORD: obs.password }
"#);
    assert_eq!(
        rb.secrets.get("TOKEN").map(String::as_str),
        Some("ntfy-token")
    );
    assert_eq!(
        rb.steps[0].secrets.get("PASSWORD").map(String::as_str),
        Some("obs.password")
    );
    let errors = err("secrets: { TOKEN: has space }\nsteps:\n  - run: \"true\"\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("rb.yaml:1:19: `has space` is not a secret name"),
        "{errors:?}"
    );
}
