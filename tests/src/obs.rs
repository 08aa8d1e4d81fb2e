//! OBS Studio, headless under Xvfb, with a prepared profile, scene collection and
//! obs-websocket config. OBS 30.2 (what obws needs) runs from a Debian 13 chroot made by
//! `build-aux/obs-chroot.sh`; Debian 12's OBS 29 runs on the host for the "too old" case.
//! Start both inside [`private_network`]: OBS phones home and obs-websocket listens on every
//! interface. Stopped by process group when dropped.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/obs");
/// OBS' `LastVersion` (major << 24 | minor << 16 | patch): matching it skips the
/// "what's new" dialog.
const OBS_30_2_3: u32 = (30 << 24) | (2 << 16) | 3;
const OBS_29_0_2: u32 = (29 << 24) | 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObsBuild {
    /// OBS 30.2.3 from the Debian 13 chroot.
    Current,
    /// OBS 29.0.2 from Debian 12, too old for obws.
    Old,
}

/// Enters a network namespace of its own with only loopback, for this thread and every
/// process it starts from now on (the bus, roxyd, OBS). Needs root, as CI has.
pub fn private_network() {
    // SAFETY: unshare affects only the calling thread's network namespace.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    assert_eq!(
        rc,
        0,
        "the OBS and NDI tests need a private network namespace (root or CAP_SYS_ADMIN): {}",
        std::io::Error::last_os_error()
    );
    let up = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .expect("ip runs (apt-get install iproute2)");
    assert!(up.success(), "cannot bring loopback up");
}

/// The TCP ports something listens on in this thread's network namespace (see
/// [`private_network`]). Reading the table, unlike connecting, takes no one's one connection.
pub fn listening_ports() -> Vec<u16> {
    let table = std::fs::read_to_string("/proc/thread-self/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let port = u16::from_str_radix(fields.get(1)?.rsplit(':').next()?, 16).ok()?;
            // State 0A is LISTEN.
            (fields.get(3) == Some(&"0A")).then_some(port)
        })
        .collect()
}

/// Where `build-aux/obs-chroot.sh` put the Debian 13 tree.
pub fn obs_chroot() -> PathBuf {
    let dir = std::env::var_os("ROXY_OBS_CHROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/roxy/obs-trixie")
        });
    assert!(
        dir.join("usr/bin/obs").exists(),
        "OBS 30.2 is missing at {}: run build-aux/obs-chroot.sh (test.sh does)",
        dir.display()
    );
    dir
}

pub struct Obs {
    child: Option<Child>,
    build: ObsBuild,
    pub port: u16,
    /// The config and recordings, as the host sees them.
    pub home: tempfile::TempDir,
    /// The same folder as OBS sees it (inside the chroot for OBS 30).
    pub inner_home: PathBuf,
    root: Option<PathBuf>,
}

impl Obs {
    pub fn start(build: ObsBuild, port: u16, password: &str) -> Self {
        let root = (build == ObsBuild::Current).then(obs_chroot);
        let tmp = root
            .as_ref()
            .map_or(PathBuf::from("/tmp"), |r| r.join("tmp"));
        let home = tempfile::Builder::new()
            .prefix("roxy-obs")
            .tempdir_in(&tmp)
            .expect("temp dir for OBS");
        let inner_home = match &root {
            Some(r) => Path::new("/").join(home.path().strip_prefix(r).unwrap()),
            None => home.path().to_owned(),
        };
        let version = match build {
            ObsBuild::Current => OBS_30_2_3,
            ObsBuild::Old => OBS_29_0_2,
        };
        write_config(home.path(), &inner_home, version, port, password);
        let mut obs = Self {
            child: None,
            build,
            port,
            home,
            inner_home,
            root,
        };
        obs.launch();
        obs
    }

    fn launch(&mut self) {
        let inner = self.inner_home.display().to_string();
        let obs_line = format!(
            "env -i HOME={inner} XDG_CONFIG_HOME={inner}/config XDG_RUNTIME_DIR={inner} \
             LIBGL_ALWAYS_SOFTWARE=1 PATH=/usr/bin:/bin LANG=C.UTF-8 \
             xvfb-run -a -s '-screen 0 1280x720x24' obs --multi --minimize-to-tray \
             --disable-updater --disable-missing-files-check {} --collection Roxy --profile Roxy",
            if self.build == ObsBuild::Current {
                "--disable-shutdown-check"
            } else {
                ""
            }
        );
        let log = std::fs::File::create(self.home.path().join("obs.log")).unwrap();
        let mut command = match &self.root {
            // A private mount namespace: /proc and /dev for the chroot vanish with it.
            Some(root) => {
                let mut c = Command::new("unshare");
                c.args(["--mount", "--propagation", "private", "--", "sh", "-c"])
                    .arg(format!(
                        "mount -t proc proc {r}/proc && mount --rbind /dev {r}/dev && exec chroot {r} {obs_line}",
                        r = root.display()
                    ));
                c
            }
            None => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("exec {obs_line}"));
                c
            }
        };
        let child = command
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("OBS starts");
        self.child = Some(child);
        assert!(
            self.wait_listening(Duration::from_secs(60)),
            "OBS did not open port {} within 60 s; its log:\n{}",
            self.port,
            self.log()
        );
    }

    pub fn wait_listening(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("obs.log")).unwrap_or_default()
    }

    /// Where OBS writes recordings, on the host.
    pub fn recordings(&self) -> PathBuf {
        self.home.path().join("recordings")
    }

    /// A path OBS reported, as the host sees it.
    pub fn host_path(&self, reported: &str) -> PathBuf {
        match &self.root {
            Some(root) => root.join(reported.trim_start_matches('/')),
            None => PathBuf::from(reported),
        }
    }

    /// Kills OBS at once (as a crash would) and waits until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signals the process group this test started.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            let deadline = Instant::now() + Duration::from_secs(10);
            while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Starts OBS again with the same config (after [`Obs::kill`]).
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }
}

impl Drop for Obs {
    fn drop(&mut self) {
        self.kill();
    }
}

fn write_config(home: &Path, inner_home: &Path, version: u32, port: u16, password: &str) {
    let config = home.join("config/obs-studio");
    let profile = config.join("basic/profiles/Roxy");
    let scenes = config.join("basic/scenes");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::create_dir_all(&scenes).unwrap();
    std::fs::create_dir_all(home.join("recordings")).unwrap();
    write_tone(&home.join("tone.wav"));
    let fill = |name: &str, pairs: &[(&str, String)]| {
        let mut text = std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap();
        for (key, value) in pairs {
            text = text.replace(key, value);
        }
        text
    };
    std::fs::write(
        config.join("global.ini"),
        fill(
            "global.ini",
            &[
                ("@VERSION@", version.to_string()),
                ("@PORT@", port.to_string()),
                ("@PASSWORD@", password.to_owned()),
                // No password: OBS without authentication.
                (
                    "AuthRequired=true",
                    if password.is_empty() {
                        "AuthRequired=false"
                    } else {
                        "AuthRequired=true"
                    }
                    .to_owned(),
                ),
            ],
        ),
    )
    .unwrap();
    // OBS 30 moves these obs-websocket settings into its plugin config on first start.
    std::fs::write(
        profile.join("basic.ini"),
        fill(
            "basic.ini",
            &[(
                "@RECORDINGS@",
                inner_home.join("recordings").display().to_string(),
            )],
        ),
    )
    .unwrap();
    // Streams go to the RTMP ingest of `rtmp.rs`.
    std::fs::write(profile.join("service.json"), fill("service.json", &[])).unwrap();
    std::fs::write(
        scenes.join("Roxy.json"),
        fill(
            "scenes.json",
            &[("@TONE@", inner_home.join("tone.wav").display().to_string())],
        ),
    )
    .unwrap();
}

/// One second of a 440 Hz tone, 48 kHz mono: the "Music" input loops it, so meters move.
fn write_tone(path: &Path) {
    let rate = 48_000u32;
    let samples: Vec<u8> = (0..rate)
        .flat_map(|i| {
            let t = f64::from(i) / f64::from(rate);
            let v = (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
            v.to_le_bytes()
        })
        .collect();
    let mut wav = Vec::with_capacity(44 + samples.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(&samples);
    std::fs::write(path, wav).unwrap();
}
