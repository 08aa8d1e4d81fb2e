//! The real xdg-desktop-portal with its GTK backend on a test bus. Without
//! `org.gtk.Notifications` the backend hands notices to `org.freedesktop.Notifications`,
//! so with [`super::Dunst`] running, portal notices end up in dunst.

use super::TestBus;
use std::process::{Child, Stdio};
use std::time::Duration;

/// Both portal processes; stopped (by pid) when dropped.
pub struct NotificationPortal {
    children: Vec<Child>,
}

impl NotificationPortal {
    pub fn start(bus: &TestBus) -> Self {
        let spawn = |program: &str| {
            bus.command(program)
                // xdg-desktop-portal 1.16 picks the GTK backend for GNOME only.
                .env("XDG_CURRENT_DESKTOP", "GNOME")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("{program} runs (apt install xdg-desktop-portal-gtk): {e}")
                })
        };
        let mut children = vec![spawn("/usr/libexec/xdg-desktop-portal-gtk")];
        let backend = bus.wait_for(Duration::from_secs(10), || {
            has_owner(bus, "org.freedesktop.impl.portal.desktop.gtk")
        });
        assert!(backend, "xdg-desktop-portal-gtk took its name");
        children.push(spawn("/usr/libexec/xdg-desktop-portal"));
        let portal = bus.wait_for(Duration::from_secs(10), || {
            has_owner(bus, "org.freedesktop.portal.Desktop")
        });
        assert!(portal, "xdg-desktop-portal took its name");
        Self { children }
    }
}

fn has_owner(bus: &TestBus, name: &str) -> bool {
    bus.command("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
}

impl Drop for NotificationPortal {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
