use super::*;

/// A made-up "phrase": tones one after another, `stretch` times as long, at `gain`.
fn phrase(tones: &[f32], stretch: f32, gain: f32, seed: u32) -> Vec<f32> {
    let mut noise = seed.wrapping_mul(2_654_435_761).max(1);
    let mut out = vec![0.0; 4_000];
    for &hz in tones {
        let n = (2_400.0 * stretch) as usize;
        out.extend((0..n).map(|i| {
            let t = i as f32 / 16_000.0;
            gain * (0.6 * (2.0 * std::f32::consts::PI * hz * t).sin()
                + 0.3 * (2.0 * std::f32::consts::PI * 2.0 * hz * t).sin())
        }));
    }
    out.extend(std::iter::repeat_n(0.0, 4_000));
    // A faint hiss, as every room has.
    for s in &mut out {
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        *s += (noise as f32 / u32::MAX as f32 - 0.5) * 0.002;
    }
    out
}

const WAKE: [f32; 4] = [300.0, 1_200.0, 600.0, 2_500.0];
const OTHER: [f32; 4] = [2_500.0, 600.0, 1_200.0, 300.0];

fn reference() -> WakeReference {
    let samples = vec![
        phrase(&WAKE, 1.0, 0.5, 1),
        phrase(&WAKE, 0.95, 0.3, 2),
        phrase(&WAKE, 1.05, 0.7, 3),
    ];
    WakeReference::from_samples("Hey Tones ", &samples).unwrap()
}

#[test]
fn the_phrase_wakes_once_and_a_different_one_never() {
    let reference = reference();
    assert_eq!(reference.phrase, "hey tones");
    assert_eq!(reference.templates.len(), 3);
    let mut stream = phrase(&OTHER, 1.0, 0.5, 4);
    let wake_starts = stream.len();
    stream.extend(phrase(&WAKE, 1.0, 0.4, 5));
    stream.extend(phrase(&OTHER, 0.95, 0.6, 6));

    let mut detector = WakeDetector::new(&reference, DEFAULT_SENSITIVITY);
    let mut hits = Vec::new();
    for chunk in stream.chunks(320) {
        hits.extend(detector.push(chunk));
    }
    assert_eq!(hits.len(), 1, "{hits:?}");
    let wake_ends = wake_starts + 4_000 + 4 * 2_400;
    let at = hits[0].at_sample as i64;
    assert!(
        (at - wake_ends as i64).abs() < 3_200,
        "hit at {at}, phrase ended at {wake_ends}"
    );
    assert!(hits[0].score < detector.threshold());
    assert!((detector.seconds() - stream.len() as f64 / 16_000.0).abs() < 0.05);
}

#[test]
fn sensitivity_widens_the_threshold() {
    let reference = reference();
    let strict = WakeDetector::new(&reference, 0.0).threshold();
    let loose = WakeDetector::new(&reference, 1.0).threshold();
    assert!(strict < loose);
    assert!((strict - 0.8 * reference.typical_score).abs() < 1e-6);
}

#[test]
fn bad_recordings_are_named() {
    let good = phrase(&WAKE, 1.0, 0.5, 1);
    let too_few = WakeReference::from_samples("x", &[good.clone(), good.clone()]);
    assert!(matches!(
        too_few,
        Err(WakeError::TooFewSamples { got: 2, needed: 3 })
    ));
    let quiet = phrase(&WAKE, 1.0, 0.001, 2);
    let err = WakeReference::from_samples("x", &[good.clone(), quiet, good.clone()]).unwrap_err();
    assert!(
        err.to_string().starts_with("recording 2: too quiet"),
        "{err}"
    );
    let click = phrase(&[440.0], 0.5, 0.5, 3);
    let err = WakeReference::from_samples("x", &[good.clone(), good.clone(), click]).unwrap_err();
    assert!(err.to_string().starts_with("recording 3: only"), "{err}");
}

#[test]
fn a_saved_reference_reads_back_and_broken_files_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wake/tones.json");
    let reference = reference();
    reference.save(&path).unwrap();
    let loaded = WakeReference::load(&path).unwrap();
    assert_eq!(loaded.phrase, reference.phrase);
    assert_eq!(loaded.templates.len(), reference.templates.len());
    assert!((loaded.templates[0][5][3] - reference.templates[0][5][3]).abs() <= 0.005);

    let err = WakeReference::parse("w.json", "{\n  \"format\": 3\n}").unwrap_err();
    assert!(err.to_string().starts_with("w.json:2:"), "{err}");
    let other = serde_json::to_string(&WakeReference {
        format: "something-else".into(),
        ..reference.clone()
    })
    .unwrap();
    let err = WakeReference::parse("w.json", &other).unwrap_err();
    assert!(
        err.to_string().contains("format: “something-else”"),
        "{err}"
    );
    let empty = serde_json::to_string(&WakeReference {
        templates: vec![],
        ..reference
    })
    .unwrap();
    let err = WakeReference::parse("w.json", &empty).unwrap_err();
    assert!(err.to_string().starts_with("w.json: templates:"), "{err}");
}
