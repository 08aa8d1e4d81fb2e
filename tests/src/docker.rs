//! A real Docker Engine on a private socket, with a busybox image imported from the
//! `busybox-static` package (no registry). Stopped by its pid when dropped.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const IMAGE: &str = "roxy-test/busybox:1";

pub struct Dockerd {
    child: Child,
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
}

impl Dockerd {
    /// Starts dockerd (needs root, as the engine does) and imports the test image.
    pub fn start() -> Self {
        assert!(
            unsafe { libc::geteuid() } == 0,
            "the container tests start a real dockerd, which needs root"
        );
        // Short paths: containerd's sockets live under the exec root.
        let dir = tempfile::Builder::new()
            .prefix("rxd")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let socket = dir.path().join("docker.sock");
        let log = std::fs::File::create(dir.path().join("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .arg("--data-root")
            .arg(dir.path().join("data"))
            .arg("--exec-root")
            .arg(dir.path().join("x"))
            .arg("--host")
            .arg(format!("unix://{}", socket.display()))
            .arg("--pidfile")
            .arg(dir.path().join("dockerd.pid"))
            .args([
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver=vfs",
                "--shutdown-timeout=1",
            ])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("dockerd starts (package docker.io)");
        let engine = Self { child, dir, socket };
        let ready = crate::wait_for(Duration::from_secs(60), &mut || {
            engine.docker(&["version"]).status.success()
        });
        assert!(ready, "dockerd did not come up: {}", engine.log());
        engine.import_busybox();
        engine
    }

    fn import_busybox(&self) {
        let root = self.dir.path().join("image");
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy("/bin/busybox", bin.join("busybox"))
            .expect("/bin/busybox (package busybox-static)");
        for tool in ["sh", "sleep", "echo", "httpd", "test", "cat"] {
            std::os::unix::fs::symlink("busybox", bin.join(tool)).unwrap();
        }
        let mut tar = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = self
            .command(&["import", "-", IMAGE])
            .stdin(tar.stdout.take().unwrap())
            .output()
            .unwrap();
        assert!(tar.wait().unwrap().success(), "tar of the image folder");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("docker");
        command
            .arg("--host")
            .arg(format!("unix://{}", self.socket.display()))
            .args(args)
            .env("DOCKER_CONFIG", self.dir.path().join("client"));
        command
    }

    pub fn docker(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("docker CLI")
    }

    /// Runs a detached container without network; returns its id.
    pub fn run(&self, args: &[&str]) -> String {
        let mut all = vec!["run", "-d", "--network", "none"];
        all.extend_from_slice(args);
        let out = self.docker(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dockerd.log")).unwrap_or_default()
    }

    pub fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let pid = self.child.id();
        crate::kill(pid, libc::SIGTERM);
        let stopped = crate::wait_for(Duration::from_secs(30), &mut || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        if !stopped {
            // Its containerd shares the process group.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
            let _ = self.child.wait();
        }
    }
}
