//! A real RTMP ingest for OBS to stream to: ffmpeg listening on loopback and writing what it
//! receives to an FLV file; and a traffic shaper that makes the link to it thin. Both live in
//! the test's private network (see [`crate::private_network`]).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The RTMP URL OBS' profile streams to (`tests/fixtures/obs/service.json`).
pub const RTMP_PORT: u16 = 1935;

pub struct RtmpIngest {
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl RtmpIngest {
    /// Starts ffmpeg and waits until it listens on [`RTMP_PORT`].
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir for the ingest");
        let log = std::fs::File::create(dir.path().join("ffmpeg.log")).unwrap();
        let child = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "warning"])
            .args(["-listen", "1", "-f", "flv", "-i"])
            .arg(format!("rtmp://127.0.0.1:{RTMP_PORT}/live/roxy"))
            .args(["-c", "copy", "-f", "flv"])
            .arg(dir.path().join("ingest.flv"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("ffmpeg runs (apt-get install ffmpeg)");
        let ingest = Self {
            child: Some(child),
            dir,
        };
        // A probe connection would be taken for the stream, so look for the listening socket.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !listening(RTMP_PORT) {
            assert!(
                Instant::now() < deadline,
                "ffmpeg did not listen on {RTMP_PORT}: {}",
                ingest.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        ingest
    }

    /// The FLV file written so far.
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("ingest.flv")
    }

    pub fn received(&self) -> u64 {
        std::fs::metadata(self.file()).map_or(0, |m| m.len())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ffmpeg.log")).unwrap_or_default()
    }

    /// Kills the ingest, as a crashed server or a cut line would end it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signals the process group this test started.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
        }
    }
}

impl Drop for RtmpIngest {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether something in this thread's network namespace listens on TCP `port`.
fn listening(port: u16) -> bool {
    crate::listening_ports().contains(&port)
}

/// Shapes traffic to a TCP port on loopback (an htb class of its own, picked by port), from
/// unlimited to thin and back, until dropped. Set it up before the connection opens: packet
/// and buffer sizes are taken when a connection starts.
pub struct Shaper {
    _private: (),
}

const UNLIMITED: &str = "10gbit";

impl Shaper {
    pub fn new(port: u16) -> Self {
        // Loopback's 64 KiB packets would each take seconds at a low rate; real links carry
        // 1500 bytes. Small send buffers make the sender feel a thin link at once instead of
        // after seconds of buffering. Both are this private network's own.
        run("ip", &["link", "set", "lo", "mtu", "1500"]);
        std::fs::write("/proc/sys/net/ipv4/tcp_wmem", "4096 8192 16384")
            .expect("set the TCP send buffers of the private network");
        tc("qdisc add dev lo root handle 1: htb default 10");
        tc(&format!(
            "class add dev lo parent 1: classid 1:10 htb rate {UNLIMITED} quantum 200000"
        ));
        tc(&format!(
            "class add dev lo parent 1: classid 1:30 htb rate {UNLIMITED} quantum 1514"
        ));
        tc(&format!(
            "filter add dev lo parent 1: protocol ip u32 match ip dport {port} 0xffff flowid 1:30"
        ));
        Self { _private: () }
    }

    /// Limits the port's traffic to `rate` (tc's notation, such as "24kbit").
    pub fn limit(&self, rate: &str) {
        tc(&format!(
            "class change dev lo parent 1: classid 1:30 htb rate {rate} ceil {rate} quantum 1514"
        ));
    }

    pub fn unlimit(&self) {
        self.limit(UNLIMITED);
    }
}

impl Drop for Shaper {
    fn drop(&mut self) {
        let _ = Command::new("tc")
            .args(["qdisc", "del", "dev", "lo", "root"])
            .status();
    }
}

fn tc(args: &str) {
    run("tc", &args.split(' ').collect::<Vec<_>>());
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The codec and size of the first video stream in `file`, as ffprobe reads it.
pub fn probe_video(file: &Path) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=codec_name,width,height", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
