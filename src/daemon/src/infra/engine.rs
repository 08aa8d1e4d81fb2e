//! Finding and connecting to the container engine's socket.

use bollard::Docker;
use roxy_ipc::i18n::{fill, gettext};
use std::path::PathBuf;

/// The setting that holds a socket chosen by the person.
pub const SOCKET_SETTING: &str = "infra.engine_socket";
/// Seconds a request may take before the engine counts as stuck.
const TIMEOUT_SECONDS: u64 = 30;

/// Where to look when nothing is chosen: `$DOCKER_HOST` (unix://), Docker's system socket,
/// rootless Docker, rootless Podman.
pub fn candidate_sockets() -> Vec<PathBuf> {
    let mut sockets = Vec::new();
    if let Ok(host) = std::env::var("DOCKER_HOST") {
        if let Some(path) = host.strip_prefix("unix://") {
            sockets.push(PathBuf::from(path));
        }
    }
    sockets.push(PathBuf::from("/var/run/docker.sock"));
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        let runtime = PathBuf::from(runtime);
        sockets.push(runtime.join("docker.sock"));
        sockets.push(runtime.join("podman/podman.sock"));
    }
    sockets
}

/// The socket to use: the chosen one, else the first candidate that exists.
pub fn resolve(chosen: Option<String>) -> Result<PathBuf, String> {
    if let Some(chosen) = chosen.filter(|c| !c.is_empty()) {
        return Ok(PathBuf::from(chosen.trim_start_matches("unix://")));
    }
    let candidates = candidate_sockets();
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .ok_or_else(|| {
            let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            fill(
                &gettext("No container engine found (tried {}). Start Docker, or Podman with `systemctl --user start podman.socket`, or point Roxy at a socket with `roxyctl infra engine PATH`."),
                &[&tried.join(", ")],
            )
        })
}

/// Connects, agrees on an API version and names the engine ("Docker Engine 20.10 (API 1.41)").
pub async fn connect(socket: &std::path::Path) -> Result<(Docker, String), String> {
    let path = socket.display().to_string();
    if !socket.exists() {
        return Err(fill(
            &gettext("The engine socket {} does not exist. Is the engine running? Choose another with `roxyctl infra engine PATH`."),
            &[&path],
        ));
    }
    let docker = Docker::connect_with_unix(&path, TIMEOUT_SECONDS, bollard::API_DEFAULT_VERSION)
        .map_err(|e| fill(&gettext("Cannot use {}: {}"), &[&path, &e]))?;
    let docker = docker
        .negotiate_version()
        .await
        .map_err(|e| describe_error(&path, &e))?;
    let version = docker
        .version()
        .await
        .map_err(|e| describe_error(&path, &e))?;
    let product = version
        .components
        .as_ref()
        .and_then(|c| c.first())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "Engine".into());
    let name = format!(
        "{product} {} (API {})",
        version.version.unwrap_or_default(),
        version.api_version.unwrap_or_default()
    );
    Ok((docker, name))
}

fn describe_error(path: &str, e: &bollard::errors::Error) -> String {
    let text = e.to_string();
    if text.contains("Permission denied") || text.contains("permission denied") {
        fill(
            &gettext("No permission to use {}. Add yourself to the docker group (then log in again), or use rootless Podman's socket."),
            &[&path],
        )
    } else {
        fill(
            &gettext("The engine at {} does not answer: {}"),
            &[&path, &text],
        )
    }
}
