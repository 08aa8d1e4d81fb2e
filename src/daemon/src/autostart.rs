//! "Start at login". Inside Flatpak the Background portal asks the desktop (the person may
//! refuse); on a systemd desktop the user unit is enabled; elsewhere an XDG autostart entry
//! starts roxyd with the session.

use futures_util::StreamExt;
use roxy_ipc::i18n::gettext;
use roxy_ipc::names::DAEMON_BUS_NAME;
use std::collections::HashMap;
use std::path::PathBuf;
use zbus::proxy::MethodFlags;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::Connection;

const UNIT: &str = "roxyd.service";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    BackgroundPortal,
    SystemdUnit,
    AutostartFile,
}

impl Mechanism {
    pub fn id(self) -> &'static str {
        match self {
            Mechanism::BackgroundPortal => "background-portal",
            Mechanism::SystemdUnit => "systemd",
            Mechanism::AutostartFile => "autostart-file",
        }
    }
}

pub fn sandboxed() -> bool {
    std::path::Path::new("/.flatpak-info").exists()
}

/// What systemd reports it changed: (type, file, destination).
type UnitFileChanges = Vec<(String, String, String)>;

#[zbus::proxy(
    interface = "org.freedesktop.systemd1.Manager",
    default_service = "org.freedesktop.systemd1",
    default_path = "/org/freedesktop/systemd1"
)]
trait SystemdManager {
    fn get_unit_file_state(&self, file: &str) -> zbus::Result<String>;
    fn enable_unit_files(
        &self,
        files: &[&str],
        runtime: bool,
        force: bool,
    ) -> zbus::Result<(bool, UnitFileChanges)>;
    fn disable_unit_files(&self, files: &[&str], runtime: bool) -> zbus::Result<UnitFileChanges>;
    fn reload(&self) -> zbus::Result<()>;
}

/// The user's systemd, if it runs this session and knows roxyd's unit.
async fn systemd(conn: &Connection) -> Option<SystemdManagerProxy<'static>> {
    let proxy = SystemdManagerProxy::new(conn).await.ok()?;
    // Never start a systemd: a session without one uses the autostart file.
    let state: Option<String> = proxy
        .inner()
        .call_with_flags(
            "GetUnitFileState",
            MethodFlags::NoAutoStart.into(),
            &(UNIT,),
        )
        .await
        .ok()
        .flatten();
    state.is_some().then_some(proxy)
}

fn autostart_file() -> PathBuf {
    roxy_core::paths::config_home()
        .join("autostart")
        .join(format!("{DAEMON_BUS_NAME}.desktop"))
}

/// Whether roxyd starts at login, and how that is arranged here.
pub async fn state(conn: &Connection, remembered: bool) -> (bool, Mechanism) {
    if sandboxed() {
        // The portal cannot be asked; what it last granted is remembered.
        return (remembered, Mechanism::BackgroundPortal);
    }
    if let Some(systemd) = systemd(conn).await {
        let enabled = systemd
            .get_unit_file_state(UNIT)
            .await
            .is_ok_and(|s| s == "enabled");
        return (enabled, Mechanism::SystemdUnit);
    }
    (autostart_file().exists(), Mechanism::AutostartFile)
}

/// Turns start at login on or off; returns whether it is now on.
pub async fn set(conn: &Connection, enable: bool) -> Result<(bool, Mechanism), String> {
    if sandboxed() {
        let granted = request_background(conn, enable).await?;
        return Ok((granted && enable, Mechanism::BackgroundPortal));
    }
    if let Some(systemd) = systemd(conn).await {
        let result = if enable {
            systemd
                .enable_unit_files(&[UNIT], false, true)
                .await
                .map(drop)
        } else {
            systemd.disable_unit_files(&[UNIT], false).await.map(drop)
        };
        result.map_err(|e| e.to_string())?;
        systemd.reload().await.map_err(|e| e.to_string())?;
        return Ok((enable, Mechanism::SystemdUnit));
    }
    let file = autostart_file();
    if enable {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let entry = format!(
            "[Desktop Entry]\nType=Application\nName=Roxy daemon\nExec={}\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
            exe.display()
        );
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&file, entry).map_err(|e| format!("{}: {e}", file.display()))?;
    } else if file.exists() {
        std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok((enable, Mechanism::AutostartFile))
}

#[zbus::proxy(
    interface = "org.freedesktop.portal.Request",
    default_service = "org.freedesktop.portal.Desktop"
)]
trait PortalRequest {
    #[zbus(signal)]
    fn response(&self, response: u32, results: HashMap<String, OwnedValue>) -> zbus::Result<()>;
}

/// Asks the Background portal; returns whether autostart was granted.
async fn request_background(conn: &Connection, autostart: bool) -> Result<bool, String> {
    let token = format!("roxy{}", std::process::id());
    let sender = conn
        .unique_name()
        .map(|n| n.trim_start_matches(':').replace('.', "_"))
        .unwrap_or_default();
    let path = format!("/org/freedesktop/portal/desktop/request/{sender}/{token}");
    let request = PortalRequestProxy::builder(conn)
        .path(path.as_str())
        .map_err(|e| e.to_string())?
        .build()
        .await
        .map_err(|e| e.to_string())?;
    // Subscribe before asking, or a quick answer is missed.
    let mut responses = request
        .receive_response()
        .await
        .map_err(|e| e.to_string())?;
    let reason = gettext("Roxy runs schedules, checks and alerts in the background.");
    let commandline = Value::from(vec!["roxyd"]);
    let options: HashMap<&str, Value> = HashMap::from([
        ("handle_token", Value::from(token.as_str())),
        ("reason", Value::from(reason.as_str())),
        ("autostart", Value::from(autostart)),
        ("commandline", commandline),
        ("dbus-activatable", Value::from(false)),
    ]);
    let _handle: OwnedObjectPath = conn
        .call_method(
            Some("org.freedesktop.portal.Desktop"),
            "/org/freedesktop/portal/desktop",
            Some("org.freedesktop.portal.Background"),
            "RequestBackground",
            &("", options),
        )
        .await
        .map_err(|e| e.to_string())?
        .body()
        .deserialize()
        .map_err(|e| e.to_string())?;
    let answer = responses
        .next()
        .await
        .ok_or_else(|| gettext("The Background portal did not answer."))?;
    let args = answer.args().map_err(|e| e.to_string())?;
    if args.response != 0 {
        return Err(gettext(
            "Running in the background was not allowed. Allow it for Roxy in the system settings (Apps).",
        ));
    }
    Ok(args
        .results
        .get("autostart")
        .and_then(|v| bool::try_from(v).ok())
        .unwrap_or(false))
}
