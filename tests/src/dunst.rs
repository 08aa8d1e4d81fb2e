//! The real `dunst` notification server on a test bus, recording every notice it shows.

use super::TestBus;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A running dunst; stopped (by pid) when dropped.
pub struct Dunst {
    child: Child,
    /// One line per notice dunst showed: `id|urgency|summary|body`.
    pub log: PathBuf,
    /// The text the context-menu "dmenu" picks, read from this file at each pick.
    choice: PathBuf,
    /// The sending application's name for each notice, in the order of `log`.
    apps: PathBuf,
}

impl Dunst {
    /// Starts dunst on `bus`. Needs an X display (the suite runs under xvfb-run).
    pub fn start(bus: &TestBus) -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "dunst needs an X display: run the tests under xvfb-run"
        );
        let dir = bus.dir.path().join("dunst");
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("shown");
        let choice = dir.join("choice");
        let apps = dir.join("apps");
        let record = dir.join("record.sh");
        let pick = dir.join("pick.sh");
        write_script(
            &record,
            &format!(
                "#!/bin/sh\nprintf '%s|%s|%s|%s\\n' \"$DUNST_ID\" \"$DUNST_URGENCY\" \"$DUNST_SUMMARY\" \"$DUNST_BODY\" >> '{}'\nprintf '%s\\n' \"$DUNST_APP_NAME\" >> '{}'\n",
                log.display(),
                apps.display()
            ),
        );
        // dunst's context menu pipes its entries to "dmenu" and acts on the line it prints.
        write_script(
            &pick,
            &format!(
                "#!/bin/sh\ngrep -m1 -F -- \"$(cat '{}')\"\n",
                choice.display()
            ),
        );
        let config = dir.join("dunstrc");
        std::fs::write(
            &config,
            format!(
                "[global]\n    dmenu = {}\n[record]\n    summary = \"*\"\n    script = {}\n",
                pick.display(),
                record.display()
            ),
        )
        .unwrap();
        let child = bus
            .command("dunst")
            .arg("-config")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dunst runs (apt install dunst)");
        let started = bus.wait_for(Duration::from_secs(10), || {
            bus.command("dunstctl")
                .arg("is-paused")
                .output()
                .is_ok_and(|o| o.status.success())
        });
        assert!(started, "dunst took its bus name");
        Self {
            child,
            log,
            choice,
            apps,
        }
    }

    /// The notices shown so far, as `id|urgency|summary|body` lines.
    pub fn shown(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The application name of each notice shown so far.
    pub fn app_names(&self) -> Vec<String> {
        std::fs::read_to_string(&self.apps)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Opens dunst's context menu, which picks the first entry containing `label`, as a
    /// person choosing that button would.
    pub fn choose_action(&self, bus: &TestBus, label: &str) {
        std::fs::write(&self.choice, label).unwrap();
        let out = bus.command("dunstctl").arg("context").output().unwrap();
        assert!(out.status.success(), "dunstctl context: {out:?}");
    }

    pub fn displayed(&self, bus: &TestBus) -> u32 {
        let out = bus
            .command("dunstctl")
            .args(["count", "displayed"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }
}

fn write_script(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
