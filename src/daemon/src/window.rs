//! Brings up the Roxy window, for a notification's "Open".
//!
//! A running window gets the `show-run` action over `org.freedesktop.Application`; otherwise
//! the `roxy` program installed next to roxyd starts with `--show-run`.

use roxy_ipc::names::APP_ID;
use std::collections::HashMap;
use zbus::zvariant::Value;

pub async fn show_run(run_id: u64) {
    match activate_action(run_id).await {
        Ok(()) => return,
        Err(e) => tracing::debug!("no running window to show run {run_id}: {e}"),
    }
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
        .arg("--show-run")
        .arg(run_id.to_string())
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

async fn activate_action(run_id: u64) -> zbus::Result<()> {
    let conn = zbus::Connection::session().await?;
    let path = format!("/{}", APP_ID.replace('.', "/"));
    let platform: HashMap<&str, Value<'_>> = HashMap::new();
    conn.call_method(
        Some(APP_ID),
        path.as_str(),
        Some("org.freedesktop.Application"),
        "ActivateAction",
        &("show-run", vec![Value::U64(run_id)], platform),
    )
    .await?;
    Ok(())
}
