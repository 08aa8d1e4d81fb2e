//! roxyd — the Roxy user daemon. It owns the database and every background job and serves
//! them on the session bus under `<app id>.Daemon`.

mod alerting;
mod autostart;
mod broadcast;
mod bus;
mod crm;
mod docs;
mod energy;
mod http;
mod infra;
mod logging;
mod maintenance;
mod metrics;
mod notifications;
mod prometheus;
mod runbooks;
mod scorecard;
mod secret_scan;
mod secrets;
mod services;
mod supervisor;
mod tray;
mod voice;
mod window;

use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// The example runbooks shipped with Roxy (meson sets the installed path).
const SHIPPED_RUNBOOKS: &str = match option_env!("ROXY_RUNBOOK_EXAMPLES") {
    Some(dir) => dir,
    None => concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/runbooks"),
};

#[derive(Debug, Parser)]
#[command(
    name = "roxyd",
    version,
    about = "The Roxy Command Center daemon (normally started by D-Bus activation)"
)]
struct Args {
    /// Folder for the database and other state [default: $XDG_DATA_HOME/roxy]
    #[arg(long, value_name = "DIR", env = "ROXY_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Folder for user configuration such as runbooks [default: $XDG_CONFIG_HOME/roxy]
    #[arg(long, value_name = "DIR", env = "ROXY_CONFIG_DIR")]
    config_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    voice::point_espeak_at_installed_data();
    roxy_ipc::i18n::init();
    let args = Args::parse();
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let signals = bus::StopSignals::install().context("cannot install signal handlers")?;
    let data_dir = args.data_dir.unwrap_or_else(roxy_core::paths::data_dir);
    let store = roxy_core::Store::open(&data_dir).await?;
    tracing::info!(database = %store.path().display(), "database open");
    let config_dir = args.config_dir.unwrap_or_else(roxy_core::paths::config_dir);
    let runbook_dirs = vec![PathBuf::from(SHIPPED_RUNBOOKS), config_dir.join("runbooks")];
    let daemon = bus::serve(store.clone(), runbook_dirs, &config_dir)
        .await
        .context("cannot serve on the session bus")?;
    let reason = daemon.wait_for_stop(signals).await;
    tracing::info!("stopping: {reason}");
    daemon.shutdown().await;
    store.close().await;
    Ok(())
}
