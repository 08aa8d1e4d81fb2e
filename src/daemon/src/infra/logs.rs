//! Container output: the last lines on request, and a live tail sent as `ContainerLog`
//! signals while someone follows it. One engine stream per container, however many follow.

use crate::services::infra1::InfraService;
use bollard::query_parameters::LogsOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;
use roxy_ipc::i18n::gettext;
use roxy_ipc::names::DAEMON_PATH;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zbus::object_server::SignalEmitter;
use zbus::Connection;

/// Lines are sent in batches at most this often.
const BATCH_INTERVAL: Duration = Duration::from_millis(200);
/// A batch holds at most this many lines; a flood is cut, with a note saying how much.
const MAX_BATCH: usize = 500;
/// How often followers that left the bus without saying so are looked for.
const FOLLOWER_CHECK: Duration = Duration::from_secs(10);
/// A line longer than this is cut (bytes).
const MAX_LINE: usize = 4096;

struct Follow {
    callers: HashSet<String>,
    task: tokio::task::AbortHandle,
}

pub struct LogFollowers {
    conn: Connection,
    follows: Arc<Mutex<HashMap<String, Follow>>>,
    /// Per container, the engine's timestamp (ns) of the last line a tail returned: the
    /// follow starts after it, so no line shows twice.
    shown_until: Mutex<HashMap<String, i64>>,
}

impl LogFollowers {
    pub fn new(conn: Connection) -> Self {
        Self {
            conn,
            follows: Arc::default(),
            shown_until: Mutex::default(),
        }
    }

    /// The last `lines` lines of the container's output, oldest first; remembered as shown.
    pub async fn tail(&self, docker: &Docker, id: &str, lines: u32) -> Result<Vec<String>, String> {
        let (lines, last) = tail(docker, id, lines).await?;
        if let Some(last) = last {
            self.shown_until.lock().unwrap().insert(id.to_owned(), last);
        }
        Ok(lines)
    }

    pub fn follow(&self, docker: Docker, id: &str, caller: String) {
        let mut follows = self.follows.lock().unwrap();
        if let Some(follow) = follows.get_mut(id) {
            follow.callers.insert(caller);
            return;
        }
        let after = self
            .shown_until
            .lock()
            .unwrap()
            .remove(id)
            .unwrap_or_else(|| roxy_core::time::now_ms() * 1_000_000);
        let task = tokio::spawn(stream(
            docker,
            self.conn.clone(),
            id.to_owned(),
            self.follows.clone(),
            after,
        ))
        .abort_handle();
        follows.insert(
            id.to_owned(),
            Follow {
                callers: HashSet::from([caller]),
                task,
            },
        );
    }

    pub fn unfollow(&self, id: &str, caller: &str) {
        let mut follows = self.follows.lock().unwrap();
        if let Some(follow) = follows.get_mut(id) {
            follow.callers.remove(caller);
            if follow.callers.is_empty() {
                follow.task.abort();
                follows.remove(id);
            }
        }
    }

    pub fn stop(&self, id: &str) {
        if let Some(follow) = self.follows.lock().unwrap().remove(id) {
            follow.task.abort();
        }
    }
}

/// The last `lines` lines, oldest first, and the engine's timestamp (ns) of the last one.
async fn tail(docker: &Docker, id: &str, lines: u32) -> Result<(Vec<String>, Option<i64>), String> {
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .tail(&lines.to_string())
        .build();
    let mut out = Vec::new();
    let mut last = None;
    let mut stream = docker.logs(id, Some(options));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        for line in split_lines(&chunk.to_string()) {
            let (at, text) = split_timestamp(&line);
            last = at.or(last);
            out.push(text.to_owned());
        }
    }
    let skip = out.len().saturating_sub(lines as usize);
    Ok((out.split_off(skip), last))
}

/// "2026-11-21T19:07:08.704236688Z text" → (ns since the epoch, "text").
fn split_timestamp(line: &str) -> (Option<i64>, &str) {
    match line.split_once(' ') {
        Some((stamp, text)) => match chrono::DateTime::parse_from_rfc3339(stamp) {
            Ok(at) => (at.timestamp_nanos_opt(), text),
            Err(_) => (None, line),
        },
        None => match chrono::DateTime::parse_from_rfc3339(line) {
            Ok(at) => (at.timestamp_nanos_opt(), ""),
            Err(_) => (None, line),
        },
    }
}

fn split_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(|line| {
        let mut line = line.to_owned();
        if line.len() > MAX_LINE {
            let mut cut = MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        line
    })
}

async fn stream(
    docker: Docker,
    conn: Connection,
    id: String,
    follows: Arc<Mutex<HashMap<String, Follow>>>,
    after_ns: i64,
) {
    // The engine takes whole seconds; lines of that second already shown are skipped below.
    let since = (after_ns / 1_000_000_000) as i32;
    let options = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .follow(true)
        .timestamps(true)
        .since(since)
        .build();
    let mut output = docker.logs(&id, Some(options));
    let mut batch: Vec<String> = Vec::new();
    let mut dropped = 0usize;
    let mut flush = tokio::time::interval(BATCH_INTERVAL);
    let mut check = tokio::time::interval(FOLLOWER_CHECK);
    let dbus = zbus::fdo::DBusProxy::new(&conn).await.ok();
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(chunk)) => {
                    for line in split_lines(&chunk.to_string()) {
                        let (at, text) = split_timestamp(&line);
                        if at.is_some_and(|at| at <= after_ns) {
                            continue;
                        }
                        if batch.len() < MAX_BATCH { batch.push(text.to_owned()) } else { dropped += 1 }
                    }
                }
                // The container stopped or went away: nothing more will come.
                Some(Err(_)) | None => break,
            },
            _ = flush.tick() => {
                if dropped > 0 {
                    batch.push(format!("[… {dropped} more lines not shown]"));
                    dropped = 0;
                }
                if !batch.is_empty() {
                    if let Ok(emitter) = SignalEmitter::new(&conn, DAEMON_PATH) {
                        let _ = InfraService::container_log(&emitter, &id, std::mem::take(&mut batch)).await;
                    }
                }
            }
            _ = check.tick() => {
                let Some(dbus) = &dbus else { continue };
                let callers: Vec<String> = follows.lock().unwrap().get(&id).map(|f| f.callers.iter().cloned().collect()).unwrap_or_default();
                let mut gone = Vec::new();
                for caller in callers {
                    let Ok(name) = zbus::names::BusName::try_from(caller.as_str()) else { continue };
                    if !dbus.name_has_owner(name).await.unwrap_or(true) {
                        gone.push(caller);
                    }
                }
                let mut follows = follows.lock().unwrap();
                if let Some(follow) = follows.get_mut(&id) {
                    for caller in gone {
                        follow.callers.remove(&caller);
                    }
                    if follow.callers.is_empty() {
                        follows.remove(&id);
                        return;
                    }
                }
            }
        }
    }
    // Say so: a follower would otherwise wait for lines that will not come.
    batch.push(gettext("— output ended: the container stopped —"));
    if let Ok(emitter) = SignalEmitter::new(&conn, DAEMON_PATH) {
        let _ = InfraService::container_log(&emitter, &id, batch).await;
    }
    follows.lock().unwrap().remove(&id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_split_off() {
        let (at, text) = split_timestamp("2026-11-21T19:07:08.704236688Z tick 3");
        assert_eq!(text, "tick 3");
        assert_eq!(at, Some(1_795_288_028_704_236_688));
        assert_eq!(split_timestamp("no stamp here"), (None, "no stamp here"));
        assert_eq!(split_timestamp("2026-11-21T19:07:08Z").1, "");
    }
}
