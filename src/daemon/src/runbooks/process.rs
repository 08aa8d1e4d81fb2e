//! Running one command of a step: its own process group, a clean environment, output read
//! line by line, and a timeout or cancel that stops the whole group (SIGTERM, then SIGKILL).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Between SIGTERM and SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(3);
/// Bytes of output kept per command (the end of it).
pub const OUTPUT_TAIL: usize = 16 * 1024;
const MAX_LINE: usize = 4096;

#[derive(Debug, Default)]
pub struct Finished {
    /// None when a signal ended it.
    pub exit_code: Option<i32>,
    /// The end of standard output (for `expected`).
    pub stdout: String,
    /// The end of stdout and stderr interleaved (for the record).
    pub output: String,
    pub timed_out: bool,
    pub cancelled: bool,
}

/// Starts `argv` and waits for it, passing each output line to `log`.
pub async fn run(
    argv: &[String],
    env: &BTreeMap<String, String>,
    cwd: Option<&Path>,
    timeout: Duration,
    cancel: &AtomicBool,
    mut log: impl FnMut(&str),
) -> Result<Finished, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let group = child.id().map(|pid| pid as i32);

    let (lines, mut inbox) = mpsc::channel::<(bool, String)>(256);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(read_lines(out, true, lines.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(read_lines(err, false, lines.clone()));
    }
    drop(lines);

    let mut done = Finished::default();
    let deadline = Instant::now() + timeout;
    let mut kill_at: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            Some((is_stdout, line)) = inbox.recv() => keep(&mut done, is_stdout, &line, &mut log),
            _ = tokio::time::sleep_until(deadline), if !done.timed_out && !done.cancelled => {
                done.timed_out = true;
                signal_group(group, libc::SIGTERM);
                kill_at = Some(Instant::now() + KILL_GRACE);
            }
            _ = tick.tick() => {
                if !done.cancelled && !done.timed_out && cancel.load(Ordering::SeqCst) {
                    done.cancelled = true;
                    signal_group(group, libc::SIGTERM);
                    kill_at = Some(Instant::now() + KILL_GRACE);
                }
                if kill_at.is_some_and(|at| Instant::now() >= at) {
                    signal_group(group, libc::SIGKILL);
                    kill_at = None;
                }
            }
        }
    };
    if done.timed_out || done.cancelled {
        // Whatever the group left behind was told to stop; make sure it has.
        signal_group(group, libc::SIGKILL);
    }
    // Lines still in flight. Background children may hold the pipes open, so do not wait
    // for the end of the output.
    let drain_until = Instant::now() + Duration::from_millis(200);
    while let Ok(Some((is_stdout, line))) = tokio::time::timeout_at(drain_until, inbox.recv()).await
    {
        keep(&mut done, is_stdout, &line, &mut log);
    }
    let status = status.map_err(|e| format!("cannot wait for `{program}`: {e}"))?;
    done.exit_code = status.code();
    Ok(done)
}

fn keep(done: &mut Finished, is_stdout: bool, line: &str, log: &mut impl FnMut(&str)) {
    log(line);
    if is_stdout {
        push_tail(&mut done.stdout, line);
    }
    push_tail(&mut done.output, line);
}

fn push_tail(buffer: &mut String, line: &str) {
    buffer.push_str(line);
    buffer.push('\n');
    if buffer.len() > OUTPUT_TAIL {
        let mut cut = buffer.len() - OUTPUT_TAIL;
        while !buffer.is_char_boundary(cut) {
            cut += 1;
        }
        buffer.drain(..cut);
    }
}

async fn read_lines(
    stream: impl AsyncRead + Unpin,
    is_stdout: bool,
    lines: mpsc::Sender<(bool, String)>,
) {
    let mut reader = BufReader::new(stream);
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match reader.read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                while raw.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    raw.pop();
                }
                raw.truncate(MAX_LINE);
                let line = String::from_utf8_lossy(&raw).into_owned();
                if lines.send((is_stdout, line)).await.is_err() {
                    break;
                }
            }
        }
    }
}

fn signal_group(group: Option<i32>, signal: i32) {
    if let Some(pgid) = group {
        // SAFETY: kill(2) on the process group this function created; a gone group is ESRCH.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["/bin/sh".into(), "-c".into(), script.into()]
    }

    fn base_env() -> BTreeMap<String, String> {
        BTreeMap::from([("PATH".to_string(), "/usr/bin:/bin".to_string())])
    }

    #[tokio::test]
    async fn captures_output_and_exit_code_with_a_clean_environment() {
        std::env::set_var("ROXY_SHOULD_NOT_LEAK", "1");
        let mut lines = Vec::new();
        let done = run(
            &sh("echo out; echo err >&2; echo leak=${ROXY_SHOULD_NOT_LEAK:-no}; exit 3"),
            &base_env(),
            None,
            Duration::from_secs(10),
            &AtomicBool::new(false),
            |l| lines.push(l.to_string()),
        )
        .await
        .unwrap();
        assert_eq!(done.exit_code, Some(3));
        assert!(done.stdout.contains("out\n") && !done.stdout.contains("err"));
        assert!(done.output.contains("err"));
        assert!(
            done.stdout.contains("leak=no"),
            "the daemon's environment does not leak"
        );
        assert_eq!(lines.len(), 3);
    }

    #[tokio::test]
    async fn a_timeout_stops_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let script = format!(
            "sleep 60 & echo $! > {p}; sh -c 'trap \"\" TERM; sleep 60' & echo $! >> {p}; wait",
            p = pids.display()
        );
        let started = std::time::Instant::now();
        let done = run(
            &sh(&script),
            &base_env(),
            None,
            Duration::from_millis(300),
            &AtomicBool::new(false),
            |_| {},
        )
        .await
        .unwrap();
        assert!(done.timed_out);
        assert!(started.elapsed() < Duration::from_secs(30));
        for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
            let pid: i32 = pid.parse().unwrap();
            // The TERM-ignoring child needed the SIGKILL after the grace period.
            let gone = (0..100).any(|_| {
                std::thread::sleep(Duration::from_millis(50));
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .map(|s| s.contains(") Z "))
                    .unwrap_or(true)
            });
            assert!(gone, "process {pid} of the group survived");
        }
    }

    #[tokio::test]
    async fn cancel_stops_a_running_command() {
        let cancel = AtomicBool::new(false);
        let (argv, env) = (sh("sleep 60"), base_env());
        let flag = &cancel;
        let (done, _) = tokio::join!(
            run(&argv, &env, None, Duration::from_secs(60), flag, |_| {}),
            async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                flag.store(true, Ordering::SeqCst);
            }
        );
        let done = done.unwrap();
        assert!(done.cancelled && !done.timed_out);
        assert_eq!(done.exit_code, None, "ended by a signal");
    }

    #[tokio::test]
    async fn a_missing_program_is_a_clear_error() {
        let err = run(
            &["/no/such/program".to_string()],
            &base_env(),
            None,
            Duration::from_secs(1),
            &AtomicBool::new(false),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(err.contains("cannot start `/no/such/program`"), "{err}");
    }

    #[test]
    fn the_output_tail_is_bounded() {
        let mut buffer = String::new();
        for _ in 0..10_000 {
            push_tail(&mut buffer, "ääääääääää");
        }
        assert!(buffer.len() <= OUTPUT_TAIL);
    }
}
