//! A real PostgreSQL server from Debian's `postgresql` package, in a temporary cluster that
//! listens only on a private Unix socket. Stopped by its pid when dropped.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Postgres {
    child: Child,
    pub dir: tempfile::TempDir,
    user: String,
}

/// The newest server binaries Debian installed, e.g. /usr/lib/postgresql/15/bin.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql (package postgresql)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("a PostgreSQL server in /usr/lib/postgresql/*/bin")
}

/// PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user
/// the package created.
fn as_server_user(command: &mut Command) -> String {
    if unsafe { libc::geteuid() } == 0 {
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
        let mut wrapped = Command::new("setpriv");
        wrapped
            .args([
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "--",
            ])
            .arg(program)
            .args(args);
        *command = wrapped;
        "postgres".into()
    } else {
        std::env::var("USER").unwrap_or_else(|_| "postgres".into())
    }
}

impl Postgres {
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("rxpg")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let data = dir.path().join("data");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        if unsafe { libc::geteuid() } == 0 {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown of the cluster folder");
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        let user = as_server_user(&mut initdb);
        let out = initdb.output().expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::File::create(dir.path().join("postgres.log")).unwrap();
        let mut server = Command::new(bin.join("postgres"));
        server.arg("-D").arg(&data).arg("-k").arg(dir.path()).args([
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
            "-p",
            "5432",
        ]);
        as_server_user(&mut server);
        let child = server
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("postgres starts");
        let pg = Self { child, dir, user };
        let ready = crate::wait_for(Duration::from_secs(60), &mut || {
            Command::new(bin.join("pg_isready"))
                .arg("-h")
                .arg(pg.dir.path())
                .args(["-p", "5432", "-q"])
                .status()
                .is_ok_and(|s| s.success())
        });
        assert!(ready, "postgres did not come up: {}", pg.log());
        pg
    }

    /// Creates a database and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .arg("-h")
            .arg(self.dir.path())
            .args(["-p", "5432", "-U", &self.user, "-d", "postgres", "-q", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(name)
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@localhost/{database}?host={}&port=5432",
            self.user,
            self.socket_dir().display()
        )
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: the "fast" shutdown, which ends open sessions.
        crate::kill(self.child.id(), libc::SIGINT);
        let stopped = crate::wait_for(Duration::from_secs(30), &mut || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        if !stopped {
            unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
            let _ = self.child.wait();
        }
    }
}
