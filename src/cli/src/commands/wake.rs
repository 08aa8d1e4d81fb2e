//! `roxyctl voice wake …`: which wake word listens and how strictly, and training one from
//! your own voice (record three or more sayings, then train).

use crate::output::Output;
use clap::Subcommand;
use roxy_ipc::i18n::{fill, gettext};
use roxy_ipc::proxies::Voice1Proxy;
use roxy_ipc::voice::WakeInfo;

#[derive(Debug, Subcommand)]
pub enum WakeCommand {
    /// The wake word in use, the others to choose from, and recordings made for training
    Status,
    /// Record one saying of your wake phrase from the microphone (do it three times or more)
    Record,
    /// Forget the recordings made for training
    Clear,
    /// Make a wake word from the recordings and start using it
    Train {
        /// Its name: lower-case letters, digits and dashes
        name: String,
        /// The words you said (stripped from what is heard before matching a command)
        #[arg(long, default_value = "hey roxy")]
        phrase: String,
    },
    /// Listen for another wake word ("hey-roxy" is the built-in one)
    Use { name: String },
    /// Delete a trained wake word
    Remove { name: String },
    /// How readily it wakes: 0 = fewest false wakes … 1 = fewest misses (default 0.5)
    Sensitivity { value: f64 },
}

pub async fn run(
    out: &Output,
    voice: &Voice1Proxy<'_>,
    command: WakeCommand,
) -> anyhow::Result<()> {
    let info = match command {
        WakeCommand::Status => voice.wake_status().await?,
        WakeCommand::Record => {
            eprintln!("{}", gettext("Say your wake phrase now…"));
            let sample = voice.record_wake_sample().await?;
            out.emit(&sample, || {
                fill(
                    &gettext("Recording {}: {} ms of speech, loudest {} dBFS."),
                    &[
                        &sample.number,
                        &sample.speech_ms,
                        &format!("{:.0}", sample.peak_db),
                    ],
                )
            });
            return Ok(());
        }
        WakeCommand::Clear => {
            voice.clear_wake_samples().await?;
            voice.wake_status().await?
        }
        WakeCommand::Train { name, phrase } => voice.train_wake(&name, &phrase).await?,
        WakeCommand::Use { name } => voice.use_wake(&name).await?,
        WakeCommand::Remove { name } => voice.remove_wake(&name).await?,
        WakeCommand::Sensitivity { value } => voice.set_wake_sensitivity(value).await?,
    };
    out.emit(&info, || describe(&info));
    Ok(())
}

fn describe(info: &WakeInfo) -> String {
    let mut lines = vec![
        fill(
            &gettext("Wake word: {} (“{}”, {} recordings)"),
            &[&info.reference, &info.phrase, &info.recordings],
        ),
        fill(&gettext("Sensitivity: {}"), &[&info.sensitivity]),
    ];
    if !info.problem.is_empty() {
        lines.push(fill(
            &gettext("Can't be used, so the transcript decides instead: {}"),
            &[&info.problem],
        ));
    }
    lines.push(fill(
        &gettext("Available: {}"),
        &[&info.references.join(", ")],
    ));
    lines.push(fill(
        &gettext("Recordings for training: {} (at least {} needed)"),
        &[&info.samples, &info.samples_needed],
    ));
    lines.join("\n")
}
