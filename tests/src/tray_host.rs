//! A real StatusNotifierWatcher (`status-notifier-watcher` from Debian's
//! haskell-status-notifier-item-utils) on a test bus, with a registered host, and a
//! reader for the tray items and their dbusmenu.

use super::TestBus;
use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::time::Duration;
use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::OwnedValue;

const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// A running watcher; stopped (by pid) when dropped.
pub struct TrayHost {
    child: Child,
    conn: Connection,
}

/// One menu entry: its dbusmenu id, label and check state (-1 when not a checkmark).
#[derive(Debug, Clone, PartialEq)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub checked: i32,
    pub depth: usize,
}

type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

impl TrayHost {
    pub fn start(bus: &TestBus) -> Self {
        let child = bus
            .command("status-notifier-watcher")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "status-notifier-watcher runs (apt install haskell-status-notifier-item-utils)",
            );
        let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .build()
            .unwrap();
        let dbus = zbus::blocking::fdo::DBusProxy::new(&conn).unwrap();
        let up = super::wait_for(Duration::from_secs(10), &mut || {
            dbus.name_has_owner(WATCHER.try_into().unwrap())
                .unwrap_or(false)
        });
        assert!(up, "the watcher took its name");
        let host = Self { child, conn };
        // The watcher only says a host exists once one registered; be that host. It takes its
        // name before it exports its object, so retry until the object answers.
        let registered = super::wait_for(Duration::from_secs(10), &mut || {
            host.watcher()
                .call::<_, _, ()>("RegisterStatusNotifierHost", &("roxy-test-host",))
                .is_ok()
        });
        assert!(registered, "the watcher accepted the test host");
        host
    }

    fn watcher(&self) -> Proxy<'_> {
        Proxy::new(&self.conn, WATCHER, "/StatusNotifierWatcher", WATCHER).unwrap()
    }

    /// Bus names of the registered items.
    pub fn items(&self) -> Vec<String> {
        self.watcher()
            .get_property::<Vec<String>>("RegisteredStatusNotifierItems")
            .unwrap_or_default()
    }

    /// A property of an item's `org.kde.StatusNotifierItem` object.
    pub fn item_property<T>(&self, item: &str, name: &str) -> Option<T>
    where
        T: TryFrom<OwnedValue>,
        <T as TryFrom<OwnedValue>>::Error: Into<zbus::Error>,
    {
        let proxy = Proxy::new(
            &self.conn,
            item.to_owned(),
            "/StatusNotifierItem",
            "org.kde.StatusNotifierItem",
        )
        .ok()?;
        proxy.get_property::<T>(name).ok()
    }

    /// The item's whole menu, depth first.
    pub fn menu(&self, item: &str) -> Vec<MenuEntry> {
        let proxy = self.menu_proxy(item);
        let (_revision, root): (u32, Layout) = proxy
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .unwrap();
        let mut entries = Vec::new();
        flatten(&root, 0, &mut entries);
        entries
    }

    /// Clicks the first entry with this label, as a tray host does.
    pub fn click(&self, item: &str, label: &str) {
        let entry = self
            .menu(item)
            .into_iter()
            .find(|e| e.label == label)
            .unwrap_or_else(|| panic!("no menu entry “{label}”"));
        self.menu_proxy(item)
            .call::<_, _, ()>(
                "Event",
                &(entry.id, "clicked", OwnedValue::from(0i32), 0u32),
            )
            .unwrap();
    }

    fn menu_proxy(&self, item: &str) -> Proxy<'_> {
        Proxy::new(
            &self.conn,
            item.to_owned(),
            "/MenuBar",
            "com.canonical.dbusmenu",
        )
        .unwrap()
    }
}

fn flatten(node: &Layout, depth: usize, out: &mut Vec<MenuEntry>) {
    for child in &node.2 {
        let Ok(child) = Layout::try_from(child.try_clone().unwrap()) else {
            continue;
        };
        let text = |key: &str| -> Option<String> {
            child
                .1
                .get(key)
                .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
        };
        let label = text("label").unwrap_or_default();
        let checked = child
            .1
            .get("toggle-state")
            .and_then(|v| i32::try_from(v.try_clone().ok()?).ok())
            .unwrap_or(-1);
        out.push(MenuEntry {
            id: child.0,
            label,
            checked,
            depth,
        });
        flatten(&child, depth + 1, out);
    }
}

impl Drop for TrayHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
