//! Who is calling: the audit log names the program and pid behind a D-Bus caller.

use zbus::message::Header;
use zbus::Connection;

/// `roxyctl (pid 4242)`, `roxy (pid 17)`, or the bus name when the pid is unknown.
pub async fn describe(connection: &Connection, header: &Header<'_>) -> String {
    let Some(sender) = header.sender() else {
        return "unknown".into();
    };
    let dbus = match zbus::fdo::DBusProxy::new(connection).await {
        Ok(p) => p,
        Err(_) => return sender.to_string(),
    };
    match dbus
        .get_connection_unix_process_id(sender.clone().into())
        .await
    {
        Ok(pid) => {
            let program = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|c| c.trim().to_owned())
                .unwrap_or_else(|_| "?".into());
            format!("{program} (pid {pid})")
        }
        Err(_) => sender.to_string(),
    }
}
