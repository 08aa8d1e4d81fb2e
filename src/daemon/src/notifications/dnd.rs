//! Whether the desktop is in Do Not Disturb mode. There is no standard for this, so each
//! desktop that exposes it is asked in its own way; none of these calls starts a service.

use zbus::names::BusName;
use zbus::proxy::MethodFlags;
use zbus::zvariant::{OwnedValue, Value};
use zbus::Connection;

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

/// The desktop whose Do Not Disturb is on, or `None`.
pub async fn desktop_do_not_disturb(conn: &Connection) -> Option<&'static str> {
    // GNOME: no banners while "Do Not Disturb" is on; read through the Settings portal, which
    // also works inside the Flatpak sandbox.
    if let Some(show_banners) = gnome_show_banners(conn).await {
        if !show_banners {
            return Some("GNOME");
        }
    }
    let property =
        |iface, name| property_bool(conn, NOTIFICATIONS, NOTIFICATIONS_PATH, iface, name);
    if property("org.dunstproject.cmd0", "paused").await == Some(true) {
        return Some("dunst");
    }
    if property(NOTIFICATIONS, "Inhibited").await == Some(true) {
        return Some("KDE Plasma");
    }
    None
}

async fn call<B>(
    conn: &Connection,
    destination: &str,
    path: &str,
    interface: &str,
    method: &str,
    body: &B,
) -> Option<OwnedValue>
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    let destination = BusName::try_from(destination).ok()?;
    let proxy = zbus::Proxy::new(conn, destination, path, interface)
        .await
        .ok()?;
    proxy
        .call_with_flags::<_, _, OwnedValue>(method, MethodFlags::NoAutoStart.into(), body)
        .await
        .ok()
        .flatten()
}

async fn property_bool(
    conn: &Connection,
    destination: &str,
    path: &str,
    interface: &str,
    name: &str,
) -> Option<bool> {
    let value = call(
        conn,
        destination,
        path,
        "org.freedesktop.DBus.Properties",
        "Get",
        &(interface, name),
    )
    .await?;
    as_bool(&value)
}

async fn gnome_show_banners(conn: &Connection) -> Option<bool> {
    let value = call(
        conn,
        "org.freedesktop.portal.Desktop",
        "/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.Settings",
        "Read",
        &("org.gnome.desktop.notifications", "show-banners"),
    )
    .await?;
    as_bool(&value)
}

/// A boolean, looking through the extra variant that the Settings portal's `Read` adds.
fn as_bool(value: &Value<'_>) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Value(inner) => as_bool(inner),
        _ => None,
    }
}
