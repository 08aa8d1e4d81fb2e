//! Voice through the real audio path: sentences synthesized with espeak-ng reach roxyd's
//! microphone through ALSA's file plugin (cpal → alsa-lib → a raw 16 kHz file), are cut by the
//! segmenter, transcribed by whisper.cpp with the tiny.en model made from registry packages
//! (`build-aux/whisper-model.sh`), matched to an intent and acted on against a real OBS.
//! Typed sentences take the same path after speech-to-text.

use roxy_tests::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn whisper_model() -> PathBuf {
    let path = std::env::var_os("ROXY_WHISPER_MODEL").map(PathBuf::from).expect(
        "ROXY_WHISPER_MODEL must name the whisper model: run `build-aux/whisper-model.sh` (build-aux/test.sh does)",
    );
    assert!(path.is_file(), "{} is not a file", path.display());
    path
}

/// A private HOME whose `.asoundrc` makes the default ALSA capture device read `mic.raw`.
struct Microphone {
    home: tempfile::TempDir,
}

impl Microphone {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let raw = home.path().join("mic.raw");
        std::fs::write(&raw, []).unwrap();
        std::fs::write(
            home.path().join(".asoundrc"),
            format!(
                "pcm.!default {{\n  type file\n  slave.pcm \"null\"\n  file \"{}\"\n  infile \"{}\"\n  format \"raw\"\n}}\n",
                home.path().join("speaker.raw").display(),
                raw.display()
            ),
        )
        .unwrap();
        Self { home }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// What roxyd said last through the speaker (ALSA's file plugin writes it as raw mono
    /// 16-bit at the voice's 22,050 Hz), once it has stopped growing; transcribed by whisper
    /// with `vocabulary` in its prompt, as roxyd does with scene names.
    fn spoken(&self, vocabulary: &[&str]) -> (String, f64) {
        let audio = self.spoken_audio();
        let stt = roxy_voice::Transcriber::load(&whisper_model()).unwrap();
        let seconds = audio.len() as f64 / 16_000.0;
        (stt.transcribe(&audio, vocabulary).unwrap().text, seconds)
    }

    /// What roxyd said last, at 16 kHz, from its first sound to its last.
    fn spoken_audio(&self) -> Vec<f32> {
        let path = self.home.path().join("speaker.raw");
        let mut last = 0;
        let mut stable = 0;
        for _ in 0..200 {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            stable = if size > 0 && size == last {
                stable + 1
            } else {
                0
            };
            last = size;
            if stable >= 10 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(last > 22_050, "nothing was spoken ({last} bytes)");
        let heard = self.home.path().join("spoken16k.raw");
        speech::raw_to_16k(&path, 22_050, 16, "signed-integer", &heard, &[]);
        // ALSA's null device takes samples as fast as they come, so the file holds the
        // silence played while roxyd waited for the end; only the speech counts.
        let audio = speech::read_raw(&heard);
        let loud = |s: &f32| s.abs() > 0.01;
        let first = audio.iter().position(loud).unwrap_or(0);
        let last = audio.iter().rposition(loud).unwrap_or(0);
        audio[first..=last.max(first)].to_vec()
    }

    /// The next time roxyd opens the microphone it hears what it said last: the Piper voice
    /// as the person giving a command, with half a second of quiet before and
    /// `quiet_after` seconds after.
    fn will_hear_what_was_spoken(&self, quiet_after: usize) {
        let audio = self.spoken_audio();
        let mut bytes = vec![0u8; 16_000];
        for sample in audio {
            let s = (sample * 32767.0).clamp(-32768.0, 32767.0) as i16;
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        bytes.extend(vec![0u8; quiet_after * 32_000]);
        std::fs::write(self.home.path().join("mic.raw"), bytes).unwrap();
    }

    /// The next time roxyd opens the microphone it hears `text` spoken by espeak-ng, with
    /// half a second of quiet before and two after.
    fn will_hear(&self, text: &str) {
        self.will_hear_voice(text, "en-us", 160);
    }

    fn will_hear_voice(&self, text: &str, voice: &str, speed: u32) {
        speech::speak_raw(text, voice, speed, 2.0, &self.home.path().join("mic.raw"));
    }

    fn will_hear_silence(&self, seconds: usize) {
        std::fs::write(
            self.home.path().join("mic.raw"),
            vec![0u8; seconds * 32_000],
        )
        .unwrap();
    }

    /// The next time roxyd opens the microphone it hears these sentences one after another
    /// (two seconds apart), then quiet for `quiet_after` seconds.
    fn will_hear_all(&self, sentences: &[&str], quiet_after: f32) {
        let clips: Vec<Clip> = sentences.iter().map(|s| Clip::Say(s)).collect();
        self.will_hear_clips(&clips, quiet_after);
    }

    /// Like `will_hear_all`, with noise among the sentences.
    fn will_hear_clips(&self, clips: &[Clip], quiet_after: f32) {
        let mut audio = Vec::new();
        for (i, clip) in clips.iter().enumerate() {
            let raw = self.home.path().join(format!("part{i}.raw"));
            let quiet = if i + 1 == clips.len() {
                quiet_after
            } else {
                2.0
            };
            match clip {
                Clip::Say(text) => speech::speak_raw(text, "en-us", 160, quiet, &raw),
                // Pink noise as loud as speech, like a fan or a rustle near the microphone.
                Clip::Noise(seconds) => speech::sox(
                    &["-n".as_ref()],
                    &raw,
                    &[
                        "synth",
                        &seconds.to_string(),
                        "pinknoise",
                        "vol",
                        "0.3",
                        "pad",
                        "0.5",
                        &quiet.to_string(),
                    ],
                ),
            }
            audio.extend(std::fs::read(&raw).unwrap());
        }
        std::fs::write(self.home.path().join("mic.raw"), audio).unwrap();
    }
}

enum Clip<'a> {
    Say(&'a str),
    /// Seconds of noise.
    Noise(f32),
}

/// The reply voice and ONNX Runtime, as `build-aux/fetch-tts.sh` unpacks them.
fn tts_dir() -> PathBuf {
    let path = std::env::var_os("ROXY_TTS_DIR").map(PathBuf::from).expect(
        "ROXY_TTS_DIR must name what `build-aux/fetch-tts.sh DIR` made (build-aux/test.sh does)",
    );
    assert!(
        path.join("models/piper").is_dir(),
        "{} lacks models/piper",
        path.display()
    );
    path
}

fn voice_bus(mic: &Microphone) -> TestBus {
    let home = mic.home().to_str().unwrap().to_string();
    let bus = TestBus::with_daemon_env(&[("HOME", &home)]);
    let models = bus.data_dir().join("models");
    std::fs::create_dir_all(models.join("whisper")).unwrap();
    std::os::unix::fs::symlink(whisper_model(), models.join("whisper/ggml-tiny.en.bin")).unwrap();
    let tts = tts_dir();
    std::os::unix::fs::symlink(tts.join("models/piper"), models.join("piper")).unwrap();
    std::os::unix::fs::symlink(tts.join("onnxruntime"), bus.data_dir().join("onnxruntime"))
        .unwrap();
    bus
}

fn wait_model(bus: &TestBus) {
    let mut last = Value::Null;
    let ready = bus.wait_for(Duration::from_secs(60), || {
        last = bus.roxyctl_json(&["voice", "status"]);
        last["model_ready"] == true && last["speech_ready"] == true
    });
    assert!(
        ready,
        "the speech model never loaded: {last}\n{}",
        bus.log()
    );
}

/// `roxyctl voice listen` with `text` at the microphone; returns the log entry.
fn listen(bus: &TestBus, mic: &Microphone, text: &str) -> Value {
    mic.will_hear(text);
    listen_to_what_the_microphone_hears(bus, text)
}

fn listen_to_what_the_microphone_hears(bus: &TestBus, text: &str) -> Value {
    let out = bus.roxyctl(&["--json", "voice", "listen", "--timeout", "60"]);
    let entry: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "voice listen for {text:?} printed no entry: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            bus.log()
        )
    });
    entry
}

fn write_runbook(bus: &TestBus, name: &str, body: &str) {
    let dir = bus.dir.path().join("config/runbooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.yaml")), body).unwrap();
}

#[test]
fn push_to_talk_switches_scenes_and_records_on_real_obs() {
    private_network();
    let mic = Microphone::new();
    let bus = voice_bus(&mic);
    let tray = TrayHost::start(&bus);
    let _keyring = SecretService::start(&bus);
    let obs = Obs::start(ObsBuild::Current, 4455, "");
    bus.roxyctl_ok(&["obs", "add", "studio", "--port", "4455"]);
    assert!(bus.wait_for(Duration::from_secs(20), || {
        bus.roxyctl_json(&["obs", "status"])["connected"] == true
    }));
    wait_model(&bus);

    let heard = listen(&bus, &mic, "hey roxy, switch to scene live");
    assert_eq!(heard["outcome"], "done", "{heard}");
    assert_eq!(heard["intent"], "scene", "{heard}");
    assert_eq!(heard["source"], "microphone");
    assert!(bus.wait_for(Duration::from_secs(10), || {
        bus.roxyctl_json(&["obs", "status"])["program_scene"] == "Live"
    }));
    // The reply is spoken, by the Piper voice through cpal's output.
    // (tiny.en hears the joe voice's “Live” as “love”, so only the length is checked here;
    // the words are checked below with `roxyctl voice speak`.)
    let (spoken, seconds) = mic.spoken(&["Live"]);
    assert!(
        (0.5..4.0).contains(&seconds) && !spoken.trim().is_empty(),
        "the reply {:?} was {seconds} s, heard as {spoken:?}",
        heard["reply"]
    );

    let heard = listen(&bus, &mic, "start recording");
    assert_eq!(heard["outcome"], "done", "{heard}");
    assert!(
        bus.wait_for(Duration::from_secs(15), || {
            bus.roxyctl_json(&["obs", "status"])["record"] == "active"
        }),
        "{}",
        obs.log()
    );
    let heard = listen(&bus, &mic, "hey roxy, stop recording");
    assert_eq!(heard["outcome"], "done", "{heard}");
    // OBS answers StopRecord before the file is closed.
    assert!(bus.wait_for(Duration::from_secs(15), || {
        bus.roxyctl_json(&["obs", "status"])["record"] == "stopped"
    }));

    // Plain conversation reaches no intent and changes nothing.
    let heard = listen(
        &bus,
        &mic,
        "I think we should order pizza for the team tonight",
    );
    assert_eq!(heard["outcome"], "no_match", "{heard}");
    assert_eq!(
        bus.roxyctl_json(&["obs", "status"])["program_scene"],
        "Live"
    );

    // Any text, spoken with the reply voice.
    let said = bus.roxyctl_json(&["voice", "speak", "The studio is ready for recording."]);
    assert_eq!(said["finished"], true, "{said}");
    let (spoken, _) = mic.spoken(&[]);
    let spoken = spoken.to_lowercase();
    assert!(
        spoken.contains("studio") && spoken.contains("record"),
        "heard {spoken:?}"
    );

    // A command in the Piper voice: roxyd's own voice, recorded from its speaker, is what the
    // microphone hears next.
    bus.roxyctl_ok(&["voice", "speak", "Switch to scene intro."]);
    mic.will_hear_what_was_spoken(2);
    let heard = listen_to_what_the_microphone_hears(&bus, "switch to scene intro (Piper)");
    assert_eq!(heard["intent"], "scene", "{heard}");
    assert!(
        bus.wait_for(Duration::from_secs(10), || {
            bus.roxyctl_json(&["obs", "status"])["program_scene"] == "Intro"
        }),
        "{heard}"
    );

    // Push-to-talk from the tray, once the model is loaded.
    let pid = bus.daemon_pid().expect("roxyd runs");
    let prefix = format!("org.kde.StatusNotifierItem-{pid}-");
    let mut item = None;
    let offered = bus.wait_for(Duration::from_secs(10), || {
        item = tray.items().into_iter().find(|i| i.starts_with(&prefix));
        item.as_ref()
            .is_some_and(|i| tray.menu(i).iter().any(|e| e.label == "Push to Talk"))
    });
    assert!(offered, "the tray offers no push-to-talk: {item:?}");
    mic.will_hear("hey roxy, start recording");
    tray.click(item.as_ref().unwrap(), "Push to Talk");
    assert!(
        bus.wait_for(Duration::from_secs(30), || {
            bus.roxyctl_json(&["obs", "status"])["record"] == "active"
        }),
        "{}",
        bus.roxyctl_json(&["voice", "log"])
    );

    // Everything is in the log, with timings for what was heard.
    let log = bus.roxyctl_json(&["voice", "log"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 6, "{log:?}");
    assert!(
        log.iter().all(|e| e["stt_ms"].as_u64().unwrap() > 0),
        "{log:?}"
    );
    // And audited as the voice's doing.
    let audit = bus.roxyctl_json(&["audit", "search", "obs.scene"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "voice"),
        "{audit}"
    );
}

fn microphone_entries(bus: &TestBus) -> Vec<Value> {
    let log = bus.roxyctl_json(&["voice", "log"]);
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "microphone")
        .cloned()
        .collect()
}

#[test]
fn the_wake_word_wakes_on_its_phrase_only_and_a_trained_one_replaces_it() {
    private_network();
    let mic = Microphone::new();
    let bus = voice_bus(&mic);
    let _keyring = SecretService::start(&bus);
    let obs = Obs::start(ObsBuild::Current, 4456, "");
    bus.roxyctl_ok(&["obs", "add", "studio", "--port", "4456"]);
    assert!(bus.wait_for(Duration::from_secs(20), || {
        bus.roxyctl_json(&["obs", "status"])["connected"] == true
    }));
    wait_model(&bus);
    let wake = bus.roxyctl_json(&["voice", "wake"]);
    assert_eq!(wake["reference"], "hey-roxy", "{wake}");
    assert_eq!(wake["recordings"], 9, "{wake}");
    assert_eq!(wake["problem"], "", "{wake}");

    // Always listening: a near miss ("hey rocky"), a command without the wake phrase and
    // noise do nothing; "hey roxy, …" acts.
    mic.will_hear_clips(
        &[
            Clip::Say("hey rocky, start recording"),
            Clip::Say("start recording"),
            Clip::Noise(1.5),
            Clip::Say("hey roxy, switch to scene live"),
        ],
        30.0,
    );
    bus.roxyctl_ok(&["voice", "mode", "wake"]);
    assert!(
        bus.wait_for(Duration::from_secs(40), || {
            bus.roxyctl_json(&["obs", "status"])["program_scene"] == "Live"
        }),
        "{}\n{}",
        bus.roxyctl_json(&["voice", "log"]),
        bus.log()
    );
    let heard = microphone_entries(&bus);
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0]["intent"], "scene", "{heard:?}");
    assert_eq!(bus.roxyctl_json(&["obs", "status"])["record"], "stopped");

    // The built-in reference wakes for the Piper voice too: roxyd's own "Hey Roxy, switch to
    // scene intro.", recorded from its speaker, played into the always-open microphone.
    bus.roxyctl_ok(&["voice", "mode", "off"]);
    bus.roxyctl_ok(&["voice", "speak", "Hey Roxy, switch to scene intro."]);
    mic.will_hear_what_was_spoken(30);
    bus.roxyctl_ok(&["voice", "mode", "wake"]);
    assert!(
        bus.wait_for(Duration::from_secs(40), || {
            bus.roxyctl_json(&["obs", "status"])["program_scene"] == "Intro"
        }),
        "{}\n{}",
        bus.roxyctl_json(&["voice", "log"]),
        bus.log()
    );
    bus.roxyctl_ok(&["obs", "scene", "Live"]);

    // Training a wake word of one's own: refused until there are three recordings.
    bus.roxyctl_ok(&["voice", "mode", "off"]);
    let refused = bus.roxyctl_refused(&["voice", "wake", "train", "nova", "--phrase", "hey nova"]);
    assert!(refused.contains("3 recordings"), "{refused}");
    mic.will_hear_silence(12);
    let silent = bus.roxyctl_refused(&["voice", "wake", "record"]);
    assert!(silent.contains("Nothing was heard"), "{silent}");
    for (n, (voice, speed)) in [("en-us", 150), ("en-us", 175), ("en-gb", 160)]
        .iter()
        .enumerate()
    {
        mic.will_hear_voice("hey nova", voice, *speed);
        let sample = bus.roxyctl_json(&["voice", "wake", "record"]);
        assert_eq!(sample["number"], n + 1, "{sample}");
        let ms = sample["speech_ms"].as_u64().unwrap();
        assert!((250..2_000).contains(&ms), "{sample}");
    }
    let bad = bus.roxyctl_refused(&["voice", "wake", "train", "Nova!", "--phrase", "hey nova"]);
    assert!(bad.contains("name:"), "{bad}");
    let trained = bus.roxyctl_json(&["voice", "wake", "train", "nova", "--phrase", "hey nova"]);
    assert_eq!(trained["reference"], "nova", "{trained}");
    assert_eq!(trained["phrase"], "hey nova", "{trained}");
    assert_eq!(trained["recordings"], 3, "{trained}");
    assert_eq!(trained["samples"], 0, "{trained}");
    assert!(bus.data_dir().join("models/wakeword/nova.json").is_file());
    let range = bus.roxyctl_refused(&["voice", "wake", "sensitivity", "2"]);
    assert!(range.contains("sensitivity:"), "{range}");

    // Now "hey nova" wakes it and "hey roxy" no longer does.
    mic.will_hear_all(
        &[
            "hey roxy, switch to scene intro",
            "hey nova, start recording",
        ],
        30.0,
    );
    bus.roxyctl_ok(&["voice", "mode", "wake"]);
    assert!(
        bus.wait_for(Duration::from_secs(40), || {
            bus.roxyctl_json(&["obs", "status"])["record"] == "active"
        }),
        "{}\n{}",
        bus.roxyctl_json(&["voice", "log"]),
        obs.log()
    );
    let heard = microphone_entries(&bus);
    assert_eq!(heard.len(), 3, "{heard:?}");
    assert_eq!(heard[0]["intent"], "record-start", "{heard:?}");
    assert_eq!(
        bus.roxyctl_json(&["obs", "status"])["program_scene"],
        "Live"
    );

    // Removing the trained one goes back to the built-in wake word.
    let removed = bus.roxyctl_json(&["voice", "wake", "remove", "nova"]);
    assert_eq!(removed["reference"], "hey-roxy", "{removed}");
    assert_eq!(removed["references"], serde_json::json!(["hey-roxy"]));
    let missing = bus.roxyctl_refused(&["voice", "wake", "use", "nova"]);
    assert!(
        missing.contains("no wake word is called “nova”"),
        "{missing}"
    );
}

#[test]
fn typed_sentences_take_the_same_path_and_confirm_runbooks_wait_for_a_click() {
    let mic = Microphone::new();
    let bus = voice_bus(&mic);
    let marker = bus.dir.path().join("ran");
    write_runbook(
        &bus,
        "tidy",
        &format!(
            "name: Tidy up\nsteps:\n  - run: touch {}\n",
            marker.display()
        ),
    );
    write_runbook(
        &bus,
        "restore",
        "name: Restore backup\nconfirm: true\nsteps:\n  - run: echo restoring\n",
    );

    let test = bus.roxyctl_json(&["voice", "test", "run runbook tidy up"]);
    assert_eq!(test[0]["intent"], "runbook", "{test}");
    assert_eq!(test[0]["decision"], "act", "{test}");
    assert!(
        test[0]["explanation"].to_string().contains("Tidy up"),
        "{test}"
    );

    let done = bus.roxyctl_json(&["voice", "say", "hey roxy, run runbook tidy up"]);
    assert_eq!(done["outcome"], "done", "{done}");
    assert_eq!(done["reply"], "Running Tidy up.");
    assert!(bus.wait_for(Duration::from_secs(20), || marker.exists()));

    // A confirm runbook is started by voice but waits for an approval voice can't give.
    let asked = bus.roxyctl_json(&["voice", "say", "run runbook restore backup"]);
    assert_eq!(asked["outcome"], "done", "{asked}");
    assert_eq!(
        asked["reply"],
        "Restore backup waits for your approval in Roxy; a voice can't give it."
    );
    let runs = bus.roxyctl_json(&["runbook", "runs"]);
    let restore = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["runbook_id"] == "restore")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(restore["state"], "awaiting_approval", "{runs}");
    assert_eq!(restore["actor"], "voice", "{restore}");

    // A far slip asks back; "yes" then acts on what was asked.
    let unsure = bus.roxyctl(&["--json", "voice", "say", "run run book tidal"]);
    let unsure: Value = serde_json::from_slice(&unsure.stdout).unwrap();
    assert_eq!(unsure["outcome"], "asked", "{unsure}");
    assert!(
        unsure["reply"]
            .as_str()
            .unwrap()
            .starts_with("Did you mean"),
        "{unsure}"
    );
    std::fs::remove_file(&marker).unwrap();
    let yes = bus.roxyctl_json(&["voice", "say", "yes"]);
    assert_eq!(yes["outcome"], "done", "{yes}");
    assert!(bus.wait_for(Duration::from_secs(20), || marker.exists()));

    // The same through the microphone: a heard sentence the matcher is unsure of, even after
    // the second opinion (beam search over the whole window), asks back; a spoken "yes" acts.
    std::fs::remove_file(&marker).unwrap();
    wait_model(&bus);
    let unsure = listen(&bus, &mic, "run run book tidal");
    assert_eq!(unsure["source"], "microphone", "{unsure}");
    assert_eq!(unsure["outcome"], "asked", "{unsure}");
    assert!(!marker.exists());
    let yes = listen(&bus, &mic, "yes");
    assert_eq!(yes["outcome"], "done", "{yes}");
    assert!(bus.wait_for(Duration::from_secs(20), || marker.exists()));

    // The quick pass hears "save the replay" as "Same for each leg.", which fits nothing; the
    // second opinion hears it right, so the replay intent is tried (and fails without OBS).
    let replay = listen(&bus, &mic, "save the replay");
    assert_eq!(replay["intent"], "replay", "{replay}");
    let heard = replay["transcript"].as_str().unwrap_or_default();
    assert_eq!(heard.trim_end_matches('.'), "Save the replay", "{replay}");
    assert!(
        replay["reply"]
            .as_str()
            .is_some_and(|r| r.starts_with("No OBS instance is set up")),
        "{replay}"
    );

    // A broken intents file is reported with its place; the intents in use stay.
    let intents_file = bus.dir.path().join("config/intents.yaml");
    std::fs::write(
        &intents_file,
        "intents:\n  - id: go\n    action: status\n    say: [\"status {colour}\"]\n",
    )
    .unwrap();
    let out = bus.roxyctl(&["voice", "intents"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("intents.yaml:4:11: `status {colour}`: unknown slot"),
        "{text}"
    );
    let still = bus.roxyctl_json(&["voice", "test", "run runbook tidy up"]);
    assert_eq!(still[0]["intent"], "runbook", "{still}");

    // Coverage is exported as a metric.
    let status = bus.roxyctl_json(&["voice", "status"]);
    assert!(status["coverage"].as_f64().unwrap() > 0.5, "{status}");

    let log = bus.roxyctl_json(&["voice", "log"]);
    let sources: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "microphone",
            "microphone",
            "microphone",
            "typed",
            "typed",
            "typed",
            "typed"
        ],
        "{log}"
    );
}

/// roxyctl's standard output and error together, and whether it succeeded.
fn run_text(bus: &TestBus, args: &[&str]) -> (bool, String) {
    let out = bus.roxyctl(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `roxyctl voice models install KIND SOURCE -f`: whether the job succeeded, and all it said.
fn install(bus: &TestBus, kind: &str, source: &str) -> (bool, String) {
    run_text(bus, &["voice", "models", "install", kind, source, "-f"])
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The model manager: with no models the status says how to get one; a whisper model comes in
/// from a file and a Piper voice from a (loopback) URL, each as a job that copies, checks and
/// loads; files that are not what they claim are refused and leave nothing behind; a wake
/// word comes in from a file; removing the speech model in use unloads it.
#[test]
fn models_install_from_a_file_or_url_load_as_jobs_and_can_be_removed() {
    let bus = TestBus::new();
    let tts = tts_dir();
    std::fs::create_dir_all(bus.data_dir()).unwrap();
    std::os::unix::fs::symlink(tts.join("onnxruntime"), bus.data_dir().join("onnxruntime"))
        .unwrap();
    let models = bus.data_dir().join("models");
    // What an install cut short by a crash leaves behind is cleared when roxyd starts.
    std::fs::create_dir_all(models.join("whisper")).unwrap();
    std::fs::write(models.join("whisper/.ggml-big.bin.part"), "half a model").unwrap();

    let mut status = Value::Null;
    assert!(
        bus.wait_for(Duration::from_secs(20), || {
            status = bus.roxyctl_json(&["voice", "status"]);
            status["message"]
                .as_str()
                .is_some_and(|m| m.contains("roxyctl voice models install whisper"))
        }),
        "without a model the status should say how to install one: {status}"
    );
    assert_eq!(status["model_ready"], false);
    assert_eq!(files_in(&models.join("whisper")), Vec::<String>::new());
    let listed = bus.roxyctl_json(&["voice", "models"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], "hey-roxy");
    assert_eq!(listed[0]["built_in"], true);

    // Refused before anything runs: a missing file, the wrong kind of file, an unknown kind.
    let missing = bus.roxyctl_refused(&[
        "voice",
        "models",
        "install",
        "whisper",
        "/nonexistent/m.bin",
    ]);
    assert!(
        missing.contains("source:") && missing.contains("/nonexistent/m.bin"),
        "{missing}"
    );
    let onnx = tts.join("models/piper/en_US-joe-medium.onnx");
    let wrong = bus.roxyctl_refused(&[
        "voice",
        "models",
        "install",
        "whisper",
        onnx.to_str().unwrap(),
    ]);
    assert!(
        wrong.contains("en_US-joe-medium.onnx") && wrong.contains(".bin"),
        "{wrong}"
    );
    let kind = bus.roxyctl_refused(&["voice", "models", "install", "gguf", "/tmp/x.bin"]);
    assert!(kind.contains("gguf") && kind.contains("whisper"), "{kind}");

    // A text file named .bin is copied, found not to be a ggml model, and removed again.
    let junk = bus.dir.path().join("notes.bin");
    std::fs::write(&junk, "not a model at all").unwrap();
    let (ok, text) = install(&bus, "whisper", junk.to_str().unwrap());
    assert!(
        !ok && text.contains("is not a whisper.cpp speech model"),
        "{text}"
    );
    assert_eq!(files_in(&models.join("whisper")), Vec::<String>::new());

    // The real model from a file: copied with progress, then loaded because none was.
    let whisper = whisper_model();
    let (ok, text) = install(&bus, "whisper", whisper.to_str().unwrap());
    assert!(ok, "{text}\n{}", bus.log());
    let name = whisper.file_stem().unwrap().to_string_lossy().into_owned();
    assert!(
        text.contains(&format!("Installed “{name}”")) && text.contains("Loaded"),
        "{text}"
    );
    status = bus.roxyctl_json(&["voice", "status"]);
    assert_eq!(status["model_ready"], true, "{status}");
    assert_eq!(status["model"], name.as_str());
    assert_eq!(status["message"], "", "{status}");
    let again = bus.roxyctl_refused(&[
        "voice",
        "models",
        "install",
        "whisper",
        whisper.to_str().unwrap(),
    ]);
    assert!(again.contains("already installed"), "{again}");

    // A Piper voice from a URL: its .onnx.json comes from beside it; a voice whose config is
    // missing fails, naming what is missing.
    let served = tempfile::tempdir().unwrap();
    for file in ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"] {
        std::os::unix::fs::symlink(
            tts.join("models/piper").join(file),
            served.path().join(file),
        )
        .unwrap();
    }
    std::os::unix::fs::symlink(&onnx, served.path().join("lonely.onnx")).unwrap();
    let server = FileServer::start(served.path());
    let lonely = server.url("/lonely.onnx");
    let (ok, text) = install(&bus, "piper", &lonely);
    assert!(
        !ok && text.contains("lonely.onnx.json") && text.contains("404"),
        "{text}"
    );
    let (ok, text) = install(&bus, "piper", &server.url("/en_US-joe-medium.onnx"));
    assert!(ok, "{text}\n{}", bus.log());
    assert_eq!(
        files_in(&models.join("piper")),
        ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"]
    );
    status = bus.roxyctl_json(&["voice", "status"]);
    assert_eq!(status["speech_ready"], true, "{status}");
    assert_eq!(status["speech_voice"], "en_US-joe-medium");

    // Each install and load was a job that reached 100 %.
    let jobs = bus.roxyctl_json(&["jobs", "list"]);
    let model_jobs: Vec<&Value> = jobs
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| {
            j["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("voice-model"))
        })
        .collect();
    let succeeded: Vec<&&Value> = model_jobs
        .iter()
        .filter(|j| j["state"] == "succeeded")
        .collect();
    assert_eq!(succeeded.len(), 2, "{model_jobs:?}");
    assert!(
        succeeded
            .iter()
            .all(|j| j["progress"].as_f64() == Some(1.0)),
        "{model_jobs:?}"
    );

    // A wake word made elsewhere comes in from its file, and can be chosen.
    let wake_file = bus.dir.path().join("studio.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/voice/hey-roxy.wake.json"),
        &wake_file,
    )
    .unwrap();
    let (ok, text) = install(&bus, "wakeword", wake_file.to_str().unwrap());
    assert!(ok, "{text}");
    let (ok, text) = run_text(
        &bus,
        &["voice", "models", "use", "wakeword", "studio", "-f"],
    );
    assert!(ok, "{text}");
    assert_eq!(bus.roxyctl_json(&["voice", "wake"])["reference"], "studio");
    let listed = bus.roxyctl_json(&["voice", "models"]);
    let in_use: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["in_use"] == true)
        .map(|m| {
            format!(
                "{}/{}",
                m["kind"].as_str().unwrap(),
                m["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        in_use,
        [
            format!("whisper/{name}"),
            "piper/en_US-joe-medium".into(),
            "wakeword/studio".into()
        ]
    );

    // Removing the speech model in use unloads it; the status says how to get one again.
    let unknown = bus.roxyctl_refused(&["voice", "models", "remove", "whisper", "nothing-here"]);
    assert!(unknown.contains("nothing-here"), "{unknown}");
    bus.roxyctl_ok(&["voice", "models", "remove", "whisper", &name]);
    status = bus.roxyctl_json(&["voice", "status"]);
    assert_eq!(status["model_ready"], false, "{status}");
    assert!(
        status["message"]
            .as_str()
            .unwrap_or_default()
            .contains("No speech model"),
        "{status}"
    );
    assert_eq!(files_in(&models.join("whisper")), Vec::<String>::new());
}
