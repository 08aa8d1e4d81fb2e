//! What the cross-process tests start: a private session bus whose service directory makes
//! roxyd D-Bus activatable, the real binaries, and helpers to stop everything by pid.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use roxy_ipc::names::DAEMON_BUS_NAME;

mod docker;
mod dunst;
mod fake_systemd;
mod file_server;
mod http_sink;
mod keyring;
mod ndi;
mod obs;
mod portal;
mod postgres;
mod rtmp;
pub mod speech;
mod tray_host;
mod web;
pub use docker::{Dockerd, IMAGE};
pub use dunst::Dunst;
pub use fake_systemd::FakeSystemd;
pub use file_server::FileServer;
pub use http_sink::{Answer, HttpSink, Recorded};
pub use keyring::SecretService;
pub use ndi::NdiSender;
pub use obs::{listening_ports, obs_chroot, private_network, Obs, ObsBuild};
pub use portal::NotificationPortal;
pub use postgres::Postgres;
pub use rtmp::{probe_video, RtmpIngest, Shaper, RTMP_PORT};
pub use tray_host::{MenuEntry, TrayHost};
pub use web::{Reply, TlsServer, WebServer};

/// A built binary of the workspace (`cargo test --workspace` builds them first).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing; run the tests with `cargo test --workspace` so the binaries are built",
        path.display()
    );
    path
}

/// How roxyd may be activated on a [`TestBus`].
pub enum Activation {
    /// A service file that starts roxyd with this data dir.
    Roxyd { data_dir: PathBuf },
    /// No service file: roxyd is not activatable.
    None,
}

/// A private `dbus-daemon --session` with its own service directory, stopped on drop
/// together with any roxyd it started.
pub struct TestBus {
    pub dir: tempfile::TempDir,
    pub address: String,
    bus: Child,
}

impl TestBus {
    /// A bus whose roxyd keeps its data in `<tmp>/data`.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        Self::with_dir(dir, Activation::Roxyd { data_dir })
    }

    /// Like [`TestBus::new`], with roxyd logging at `level` into `bus.log` (see [`TestBus::log`]).
    pub fn with_log_level(level: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        Self::start(dir, Activation::Roxyd { data_dir }, level, &[])
    }

    pub fn with_dir(dir: tempfile::TempDir, activation: Activation) -> Self {
        Self::start(dir, activation, "warn", &[])
    }

    /// Like [`TestBus::new`], with these variables in the environment of the roxyd it starts.
    pub fn with_daemon_env(vars: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        Self::start(dir, Activation::Roxyd { data_dir }, "warn", vars)
    }

    /// What the bus and the daemons it started wrote to standard error.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bus.log")).unwrap_or_default()
    }

    fn start(
        dir: tempfile::TempDir,
        activation: Activation,
        log_level: &str,
        daemon_env: &[(&str, &str)],
    ) -> Self {
        let services = dir.path().join("services");
        std::fs::create_dir_all(&services).unwrap();
        if let Activation::Roxyd { data_dir } = &activation {
            std::fs::write(
                services.join(format!("{DAEMON_BUS_NAME}.service")),
                format!(
                    "[D-BUS Service]\nName={DAEMON_BUS_NAME}\nExec={} --data-dir {} --config-dir {}\n",
                    bin("roxyd").display(),
                    data_dir.display(),
                    dir.path().join("config").display()
                ),
            )
            .unwrap();
        }
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
                dir.path().display(),
                services.display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .arg("--print-address=1")
            // roxyd inherits this environment when the bus activates it.
            .env("ROXY_LOG", log_level)
            // Keeps autostart entries and other per-user files out of the real home.
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            // Semantic docs search only where a test asks for it (it embeds every document).
            .env_remove("ROXY_EMBEDDING_MODEL")
            .envs(daemon_env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("bus.log")).unwrap())
            .spawn()
            .expect("dbus-daemon runs (apt-get install dbus)");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("dbus-daemon prints its address");
        let address = line.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        Self { dir, address, bus }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `<tmp>/config/runbooks`, created private (mode 0700) as roxyd requires.
    pub fn runbook_dir(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.dir.path().join("config/runbooks");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    /// Writes `<name>.yaml` into the runbook folder.
    pub fn write_runbook(&self, name: &str, text: &str) -> PathBuf {
        let path = self.runbook_dir().join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs roxyctl with `--json` and parses its standard output.
    pub fn roxyctl_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.roxyctl(&all);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "roxyctl {args:?}: {e}\nstdout: {}\nstderr: {}",
                stdout(&out),
                stderr(&out)
            )
        })
    }

    /// Runs roxyctl with `--json`, requires success, and parses its output (Null when it
    /// printed no JSON).
    pub fn roxyctl_ok(&self, args: &[&str]) -> serde_json::Value {
        let out = self.roxyctl(&[&["--json"], args].concat());
        assert!(
            out.status.success(),
            "roxyctl {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        serde_json::from_str(stdout(&out).trim()).unwrap_or(serde_json::Value::Null)
    }

    /// Runs roxyctl, requires it to fail, and returns what it said on stderr.
    pub fn roxyctl_refused(&self, args: &[&str]) -> String {
        let out = self.roxyctl(args);
        assert!(!out.status.success(), "roxyctl {args:?} should fail");
        stderr(&out)
    }

    /// A command with this bus as the session bus and a private XDG environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("XDG_DATA_HOME", self.dir.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("ROXY_DATA_DIR");
        cmd
    }

    /// Runs roxyctl with `args` and waits for it.
    /// `roxyctl secret set NAME`, with the value on standard input.
    pub fn set_secret(&self, name: &str, value: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(bin("roxyctl"))
            .args(["--json", "secret", "set", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{value}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn roxyctl(&self, args: &[&str]) -> Output {
        self.command(bin("roxyctl"))
            .args(args)
            .output()
            .expect("roxyctl runs")
    }

    /// The pid of the process owning roxyd's bus name, if any.
    pub fn daemon_pid(&self) -> Option<u32> {
        let out = self
            .command("dbus-send")
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                &format!("string:{DAEMON_BUS_NAME}"),
            ])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .last()?
            .parse()
            .ok()
    }

    /// Kills roxyd with `signal` and waits until the process is gone *and* the bus has
    /// dropped its name (the bus notices a dead connection a moment after the process
    /// dies; a call in between is still routed to it).
    pub fn kill_daemon(&self, signal: i32) {
        let pid = self.daemon_pid().expect("roxyd is running");
        kill(pid, signal);
        assert!(
            self.wait_for(Duration::from_secs(10), || !alive(pid)
                && self.daemon_pid().is_none()),
            "roxyd {pid} did not go away after signal {signal}"
        );
    }

    /// Waits until `done` holds or `timeout` passes; returns whether it held.
    pub fn wait_for(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        wait_for(timeout, &mut done)
    }
}

impl Default for TestBus {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestBus {
    fn drop(&mut self) {
        let daemon = self.daemon_pid();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        // roxyd leaves by itself when its bus closes; make sure of it.
        if let Some(pid) = daemon {
            if !wait_for(Duration::from_secs(5), &mut || !alive(pid)) {
                kill(pid, libc::SIGKILL);
            }
        }
    }
}

pub fn wait_for(timeout: Duration, done: &mut dyn FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// True while the process exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

pub fn kill(pid: u32, signal: i32) {
    // SAFETY: plain syscall on a pid this test started (through activation).
    unsafe {
        libc::kill(pid as i32, signal);
    }
}

/// Copies the folder `from` to `to` (a fixture tree a test may change).
/// The embedding model for semantic docs search: `ROXY_EMBEDDING_MODEL`, else where
/// `build-aux/fetch-models.sh` puts it for the test suite.
pub fn embedding_model() -> PathBuf {
    let dir = std::env::var_os("ROXY_EMBEDDING_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/roxy/models/all-minilm-l6-v2")
        });
    assert!(
        dir.join("model.safetensors").is_file(),
        "no embedding model in {0}; fetch it first: build-aux/fetch-models.sh {0}",
        dir.display()
    );
    dir
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fills `<data_dir>/roxy.db` with `megabytes` of incompressible rows so that maintenance
/// jobs run long enough to be watched and cancelled.
pub async fn seed_database(data_dir: &Path, megabytes: u32) {
    use sqlx::ConnectOptions;
    std::fs::create_dir_all(data_dir).unwrap();
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(data_dir.join("roxy.db"))
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS test_filler (payload BLOB)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
         INSERT INTO test_filler SELECT randomblob(1000) FROM n",
    )
    .bind(i64::from(megabytes) * 1000)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
}
