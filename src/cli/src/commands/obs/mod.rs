//! `roxyctl obs …`: OBS instances and their controls, stream sessions. Every command goes
//! through roxyd's `Broadcast1`, as the panel's do.

mod follow;
mod text;

use crate::output::{self, Output};
use clap::{Args, Subcommand, ValueEnum};
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::Client;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
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
    /// Show or change the stream-health limits (the same for every instance)
    Health {
        /// Percent of frames lost (stream) or skipped (renderer) that raises an alert, 0.1–50
        #[arg(long)]
        lost_percent: Option<f64>,
        /// Seconds the lost frames are counted over, 5–600
        #[arg(long)]
        window: Option<u32>,
        /// Megabytes free on the recording disk below which a recording alerts; 0 turns it off
        #[arg(long)]
        disk_free_mb: Option<f64>,
    },
    /// Print changes as they happen (scenes, outputs, links) until interrupted
    Watch,
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
                instances.iter().map(text::instance_line).collect::<Vec<_>>().join("\n")
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
            out.emit(&state, || text::status(&info, &state));
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
        ObsCommand::Meters { seconds } => {
            return follow::meters(&client, out, instance, seconds).await
        }
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
            out.emit(&sessions, || text::sessions(&sessions));
        }
        ObsCommand::Health {
            lost_percent,
            window,
            disk_free_mb,
        } => {
            let mut limits = obs.health_thresholds().await?;
            if lost_percent.is_some() || window.is_some() || disk_free_mb.is_some() {
                limits.lost_percent = lost_percent.unwrap_or(limits.lost_percent);
                limits.window_s = window.unwrap_or(limits.window_s);
                limits.disk_free_mb = disk_free_mb.unwrap_or(limits.disk_free_mb);
                obs.set_health_thresholds(&limits).await?;
            }
            out.emit(&limits, || text::thresholds(&limits));
        }
        ObsCommand::Watch => return follow::watch(&client, out, instance).await,
    }
    Ok(ExitCode::SUCCESS)
}
