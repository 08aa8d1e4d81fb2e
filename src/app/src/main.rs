//! roxy — the Roxy Command Center window.

use relm4::adw;
use relm4::gtk::prelude::*;
use roxy::config;
use roxy::screenshot::{ScreenshotRequest, EXIT_CODE};
use roxy::{App, AppInit};
use std::process::ExitCode;

fn main() -> ExitCode {
    point_at_fetched_ndi_runtime();
    roxy_ipc::i18n::init();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROXY_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    // Our own options are taken out before GTK sees the command line.
    let mut args: Vec<String> = std::env::args().collect();
    let screenshot = match take_screenshot_option(&mut args) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("roxy: {message}");
            return ExitCode::from(2);
        }
    };

    let show_run = match take_show_run_option(&mut args) {
        Ok(run) => run,
        Err(message) => {
            eprintln!("roxy: {message}");
            return ExitCode::from(2);
        }
    };

    config::register_resources();
    let flags = if screenshot.is_some() {
        // A screenshot run must not hand over to a window that is already open.
        relm4::gtk::gio::ApplicationFlags::NON_UNIQUE
    } else {
        relm4::gtk::gio::ApplicationFlags::empty()
    };
    let app = adw::Application::new(Some(config::APP_ID), flags);
    app.set_resource_base_path(Some(config::RESOURCE_BASE_PATH));
    if let Some(run) = show_run {
        // A window that is already open shows the run; this process then has nothing to do.
        if app.register(None::<&relm4::gtk::gio::Cancellable>).is_ok() && app.is_remote() {
            app.activate_action("show-run", Some(&run.to_variant()));
            return ExitCode::SUCCESS;
        }
    }
    relm4::RelmApp::from_app(app)
        .with_args(args)
        .run::<App>(AppInit {
            screenshot,
            show_run,
        });
    ExitCode::from(EXIT_CODE.with(|c| c.get()) as u8)
}

/// Removes `--screenshot PANEL FILE` from `args`.
fn take_screenshot_option(args: &mut Vec<String>) -> Result<Option<ScreenshotRequest>, String> {
    let Some(pos) = args.iter().position(|a| a == "--screenshot") else {
        return Ok(None);
    };
    if args.len() < pos + 3 {
        return Err("--screenshot needs two arguments: PANEL FILE".into());
    }
    let taken: Vec<String> = args.drain(pos..pos + 3).collect();
    ScreenshotRequest::parse(&taken[1], &taken[2]).map(Some)
}

/// Removes `--show-run RUN` from `args`.
fn take_show_run_option(args: &mut Vec<String>) -> Result<Option<u64>, String> {
    let Some(pos) = args.iter().position(|a| a == "--show-run") else {
        return Ok(None);
    };
    let taken: Vec<String> = args.drain(pos..(pos + 2).min(args.len())).collect();
    match taken.get(1).map(|n| n.parse::<u64>()) {
        Some(Ok(run)) => Ok(Some(run)),
        Some(Err(_)) => Err(format!("--show-run needs a run number, not “{}”", taken[1])),
        None => Err("--show-run needs a run number".into()),
    }
}

/// `build-aux/fetch-ndi.sh` puts the NDI runtime in Roxy's data folder; the NDI preview's
/// elements look where NDI_RUNTIME_DIR_V6 points (then the system's library path). Set before
/// any thread starts.
fn point_at_fetched_ndi_runtime() {
    if std::env::var_os("NDI_RUNTIME_DIR_V6").is_some() {
        return;
    }
    let dir = relm4::gtk::glib::user_data_dir().join("roxy").join("ndi");
    if dir.join("libndi.so.6").exists() {
        std::env::set_var("NDI_RUNTIME_DIR_V6", dir);
    }
}
