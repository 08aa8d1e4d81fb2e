//! NDI sources found by mDNS (`_ndi._tcp`), without the NDI SDK, and a diagnosis of why
//! none show up. Browsing starts when a client first asks, then keeps the list current.

use crate::services::broadcast1::BroadcastService;
use mdns_sd::{ServiceDaemon, ServiceEvent};
use roxy_ipc::broadcast::{NdiFindingInfo, NdiSourceInfo};
use roxy_ipc::i18n::{fill, gettext};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zbus::object_server::SignalEmitter;
use zbus::Connection;

pub const SERVICE_TYPE: &str = "_ndi._tcp.local.";
/// Where the NDI runtime (libndi) is looked for; NDI's own installers use these.
const RUNTIME_DIR_VARS: [&str; 3] = [
    "NDI_RUNTIME_DIR_V6",
    "NDI_RUNTIME_DIR_V5",
    "NDI_RUNTIME_DIR_V4",
];
const LIBRARY_DIRS: [&str; 5] = [
    "/usr/lib",
    "/usr/local/lib",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/app/lib",
];

#[derive(Default)]
struct Browsing {
    daemon: Option<ServiceDaemon>,
    start_error: Option<String>,
    started: bool,
}

pub struct NdiBrowser {
    conn: Connection,
    browsing: Mutex<Browsing>,
    sources: Mutex<BTreeMap<String, NdiSourceInfo>>,
}

impl NdiBrowser {
    pub fn new(conn: Connection) -> Arc<Self> {
        Arc::new(Self {
            conn,
            browsing: Mutex::new(Browsing::default()),
            sources: Mutex::new(BTreeMap::new()),
        })
    }

    /// The sources seen so far; the first call starts browsing.
    pub fn sources(self: &Arc<Self>) -> Vec<NdiSourceInfo> {
        self.ensure_browsing();
        self.sources.lock().unwrap().values().cloned().collect()
    }

    fn ensure_browsing(self: &Arc<Self>) {
        let mut browsing = self.browsing.lock().unwrap();
        if browsing.started {
            return;
        }
        browsing.started = true;
        let started = ServiceDaemon::new().and_then(|daemon| {
            let events = daemon.browse(SERVICE_TYPE)?;
            Ok((daemon, events))
        });
        match started {
            Ok((daemon, events)) => {
                browsing.daemon = Some(daemon);
                let me = Arc::downgrade(self);
                tokio::spawn(async move {
                    while let Ok(event) = events.recv_async().await {
                        let Some(me) = me.upgrade() else { break };
                        me.on_event(event).await;
                    }
                });
            }
            Err(e) => {
                tracing::warn!("NDI discovery cannot start: {e}");
                browsing.start_error = Some(e.to_string());
            }
        }
    }

    async fn on_event(&self, event: ServiceEvent) {
        let changed = match event {
            ServiceEvent::ServiceResolved(service) => {
                let name = service
                    .fullname
                    .strip_suffix(&format!(".{SERVICE_TYPE}"))
                    .unwrap_or(&service.fullname)
                    .to_owned();
                let mut addresses: Vec<String> = service
                    .addresses
                    .iter()
                    .map(|a| a.to_ip_addr().to_string())
                    .collect();
                addresses.sort();
                let info = NdiSourceInfo {
                    name,
                    host: service.host.trim_end_matches('.').to_owned(),
                    addresses,
                    port: service.port,
                };
                let mut sources = self.sources.lock().unwrap();
                sources.insert(service.fullname.clone(), info.clone()) != Some(info)
            }
            ServiceEvent::ServiceRemoved(_, fullname) => {
                self.sources.lock().unwrap().remove(&fullname).is_some()
            }
            _ => false,
        };
        if changed {
            let sources: Vec<NdiSourceInfo> =
                self.sources.lock().unwrap().values().cloned().collect();
            if let Ok(emitter) = SignalEmitter::new(&self.conn, roxy_ipc::names::DAEMON_PATH) {
                let _ = BroadcastService::ndi_sources_changed(&emitter, sources).await;
            }
        }
    }

    /// Checks, in order, what keeps NDI sources from showing up here.
    pub async fn diagnose(self: &Arc<Self>) -> Vec<NdiFindingInfo> {
        self.ensure_browsing();
        let mut findings = Vec::new();
        if let Some(error) = self.browsing.lock().unwrap().start_error.clone() {
            findings.push(problem(
                gettext("mDNS discovery could not start"),
                fill(
                    &gettext("Roxy could not open UDP port 5353 for mDNS ({}). Another program may hold it exclusively."),
                    &[&error],
                ),
            ));
        }
        findings.push(sandbox_finding());
        findings.push(interfaces_finding(&multicast_interfaces()));
        // Give answers to the browse a moment when it has only just started.
        let mut found = self.sources.lock().unwrap().len();
        for _ in 0..20 {
            if found > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
            found = self.sources.lock().unwrap().len();
        }
        findings.push(if found > 0 {
            ok(
                gettext("NDI sources answer"),
                fill(&gettext("{} NDI sources answered over mDNS."), &[&found]),
            )
        } else {
            warning(
                gettext("No NDI source answered"),
                gettext("Nothing on the network announced _ndi._tcp. Check that the sender runs and is on this network segment; a firewall (firewalld, ufw) must let UDP 5353 (mDNS) in, and TCP 5959–5990 for NDI video."),
            )
        });
        findings.push(avahi_finding(
            Path::new("/run/avahi-daemon/socket").exists(),
        ));
        findings.push(runtime_finding(find_runtime()));
        findings
    }

    pub fn shutdown(&self) {
        if let Some(daemon) = self.browsing.lock().unwrap().daemon.take() {
            let _ = daemon.shutdown();
        }
    }
}

fn ok(title: String, detail: String) -> NdiFindingInfo {
    NdiFindingInfo {
        level: "ok".into(),
        title,
        detail,
    }
}

fn warning(title: String, detail: String) -> NdiFindingInfo {
    NdiFindingInfo {
        level: "warning".into(),
        title,
        detail,
    }
}

fn problem(title: String, detail: String) -> NdiFindingInfo {
    NdiFindingInfo {
        level: "problem".into(),
        title,
        detail,
    }
}

/// Interfaces that are up and carry multicast, loopback aside, in roxyd's own network
/// namespace (getifaddrs; /sys/class/net would show the namespace /sys was mounted in).
fn multicast_interfaces() -> Vec<String> {
    let mut names = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, which is walked read-only and freed once below.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return names;
        }
        let mut entry = list;
        while !entry.is_null() {
            let flags = (*entry).ifa_flags;
            let wanted = flags & libc::IFF_UP as u32 != 0
                && flags & libc::IFF_MULTICAST as u32 != 0
                && flags & libc::IFF_LOOPBACK as u32 == 0;
            if wanted && !(*entry).ifa_name.is_null() {
                let name = std::ffi::CStr::from_ptr((*entry).ifa_name)
                    .to_string_lossy()
                    .into_owned();
                names.push(name);
            }
            entry = (*entry).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    names.sort();
    names.dedup();
    names
}

fn interfaces_finding(interfaces: &[String]) -> NdiFindingInfo {
    if interfaces.is_empty() {
        problem(
            gettext("No network for mDNS"),
            gettext("No network interface other than loopback is up with multicast, so only sources on this computer can be found. Connect to the network the NDI senders are on."),
        )
    } else {
        ok(
            gettext("Network interfaces"),
            fill(
                &gettext("mDNS queries go out on: {}."),
                &[&interfaces.join(", ")],
            ),
        )
    }
}

fn sandbox_finding() -> NdiFindingInfo {
    match std::fs::read_to_string("/.flatpak-info") {
        Ok(info) if !info.contains("network") => problem(
            gettext("Sandbox without network"),
            gettext("Roxy runs in a Flatpak without network access; NDI discovery needs --share=network."),
        ),
        Ok(_) => ok(
            gettext("Sandbox"),
            gettext("Roxy runs in a Flatpak with network access."),
        ),
        Err(_) => ok(
            gettext("No sandbox"),
            gettext("Roxy is not sandboxed; nothing limits its network access."),
        ),
    }
}

fn avahi_finding(running: bool) -> NdiFindingInfo {
    if running {
        ok(
            gettext("Avahi"),
            gettext("avahi-daemon runs. Roxy shares port 5353 with it; the NDI runtime uses it to announce and find sources."),
        )
    } else {
        warning(
            gettext("Avahi is not running"),
            gettext("Roxy finds sources without it, but the NDI runtime (and so OBS' DistroAV plugin) needs avahi-daemon on Linux: install and start it (apt install avahi-daemon)."),
        )
    }
}

fn find_runtime() -> Option<std::path::PathBuf> {
    let from_env = RUNTIME_DIR_VARS
        .iter()
        .filter_map(std::env::var_os)
        .map(std::path::PathBuf::from);
    // Where build-aux/fetch-ndi.sh puts it, and the window looks.
    let fetched = roxy_core::paths::data_dir().join("ndi");
    let dirs = from_env
        .chain(std::iter::once(fetched))
        .chain(LIBRARY_DIRS.iter().map(std::path::PathBuf::from));
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("libndi.so") {
                return Some(entry.path());
            }
        }
    }
    None
}

fn runtime_finding(runtime: Option<std::path::PathBuf>) -> NdiFindingInfo {
    match runtime {
        Some(path) => ok(
            gettext("NDI runtime"),
            fill(&gettext("Found {}."), &[&path.display()]),
        ),
        None => warning(
            gettext("NDI runtime missing"),
            gettext("libndi was not found (NDI_RUNTIME_DIR_V6, ~/.local/share/roxy/ndi, /usr/lib, /usr/local/lib). Sources are still listed, but showing their video needs the NDI runtime: install NDI Tools, or run build-aux/fetch-ndi.sh."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_say_what_to_do() {
        assert_eq!(interfaces_finding(&[]).level, "problem");
        assert!(interfaces_finding(&["eth0".into()]).detail.contains("eth0"));
        assert_eq!(avahi_finding(false).level, "warning");
        assert_eq!(runtime_finding(None).level, "warning");
        assert_eq!(
            runtime_finding(Some("/usr/lib/libndi.so.6".into())).level,
            "ok"
        );
    }
}
