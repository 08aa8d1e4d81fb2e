//! A real Secret Service for tests: gnome-keyring-daemon on the test bus, with a fresh login
//! keyring unlocked by a throwaway password.

use super::TestBus;
use std::io::Write;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A running gnome-keyring-daemon; stopped (by pid) when dropped.
pub struct SecretService {
    child: Child,
}

impl SecretService {
    pub fn start(bus: &TestBus) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let home = bus.dir.path().join("keyring-home");
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut child = bus
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (apt install gnome-keyring)");
        // An empty password would leave no login keyring (and no default collection).
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"roxy-test-keyring").unwrap();
        drop(stdin);
        let up = bus.wait_for(Duration::from_secs(10), || {
            bus.command("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
        });
        assert!(up, "gnome-keyring-daemon took org.freedesktop.secrets");
        Self { child }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
