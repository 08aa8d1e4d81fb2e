//! Brings up the Roxy window, for a notification's "Open".
//!
//! A running window gets the `show-run` action over `org.freedesktop.Application`; otherwise
//! the `roxy` program installed next to roxyd starts with `--show-run`.

use roxy_ipc::names::APP_ID;
use std::collections::HashMap;
use zbus::zvariant::Value;

pub async fn show_run(run_id: u64) {
    match activate_action("show-run", vec![Value::U64(run_id)]).await {
        Ok(()) => return,
        Err(e) => tracing::debug!("no running window to show run {run_id}: {e}"),
    }
    spawn_window(&["--show-run".into(), run_id.to_string()]);
}

/// Brings up the window as it was.
pub async fn open() {
    match activate().await {
        Ok(()) => return,
        Err(e) => tracing::debug!("no running window: {e}"),
    }
    spawn_window(&[]);
}

fn spawn_window(args: &[String]) {
    let Some(program) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("roxy")))
        .filter(|p| p.exists())
    else {
        tracing::warn!("cannot open the window: no `roxy` program next to roxyd");
        return;
    };
    let mut command = tokio::process::Command::new(&program);
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .process_group(0);
    match command.spawn() {
        // The window outlives this call; reap it whenever it exits.
        Ok(mut child) => {
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
        }
        Err(e) => tracing::warn!(program = %program.display(), "cannot open the window: {e}"),
    }
}

fn app_path() -> String {
    format!("/{}", APP_ID.replace('.', "/"))
}

/// Calls `method` of the window's `org.freedesktop.Application`; fails when no window runs.
async fn call_app<B>(method: &str, body: &B) -> zbus::Result<()>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let conn = zbus::Connection::session().await?;
    conn.call_method(
        Some(APP_ID),
        app_path().as_str(),
        Some("org.freedesktop.Application"),
        method,
        body,
    )
    .await?;
    Ok(())
}

async fn activate_action(action: &str, parameter: Vec<Value<'_>>) -> zbus::Result<()> {
    let platform: HashMap<&str, Value<'_>> = HashMap::new();
    call_app("ActivateAction", &(action, parameter, platform)).await
}

async fn activate() -> zbus::Result<()> {
    let platform: HashMap<&str, Value<'_>> = HashMap::new();
    call_app("Activate", &(platform,)).await
}
