//! `roxyctl obs …` and `roxyctl ndi …`: OBS instances and their controls, stream sessions,
//! NDI sources. Every command goes through roxyd's `Broadcast1`, as the panel's do.

use crate::output::{self, Output};
use clap::{Args, Subcommand, ValueEnum};
use futures_util::StreamExt;
use roxy_ipc::broadcast::{ObsInstanceInfo, ObsStateInfo};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use zeroize::Zeroizing;

#[derive(Debug, Args)]
pub struct ObsArgs {
    /// The OBS instance (default: the first one)
    #[arg(long, short = 'i', global = true, default_value = "")]
    instance: String,
    #[command(subcommand)]
    command: ObsCommand,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StreamAction {
    Start,
    Stop,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RecordAction {
    Start,
    Stop,
    Pause,
    Resume,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReplayAction {
    Start,
    Stop,
    Save,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum ObsCommand {
    /// The OBS instances and their links
    List,
    /// Add an OBS instance; Roxy connects at once and keeps the link up
    Add {
        name: String,
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long, default_value_t = 4455)]
        port: u16,
        /// Read the obs-websocket password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an OBS instance and its stored password
    Remove { name: String },
    /// Set the obs-websocket password (hidden prompt, or standard input); empty removes it
    Password { name: String },
    /// Connect again now instead of waiting for the next try
    Reconnect { name: String },
    /// Link, scenes, outputs, mixer, statistics and health
    Status,
    /// The scenes; the program scene is marked
    Scenes,
    /// Switch the program scene (or, with --preview, the studio-mode preview)
    Scene {
        name: String,
        #[arg(long)]
        preview: bool,
    },
    /// Turn studio mode on or off
    Studio { state: Switch },
    /// Studio mode: move the preview scene to program
    Transition,
    /// Start or stop streaming
    Stream { action: StreamAction },
    /// Start, stop, pause or resume recording ("stop" prints the file)
    Record { action: RecordAction },
    /// Start or stop the replay buffer, or save it ("save" prints the file)
    Replay { action: ReplayAction },
    /// Turn the virtual camera on or off
    Vcam { state: Switch },
    /// The sources of a scene and whether they are visible
    Items { scene: String },
    /// Show a source in a scene
    Show { scene: String, source: String },
    /// Hide a source in a scene
    Hide { scene: String, source: String },
    /// Mute an audio input
    Mute { input: String },
    /// Unmute an audio input
    Unmute { input: String },
    /// Set an audio input's volume in dB (−100 to 26)
    Volume {
        input: String,
        #[arg(allow_hyphen_values = true)]
        db: f64,
    },
    /// Print the audio meters (level and held peak) for a while
    Meters {
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
    /// Save a JPEG of the program output
    Screenshot {
        file: PathBuf,
        #[arg(long, default_value_t = 640)]
        width: u32,
    },
    /// Stream and recording sessions, newest first
    Sessions {
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: u32,
    },
    /// Print changes as they happen (scenes, outputs, links) until interrupted
    Watch,
}

#[derive(Debug, Subcommand)]
pub enum NdiCommand {
    /// NDI sources announced on the network (mDNS, no NDI SDK needed)
    Sources {
        /// Wait this long for answers first
        #[arg(long, default_value_t = 2)]
        wait: u64,
    },
    /// Why NDI sources might not show up
    Diagnose,
}

fn read_password(name: &str) -> anyhow::Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        return Ok(Zeroizing::new(rpassword::prompt_password(fill(
            &gettext("obs-websocket password for “{}” (empty removes it): "),
            &[&name],
        ))?));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(Zeroizing::new(
        line.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

pub async fn run(out: Output, args: ObsArgs) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let obs = client.broadcast().await?;
    let instance = args.instance.as_str();
    let done = |message: String| {
        out.emit(&serde_json::json!({ "ok": true }), || message);
    };
    match args.command {
        ObsCommand::List => {
            let instances = obs.instances().await?;
            out.emit(&instances, || {
                if instances.is_empty() {
                    return gettext("No OBS instance is set up. Add one with “roxyctl obs add NAME --host HOST --port 4455”.");
                }
                instances.iter().map(instance_line).collect::<Vec<_>>().join("\n")
            });
        }
        ObsCommand::Add {
            name,
            host,
            port,
            password_stdin,
        } => {
            let password = if password_stdin {
                read_password(&name)?
            } else {
                Zeroizing::new(String::new())
            };
            let info = obs.add_instance(&name, &host, port, &password).await?;
            out.emit(&info, || {
                fill(
                    &gettext("Added OBS “{}” at {}:{}; Roxy is connecting (roxyctl obs list shows the link)."),
                    &[&info.name, &info.host, &info.port],
                )
            });
        }
        ObsCommand::Remove { name } => {
            obs.remove_instance(&name).await?;
            done(fill(&gettext("Removed OBS “{}”."), &[&name]));
        }
        ObsCommand::Password { name } => {
            let password = read_password(&name)?;
            obs.set_password(&name, &password).await?;
            done(if password.is_empty() {
                fill(&gettext("Removed the password of OBS “{}”."), &[&name])
            } else {
                fill(
                    &gettext("Stored the password of OBS “{}”; connecting again."),
                    &[&name],
                )
            });
        }
        ObsCommand::Reconnect { name } => {
            obs.reconnect(&name).await?;
            done(fill(&gettext("Connecting to OBS “{}” again."), &[&name]));
        }
        ObsCommand::Status => {
            let state = obs.state(instance).await?;
            let info = obs
                .instances()
                .await?
                .into_iter()
                .find(|i| i.name == state.instance)
                .unwrap_or_default();
            out.emit(&state, || status_text(&info, &state));
        }
        ObsCommand::Scenes => {
            let state = obs.state(instance).await?;
            out.emit(&state.scenes, || {
                state
                    .scenes
                    .iter()
                    .map(|s| {
                        let mark = if *s == state.program_scene {
                            "●"
                        } else if *s == state.preview_scene {
                            "○"
                        } else {
                            " "
                        };
                        format!("{mark} {s}")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ObsCommand::Scene { name, preview } => {
            if preview {
                obs.set_preview_scene(instance, &name).await?;
                done(fill(&gettext("Preview: {}"), &[&name]));
            } else {
                obs.set_program_scene(instance, &name).await?;
                done(fill(&gettext("Program: {}"), &[&name]));
            }
        }
        ObsCommand::Studio { state } => {
            let on = matches!(state, Switch::On);
            obs.set_studio_mode(instance, on).await?;
            done(if on {
                gettext("Studio mode is on.")
            } else {
                gettext("Studio mode is off.")
            });
        }
        ObsCommand::Transition => {
            obs.transition(instance).await?;
            done(gettext("Transitioned the preview scene to program."));
        }
        ObsCommand::Stream { action } => {
            let (verb, message) = match action {
                StreamAction::Start => ("start", gettext("Streaming started.")),
                StreamAction::Stop => ("stop", gettext("Streaming stopped.")),
            };
            obs.stream(instance, verb).await?;
            done(message);
        }
        ObsCommand::Record { action } => {
            let verb = match action {
                RecordAction::Start => "start",
                RecordAction::Stop => "stop",
                RecordAction::Pause => "pause",
                RecordAction::Resume => "resume",
            };
            let file = obs.record(instance, verb).await?;
            out.emit(
                &serde_json::json!({ "ok": true, "file": file }),
                || match action {
                    RecordAction::Start => gettext("Recording started."),
                    RecordAction::Stop => fill(&gettext("Recording stopped: {}"), &[&file]),
                    RecordAction::Pause => gettext("Recording paused."),
                    RecordAction::Resume => gettext("Recording resumed."),
                },
            );
        }
        ObsCommand::Replay { action } => {
            let verb = match action {
                ReplayAction::Start => "start",
                ReplayAction::Stop => "stop",
                ReplayAction::Save => "save",
            };
            let file = obs.replay_buffer(instance, verb).await?;
            out.emit(
                &serde_json::json!({ "ok": true, "file": file }),
                || match action {
                    ReplayAction::Start => gettext("Replay buffer started."),
                    ReplayAction::Stop => gettext("Replay buffer stopped."),
                    ReplayAction::Save => fill(&gettext("Replay saved: {}"), &[&file]),
                },
            );
        }
        ObsCommand::Vcam { state } => {
            let on = matches!(state, Switch::On);
            obs.set_virtual_cam(instance, on).await?;
            done(if on {
                gettext("Virtual camera on.")
            } else {
                gettext("Virtual camera off.")
            });
        }
        ObsCommand::Items { scene } => {
            let items = obs.scene_items(instance, &scene).await?;
            out.emit(&items, || {
                items
                    .iter()
                    .map(|i| {
                        let mark = if i.visible { "👁" } else { "–" };
                        format!("{mark} {}", i.source)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ObsCommand::Show { scene, source } => {
            obs.set_item_visible(instance, &scene, &source, true)
                .await?;
            done(fill(&gettext("Showing “{}” in “{}”."), &[&source, &scene]));
        }
        ObsCommand::Hide { scene, source } => {
            obs.set_item_visible(instance, &scene, &source, false)
                .await?;
            done(fill(&gettext("Hid “{}” in “{}”."), &[&source, &scene]));
        }
        ObsCommand::Mute { input } => {
            obs.set_muted(instance, &input, true).await?;
            done(fill(&gettext("Muted “{}”."), &[&input]));
        }
        ObsCommand::Unmute { input } => {
            obs.set_muted(instance, &input, false).await?;
            done(fill(&gettext("Unmuted “{}”."), &[&input]));
        }
        ObsCommand::Volume { input, db } => {
            obs.set_volume(instance, &input, db).await?;
            done(fill(&gettext("“{}” at {} dB."), &[&input, &db]));
        }
        ObsCommand::Meters { seconds } => return meters(&client, out, instance, seconds).await,
        ObsCommand::Screenshot { file, width } => {
            let jpeg = obs.screenshot(instance, width).await?;
            std::fs::write(&file, &jpeg).map_err(|e| {
                anyhow::anyhow!(fill(
                    &gettext("Cannot write {}: {}"),
                    &[&file.display(), &e]
                ))
            })?;
            out.emit(
                &serde_json::json!({ "file": file, "bytes": jpeg.len() }),
                || {
                    fill(
                        &gettext("Saved {} ({})."),
                        &[&file.display(), &output::bytes(jpeg.len() as u64)],
                    )
                },
            );
        }
        ObsCommand::Sessions { limit } => {
            let sessions = obs.sessions(limit).await?;
            out.emit(&sessions, || {
                if sessions.is_empty() {
                    return gettext("No stream or recording sessions yet.");
                }
                sessions
                    .iter()
                    .map(|s| {
                        let kind = if s.kind == "stream" {
                            gettext("stream")
                        } else {
                            gettext("recording")
                        };
                        let length = if s.ended_ms > 0 {
                            output::duration(((s.ended_ms - s.started_ms).max(0) / 1000) as u64)
                        } else {
                            gettext("running")
                        };
                        let mut line = format!(
                            "{}  {}  {}  {}",
                            output::timestamp(s.started_ms),
                            s.instance,
                            kind,
                            length
                        );
                        if s.total_frames > 0 {
                            line.push_str(&fill(
                                &gettext("  {} of {} frames lost"),
                                &[&s.dropped_frames, &s.total_frames],
                            ));
                        }
                        if !s.file.is_empty() {
                            line.push_str(&format!("  {}", s.file));
                        }
                        line
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ObsCommand::Watch => return watch(&client, out, instance).await,
    }
    Ok(ExitCode::SUCCESS)
}

fn instance_line(i: &ObsInstanceInfo) -> String {
    let link = link_label(&i.link);
    let mut line = format!("{}  {}:{}  {}", i.name, i.host, i.port, link);
    if !i.obs_version.is_empty() {
        line.push_str(&fill(&gettext("  (OBS {})"), &[&i.obs_version]));
    }
    if !i.message.is_empty() {
        line.push_str(&format!("\n    {}", i.message));
    }
    line
}

fn link_label(link: &str) -> String {
    match link {
        "connected" => gettext("connected"),
        "connecting" => gettext("connecting"),
        "offline" => gettext("offline"),
        "too-old" => gettext("OBS too old"),
        "auth-failed" => gettext("password refused"),
        _ => gettext("error"),
    }
}

fn output_label(state: &str) -> String {
    match state {
        "active" => gettext("on"),
        "paused" => gettext("paused"),
        "starting" => gettext("starting"),
        "stopping" => gettext("stopping"),
        "reconnecting" => gettext("reconnecting"),
        _ => gettext("off"),
    }
}

fn status_text(info: &ObsInstanceInfo, s: &ObsStateInfo) -> String {
    let mut lines = vec![instance_line(info)];
    if !s.connected {
        return lines.join("\n");
    }
    let now = output::now_ms();
    let since = |started: i64| {
        if started > 0 {
            format!(
                " {}",
                output::duration(((now - started).max(0) / 1000) as u64)
            )
        } else {
            String::new()
        }
    };
    lines.push(fill(&gettext("Program: {}"), &[&s.program_scene]));
    if s.studio_mode {
        lines.push(fill(
            &gettext("Preview: {} (studio mode)"),
            &[&s.preview_scene],
        ));
    }
    lines.push(fill(
        &gettext("Stream: {}{}   Recording: {}{}"),
        &[
            &output_label(&s.stream),
            &since(s.stream_started_ms),
            &output_label(&s.record),
            &since(s.record_started_ms),
        ],
    ));
    if !s.record_file.is_empty() {
        lines.push(fill(&gettext("Recording file: {}"), &[&s.record_file]));
    }
    lines.push(fill(
        &gettext("Replay buffer: {}   Virtual camera: {}"),
        &[
            &output_label(if s.replay_buffer { "active" } else { "stopped" }),
            &output_label(if s.virtual_cam { "active" } else { "stopped" }),
        ],
    ));
    for input in &s.inputs {
        let muted = if input.muted {
            gettext(" (muted)")
        } else {
            String::new()
        };
        lines.push(fill(
            &gettext("Audio: {} {} dB{}"),
            &[&input.name, &format!("{:.1}", input.volume_db), &muted],
        ));
    }
    let st = &s.stats;
    lines.push(fill(
        &gettext("{} fps, render {} ms, {} of {} frames skipped, CPU {} %, {} free"),
        &[
            &format!("{:.1}", st.fps),
            &format!("{:.1}", st.render_ms),
            &st.render_skipped,
            &st.render_total,
            &format!("{:.1}", st.cpu_percent),
            &output::bytes((st.disk_free_mb * 1024.0 * 1024.0) as u64),
        ],
    ));
    if !s.issues.is_empty() {
        lines.push(fill(&gettext("Health: {}"), &[&s.issues.join(", ")]));
    }
    lines.join("\n")
}

async fn meters(
    client: &Client,
    out: Output,
    instance: &str,
    seconds: u64,
) -> anyhow::Result<ExitCode> {
    let obs = client.broadcast().await?;
    let mut stream = obs.receive_meters().await?;
    obs.watch_meters(instance).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let name = obs.state(instance).await?.instance;
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let Ok(Some(signal)) = next else { break };
        let Ok(args) = signal.args() else { continue };
        if args.instance != name {
            continue;
        }
        out.emit(&args.meters, || {
            args.meters
                .iter()
                .map(|m| {
                    format!(
                        "{:<20} {:>6.1} dB  {}",
                        m.input,
                        m.level_db,
                        fill(&gettext("peak {} dB"), &[&format!("{:.1}", m.peak_db)])
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }
    Ok(ExitCode::SUCCESS)
}

async fn watch(client: &Client, out: Output, instance: &str) -> anyhow::Result<ExitCode> {
    let obs = client.broadcast().await?;
    let mut states = obs.receive_state_changed().await?;
    let mut links = obs.receive_instance_changed().await?;
    let mut records = obs.receive_record_state_changed().await?;
    let mut last: Option<ObsStateInfo> = None;
    let wanted = |name: &str| instance.is_empty() || name == instance;
    loop {
        tokio::select! {
            Some(signal) = states.next() => {
                let Ok(args) = signal.args() else { continue };
                let state = args.state;
                if !wanted(&state.instance) { continue; }
                let scene_changed = last.as_ref().is_none_or(|l| l.program_scene != state.program_scene);
                if scene_changed && state.connected {
                    out.emit(&serde_json::json!({ "event": "scene", "instance": state.instance, "scene": state.program_scene }), || {
                        fill(&gettext("{}: program scene {}"), &[&state.instance, &state.program_scene])
                    });
                }
                last = Some(state);
            }
            Some(signal) = links.next() => {
                let Ok(args) = signal.args() else { continue };
                let info = args.instance;
                if !wanted(&info.name) { continue; }
                out.emit(&serde_json::json!({ "event": "link", "instance": info.name, "link": info.link, "message": info.message }), || {
                    fill(&gettext("{}: {}"), &[&info.name, &link_label(&info.link)])
                });
            }
            Some(signal) = records.next() => {
                let Ok(args) = signal.args() else { continue };
                if !wanted(&args.instance) { continue; }
                out.emit(&serde_json::json!({ "event": "record", "instance": args.instance, "state": args.state, "file": args.file }), || {
                    fill(&gettext("{}: recording {} {}"), &[&args.instance, &output_label(&args.state), &args.file])
                });
            }
            else => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn ndi(out: Output, command: NdiCommand) -> anyhow::Result<ExitCode> {
    let client = Client::session().await?;
    let obs = client.broadcast().await?;
    match command {
        NdiCommand::Sources { wait } => {
            // The first call starts browsing; answers arrive within a second or two.
            obs.ndi_sources().await?;
            tokio::time::sleep(Duration::from_secs(wait.min(30))).await;
            let sources = obs.ndi_sources().await?;
            out.emit(&sources, || {
                if sources.is_empty() {
                    return gettext("No NDI sources found. “roxyctl ndi diagnose” says why.");
                }
                sources
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}:{}  {}",
                            s.name,
                            s.host,
                            s.port,
                            s.addresses.join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        NdiCommand::Diagnose => {
            let findings = obs.ndi_diagnose().await?;
            out.emit(&findings, || {
                findings
                    .iter()
                    .map(|f| {
                        let mark = match f.level.as_str() {
                            "ok" => "✓",
                            "warning" => "!",
                            _ => "✗",
                        };
                        format!("{mark} {}: {}", f.title, f.detail)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
