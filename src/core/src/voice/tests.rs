use super::*;
use std::path::Path;

fn shipped() -> IntentSet {
    let text = include_str!("../../../../data/voice/intents.yaml");
    IntentSet::parse(Path::new("intents.yaml"), text).expect("the shipped intents parse")
}

fn vocabulary() -> Vocabulary {
    let mut v = Vocabulary::default();
    v.set(
        SlotKind::Scene,
        vec![
            "Gaming".into(),
            "Intro".into(),
            "Live".into(),
            "BRB".into(),
            "Scene 2".into(),
            "Lower third".into(),
        ],
    );
    v.set(
        SlotKind::Input,
        vec!["Mic/Aux".into(), "Music".into(), "Desktop Audio".into()],
    );
    v.set(
        SlotKind::Runbook,
        vec![
            "backup".into(),
            "Nightly backup".into(),
            "deploy-site".into(),
        ],
    );
    v.set(
        SlotKind::Contact,
        vec!["Ada Lovelace".into(), "Grace Hopper".into()],
    );
    v
}

/// (sentence, intent expected or "" for none acted on, slot value expected)
const TABLE: &[(&str, &str, &str)] = &[
    ("switch to scene gaming", "scene", "Gaming"),
    ("Hey Roxy, switch to scene Gaming.", "scene", "Gaming"),
    ("hey roxie switch to scene live", "scene", "Live"),
    ("switch to seam gaming", "scene", "Gaming"),
    ("switch to scene gamin", "scene", "Gaming"),
    ("please switch to the intro scene", "scene", "Intro"),
    ("go to scene 2", "scene", "Scene 2"),
    ("switch to scene two", "scene", "Scene 2"),
    ("show scene lower third", "scene", "Lower third"),
    ("start recording", "record-start", ""),
    ("start the recording now", "record-start", ""),
    ("stark recording", "record-start", ""),
    ("stop recording", "record-stop", ""),
    ("stop streaming", "stream-stop", ""),
    ("start streaming", "stream-start", ""),
    ("mute music", "mute", "Music"),
    ("mute the mic", "mute", "Mic/Aux"),
    ("unmute desktop audio", "unmute", "Desktop Audio"),
    ("run runbook backup", "runbook", "backup"),
    ("run runbook nightly backup", "runbook", "Nightly backup"),
    ("run the deploy site runbook", "runbook", "deploy-site"),
    ("what's the status", "status", ""),
    (
        "add a note to Ada Lovelace: call back on Monday",
        "note",
        "Ada Lovelace",
    ),
    (
        "add a note to grace call back tomorrow",
        "note",
        "Grace Hopper",
    ),
    ("cancel", "cancel", ""),
    ("never mind", "cancel", ""),
    // Distractors: nothing to act on.
    ("", "", ""),
    ("what a lovely day it is outside today", "", ""),
    ("I think we should order pizza for the team", "", ""),
    ("did you watch the game last night", "", ""),
];

#[test]
fn sentences_and_slips_reach_the_right_intent() {
    let set = shipped();
    let vocab = vocabulary();
    let matcher = Matcher::new(&set, &vocab);
    let mut failures = Vec::new();
    for (sentence, intent, slot) in TABLE {
        let best = matcher.best(sentence);
        let acted = best.as_ref().filter(|m| m.decision() == Decision::Act);
        let got_intent = acted.map(|m| m.intent.as_str()).unwrap_or("");
        let got_slot = acted
            .and_then(|m| m.slots.iter().find(|s| s.kind != SlotKind::Text))
            .map(|s| s.value.as_str())
            .unwrap_or("");
        if got_intent != *intent || got_slot != *slot {
            failures.push(format!(
                "{sentence:?}: wanted {intent:?}/{slot:?}, got {got_intent:?}/{got_slot:?} ({:?})",
                best.as_ref()
                    .map(|m| (&m.intent, m.confidence, &m.explanation))
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn free_text_is_kept_as_said() {
    let set = shipped();
    let vocab = vocabulary();
    let m = Matcher::new(&set, &vocab)
        .best("add a note to Ada: invoice is paid")
        .unwrap();
    assert_eq!(m.intent, "note");
    assert_eq!(m.slot(SlotKind::Contact), Some("Ada Lovelace"));
    assert_eq!(m.slot(SlotKind::Text), Some("invoice is paid"));
}

#[test]
fn a_far_slip_asks_back_instead_of_acting() {
    let set = shipped();
    let vocab = vocabulary();
    let m = Matcher::new(&set, &vocab)
        .best("switch to scene garden")
        .unwrap();
    assert_eq!(m.intent, "scene");
    assert_eq!(m.decision(), Decision::AskBack, "{m:?}");
    assert!(m.restated().starts_with("switch to"), "{}", m.restated());
}

#[test]
fn the_explanation_names_each_word() {
    let set = shipped();
    let vocab = vocabulary();
    let m = Matcher::new(&set, &vocab)
        .best("switch to seam gaming")
        .unwrap();
    let text = m.explanation.join("\n");
    assert!(text.contains("{scene} = “Gaming” from “gaming”"), "{text}");
    assert!(text.contains("“scene” ≈ “seam”"), "{text}");
}

#[test]
fn slots_without_live_values_match_nothing() {
    let set = shipped();
    let m = Matcher::new(&set, &Vocabulary::default()).best("switch to scene gaming");
    assert!(m.map(|m| m.intent != "scene").unwrap_or(true));
}

#[test]
fn bad_files_name_the_place() {
    let cases: &[(&str, &str)] = &[
        ("intents: 3\n", "i.yaml:1:10: `intents` must be a list"),
        ("intent: []\n", "i.yaml:1:1: unknown key `intent`; allowed: intents"),
        (
            "intents:\n  - id: a\n    action: obs.fly\n    say: [fly]\n",
            "i.yaml:3:13: unknown action `obs.fly`; allowed: obs.scene,",
        ),
        (
            "intents:\n  - id: a\n    action: obs.scene\n    say: [go]\n",
            "i.yaml:4:11: `obs.scene` needs {scene} (this sentence has no slots)",
        ),
        (
            "intents:\n  - id: a\n    action: runbook.approve\n    say: [approve]\n",
            "i.yaml:3:13: `runbook.approve` can't be done by voice",
        ),
        (
            "intents:\n  - id: a\n    action: status\n    say: [\"status {colour}\"]\n",
            "i.yaml:4:11: `status {colour}`: unknown slot `{colour}`",
        ),
        (
            "intents:\n  - id: a\n    action: crm.note\n    say: [\"{text} for {contact}\"]\n",
            "must come last",
        ),
        (
            "intents:\n  - id: a\n    action: status\n    say: [s]\n  - id: a\n    action: status\n    say: [t]\n",
            "i.yaml:5:9: intent id `a` is used twice",
        ),
        ("intents:\n  - id: a\n    acton: status\n", "i.yaml:3:5: unknown key `acton`"),
        ("intents: [\n", "i.yaml:2:1: YAML syntax error"),
    ];
    for (text, wanted) in cases {
        let errors = IntentSet::parse(Path::new("i.yaml"), text).unwrap_err();
        let all: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            all.iter().any(|e| e.contains(wanted)),
            "{text:?}: wanted {wanted:?} in {all:?}"
        );
    }
}

#[test]
fn coverage_counts_reachable_daemon_actions() {
    let set = shipped();
    let full = coverage(set.actions());
    assert!(full > 0.6 && full < 1.0, "{full}");
    let one = coverage(["obs.scene"]);
    assert!(one > 0.0 && one < full);
    assert_eq!(coverage(["runbook.approve"]), 0.0);
}

#[tokio::test]
async fn the_log_keeps_what_was_heard() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::Store::open(dir.path()).await.unwrap();
    let heard = Heard {
        source: "typed".into(),
        transcript: "start recording".into(),
        intent: "record-start".into(),
        confidence: 0.97,
        outcome: Outcome::Done,
        detail: String::new(),
        reply: "Recording.".into(),
        stt_ms: 0,
        total_ms: 12,
    };
    store.log_heard(&heard).await.unwrap();
    let entries = store.heard(10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].heard, heard);
}

#[test]
fn a_trained_wake_phrase_is_stripped_with_slips() {
    let phrase = normalize("Hey Nova");
    let said = normalize("hey nover, switch to scene live");
    assert_eq!(
        strip_phrase(&said, &phrase).join(" "),
        "switch to scene live"
    );
    let other = normalize("hello there, switch to scene live");
    assert_eq!(strip_phrase(&other, &phrase), &other[..]);
    assert_eq!(strip_phrase(&normalize("hey"), &phrase).len(), 1);
}
